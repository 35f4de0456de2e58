/**
 * Fixity (issue 11, part 1) end to end on each S3 server: every row's digests
 * are those of the bytes actually read and stored, outputs carry their digest
 * in their metadata, and a copy of the destination checks with the system's
 * own `sha256sum -c manifest-sha256.txt`. Every compressed row's SSIMULACRA 2.1
 * score, in the row, the output's metadata and the PNG's kpress chunk, is the
 * score recomputed here from the source and output bytes; verify --deep names
 * a tampered metadata score and a swapped output.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { compressImage, decode, roundScore } from '@kpress/codec';
import { KPRESS_VERSION } from '@kpress/config';
import { parseRow } from '@kpress/manifest';
import { ssimulacra2 } from '@kpress/ssimulacra2';
import { makeApng, samplePath, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { getBytes, listKeys } from './batch-check.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * The score recomputed from the bytes: the source decoded as kpress decodes it
 * (oriented, sRGB), the output's stored samples as sharp reads them.
 */
async function scoreOf(source: Buffer, output: Buffer): Promise<number> {
  const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
  const out = { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
  return roundScore(ssimulacra2(await decode(source), out));
}

describe.each(testS3Kinds())('fixity on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-fixity' });
  const copy = mkdtempSync(join(tmpdir(), 'kpress-fixity-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('digests in every row equal the bytes stored, and sha256sum -c passes on a copy', async () => {
    const sources: Record<string, Buffer> = {
      'cat.png': readFileSync(samplePath('chelsea.png')),
      'deep/coffee.jpg': readFileSync(samplePath('coffee.jpg')),
      'spin.png': makeApng(),
      'broken.jpg': readFileSync(samplePath('broken-truncated.jpg')),
      'with space.png': readFileSync(samplePath('coffee.png')),
      // a phone's photo: EXIF (rotated), and a Display P3 PNG
      'exif.jpg': await sharp(readFileSync(samplePath('coffee.jpg')))
        .withExif({ IFD0: { Artist: 'kpress fixity', Copyright: 'CC0' } })
        .withMetadata({ orientation: 6 })
        .jpeg()
        .toBuffer(),
      'p3.png': await sharp(readFileSync(samplePath('chelsea.png')))
        .withIccProfile('p3')
        .png()
        .toBuffer(),
    };
    await uploadFixtures(suite.s3.client, 'src', 'in/', sources);
    const workers = await startWorkers(1, suite.env(), 2);
    const run = kpress(
      ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', 'fix', '--wait'],
      suite.env(),
    );
    expect((await run.waitForExit()).code, run.stderr.slice(-5).join('\n')).toBe(0);
    await stopWorkers(workers);

    const base = 'out/_kpress/fix/';
    const rows = (await getBytes(suite.s3.client, 'dst', `${base}manifest.jsonl`))
      .toString()
      .trim()
      .split('\n')
      .map(parseRow);
    expect(rows).toHaveLength(7);
    const written = [];
    const scores: number[] = [];
    for (const row of rows) {
      const source = sources[row.key.slice('in/'.length)] as Buffer;
      expect(row.sha256, row.key).toBe(sha(source));
      const head = await suite.s3.client.send(
        new HeadObjectCommand({ Bucket: 'src', Key: row.key }),
      );
      expect(row.etag, row.key).toBe(head.ETag?.replace(/"/g, ''));
      if (row.status === 'failed') {
        expect(row.outputSha256, row.key).toBeNull();
        continue;
      }
      const stored = await getBytes(suite.s3.client, 'dst', row.outputKey as string);
      expect(row.outputSha256, row.key).toBe(sha(stored));
      if (row.status === 'kept-original' || row.status === 'copied')
        expect(row.outputSha256).toBe(row.sha256);
      const meta = await suite.s3.client.send(
        new HeadObjectCommand({ Bucket: 'dst', Key: row.outputKey as string }),
      );
      // provenance: what it is, where from, how it was made, by which kpress
      expect(meta.Metadata).toMatchObject({
        'kpress-sha256': row.outputSha256,
        'kpress-batch': 'fix',
        'kpress-source': encodeURIComponent(row.key),
        'kpress-source-sha256': row.sha256,
        'kpress-colors': '16',
        'kpress-seed': '1',
        'kpress-version': KPRESS_VERSION,
      });
      if (row.status !== 'compressed') expect(row.ssimulacra2, row.key).toBeNull();
      if (row.status === 'compressed') {
        expect(Number(meta.Metadata?.['kpress-psnr'])).toBeCloseTo(row.psnr as number, 2);
        const score = await scoreOf(source, stored);
        expect(row.ssimulacra2, row.key).toBe(score);
        expect(meta.Metadata?.['kpress-ssimulacra2'], row.key).toBe(score.toFixed(2));
        scores.push(score);
        // the PNG itself says what it is, once copied out of S3
        const comments = (await sharp(stored).metadata()).comments ?? [];
        expect(comments).toContainEqual({ keyword: 'Software', text: `kpress ${KPRESS_VERSION}` });
        const facts = JSON.parse(comments.find((c) => c.keyword === 'kpress')?.text ?? '{}');
        expect(facts).toMatchObject({
          batch: 'fix',
          source: row.key,
          sourceSha256: row.sha256,
          colors: 16,
          seed: 1,
          colorsWritten: row.colors,
          ssimulacra2: row.ssimulacra2,
          kpressVersion: KPRESS_VERSION,
        });
      }
      written.push(row.outputKey as string);
    }
    // issue 26: a damaged image is copied byte for byte (it was a failed row)
    expect(rows.find((r) => r.key === 'in/broken.jpg')?.status).toBe('copied');
    // the source's metadata and colours survive
    const exifOut = await getBytes(suite.s3.client, 'dst', 'out/exif.jpg.png');
    const exifMeta = await sharp(exifOut).metadata();
    expect(exifMeta.exif?.toString('latin1')).toContain('kpress fixity');
    expect(exifMeta.orientation ?? 1).toBe(1);
    expect([exifMeta.width, exifMeta.height]).toEqual([400, 600]);
    const p3Out = await getBytes(suite.s3.client, 'dst', 'out/p3.png');
    // each file's pixels shown through its own colour information (sharp's stats() would not convert)
    const shownMean = async (b: Buffer) => {
      const { data, info } = await sharp(b)
        .withIccProfile('srgb')
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const sums = [0, 0, 0];
      for (let i = 0; i < data.length; i++) sums[i % 3] += data[i] as number;
      return sums.map((v) => v / (info.width * info.height));
    };
    const want = await shownMean(sources['p3.png'] as Buffer);
    const got = await shownMean(p3Out);
    for (const [i, m] of want.entries())
      expect(Math.abs((got[i] as number) - m), `channel ${i}`).toBeLessThan(2);
    for (const file of ['summary.json', 'batch.json']) {
      const json = JSON.parse(
        (await getBytes(suite.s3.client, 'dst', `${base}${file}`)).toString(),
      );
      expect(json.kpressVersion, file).toBe(KPRESS_VERSION);
    }
    // six images and the damaged JPEG's copy (issue 26)
    expect(written).toHaveLength(7);
    // summary.json's distribution is over those scores
    const summary = JSON.parse(
      (await getBytes(suite.s3.client, 'dst', `${base}summary.json`)).toString(),
    );
    scores.sort((x, y) => x - y);
    expect(scores.length).toBe(rows.filter((r) => r.status === 'compressed').length);
    expect(summary.ssimulacra2).toMatchObject({
      count: scores.length,
      min: scores[0],
      median: scores[Math.ceil(scores.length / 2) - 1],
      below: { '90': scores.filter((s) => s < 90).length },
    });

    // a copy of the destination made with another tool, checked with the system's sha256sum
    for (const key of await listKeys(suite.s3.client, 'dst', 'out/')) {
      if (key.startsWith(base) && !key.endsWith('manifest-sha256.txt')) continue;
      const path = join(copy, key.slice('out/'.length));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, await getBytes(suite.s3.client, 'dst', key));
    }
    const sums = readFileSync(join(copy, '_kpress/fix/manifest-sha256.txt'), 'utf8');
    expect(sums.trim().split('\n')).toHaveLength(7);
    writeFileSync(join(copy, 'manifest-sha256.txt'), sums);
    const check = spawnSync('sha256sum', ['-c', 'manifest-sha256.txt'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout.match(/: OK$/gm)).toHaveLength(7);
    // and the check can fail: one flipped byte is named
    const victim = join(copy, 'cat.png');
    const bytes = readFileSync(victim);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(victim, bytes);
    const bad = spawnSync('sha256sum', ['-c', 'manifest-sha256.txt'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('cat.png: FAILED');
  });

  it('kpress verify passes on the fresh batch and names exactly the damaged, deleted and extra objects', async () => {
    const verify = async (...extra: string[]) => {
      const p = kpress(['verify', 's3://dst/out/', '--batch', 'fix', ...extra], suite.env());
      const exit = await p.waitForExit();
      return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
    };
    const fresh = await verify();
    expect(fresh.code, fresh.stderr.join('\n')).toBe(0);
    expect(fresh.stdout).toEqual([]);
    expect(fresh.stderr.at(-1)).toBe('kpress: verify fix: 7 rows, 7 outputs checked: clean');
    const deep = await verify('--deep', '--json');
    expect(deep.code, deep.stderr.join('\n')).toBe(0);
    expect(JSON.parse(deep.stdout[0] as string)).toMatchObject({
      clean: true,
      deep: true,
      rows: 7,
      outputsChecked: 7,
      sourcesChecked: 7,
    });

    // --deep recomputes each score: a tampered metadata score and a swapped output are named
    const head = async (Key: string) =>
      (await suite.s3.client.send(new HeadObjectCommand({ Bucket: 'dst', Key }))).Metadata ?? {};
    const spaceMeta = await head('out/with space.png');
    const setMeta = (Metadata: Record<string, string>) =>
      suite.s3.client.send(
        new CopyObjectCommand({
          Bucket: 'dst',
          Key: 'out/with space.png',
          CopySource: `dst/${encodeURIComponent('out/with space.png')}`,
          Metadata,
          MetadataDirective: 'REPLACE',
          ContentType: 'image/png',
        }),
      );
    await setMeta({ ...spaceMeta, 'kpress-ssimulacra2': '99.00' });
    const catBytes = await getBytes(suite.s3.client, 'dst', 'out/cat.png');
    const catMeta = await head('out/cat.png');
    // another kpress PNG of the same photo (4 colours, not the batch's 16): same size, other pixels
    const swapped = (await compressImage(readFileSync(samplePath('chelsea.png')), { colors: 4 }))
      .png;
    await suite.s3.client.send(
      new PutObjectCommand({ Bucket: 'dst', Key: 'out/cat.png', Body: swapped, Metadata: catMeta }),
    );
    const scored = await verify('--deep');
    expect(scored.code).toBe(1);
    const lines = scored.stdout.filter((l) => l.includes(': ssimulacra2: '));
    expect(lines.map((l) => l.split(': ')[0]).sort()).toEqual([
      'out/cat.png',
      'out/with space.png',
    ]);
    expect(lines.find((l) => l.startsWith('out/with space.png'))).toMatch(
      /metadata kpress-ssimulacra2 says 99\.00, the manifest says \d+\.\d\d/,
    );
    expect(lines.find((l) => l.startsWith('out/cat.png'))).toMatch(
      /SSIMULACRA 2\.1 -?\d+\.\d\d against the source, the manifest says \d+\.\d\d/,
    );
    // put both back as they were
    await setMeta(spaceMeta);
    await suite.s3.client.send(
      new PutObjectCommand({
        Bucket: 'dst',
        Key: 'out/cat.png',
        Body: catBytes,
        Metadata: catMeta,
      }),
    );
    const restored = await verify('--deep');
    expect(restored.code, restored.stdout.join('\n')).toBe(0);

    // behind kpress's back: one byte flipped, one output deleted, one replaced, one object added
    const cat = await getBytes(suite.s3.client, 'dst', 'out/cat.png');
    cat[cat.length - 20] ^= 0xff;
    const put = (Key: string, Body: Buffer | string) =>
      suite.s3.client.send(new PutObjectCommand({ Bucket: 'dst', Key, Body }));
    await put('out/cat.png', cat);
    await suite.s3.client.send(new DeleteObjectCommand({ Bucket: 'dst', Key: 'out/spin.png' }));
    await put(
      'out/deep/coffee.jpg.png',
      await sharp({ create: { width: 9, height: 9, channels: 3, background: '#123' } })
        .png()
        .toBuffer(),
    );
    await put('out/stray.txt', 'left by another tool');
    const damaged = await verify();
    expect(damaged.code).toBe(1);
    const named = damaged.stdout.map((l) => l.split(': ').slice(0, 2).join(': ')).sort();
    expect(named).toEqual(
      [
        'out/cat.png: checksum',
        'out/deep/coffee.jpg.png: checksum',
        'out/deep/coffee.jpg.png: not-palette-png',
        'out/deep/coffee.jpg.png: size',
        'out/spin.png: missing',
        'out/stray.txt: extra',
      ].sort(),
    );
    expect(damaged.stderr.at(-1)).toMatch(/^kpress: verify fix: 7 rows, 7 outputs checked: /);
    // every run is a fixity event
    const events = await listKeys(suite.s3.client, 'dst', 'out/_kpress/fix/fixity/');
    expect(events).toHaveLength(5);
    const last = JSON.parse(
      (await getBytes(suite.s3.client, 'dst', events.sort().at(-1) as string)).toString(),
    );
    expect(last).toMatchObject({ clean: false, problems: { checksum: 2, missing: 1, extra: 1 } });
    // the report shows the fixity recorded and the runs
    const report = kpress(['report', 's3://dst/out/', '--batch', 'fix'], suite.env());
    expect((await report.waitForExit()).code).toBe(0);
    const text = report.stdout.join('\n');
    expect(text).toContain('7 of 7 outputs carry a SHA-256 (manifest-sha256.txt, sha256sum -c)');
    const runLine = text.split('\n').find((l) => l.includes('verified 5 times; last ')) ?? '';
    // (the table cuts lines at the terminal's width: the event above has every count)
    expect(runLine).toMatch(/verified 5 times; last \S+Z: \d+ [a-z-]+, /);
    const summary = JSON.parse(
      (await getBytes(suite.s3.client, 'dst', 'out/_kpress/fix/summary.json')).toString(),
    );
    expect(summary.fixity).toEqual({ outputs: 7, outputDigests: 7 });
    const html = (await getBytes(suite.s3.client, 'dst', 'out/_kpress/fix/report.html')).toString();
    expect(html).toContain('Fixity: 7 of 7 outputs carry a SHA-256');
    // both show the scores' distribution (4 compressed rows here)
    expect(text).toMatch(
      /Score +SSIMULACRA 2\.1 min -?\d+\.\d\d, 5th percentile -?\d+\.\d\d, median/,
    );
    expect(html).toMatch(
      /SSIMULACRA 2\.1: min -?\d+\.\d\d, 5th percentile .* \(\d+ scored\); below the bands: /,
    );
  });
});
