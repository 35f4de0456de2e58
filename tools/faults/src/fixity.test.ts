/**
 * Fixity (issue 11, part 1) end to end on each S3 server: every row's digests
 * are those of the bytes actually read and stored, outputs carry their digest
 * in their metadata, and a copy of the destination checks with the system's
 * own `sha256sum -c manifest-sha256.txt`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { KPRESS_VERSION } from '@kpress/config';
import { parseRow } from '@kpress/manifest';
import { makeApng, samplePath, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { getBytes, listKeys } from './batch-check.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

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
      if (row.status === 'kept-original') expect(row.outputSha256).toBe(row.sha256);
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
      if (row.status === 'compressed') {
        expect(Number(meta.Metadata?.['kpress-psnr'])).toBeCloseTo(row.psnr as number, 2);
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
          kpressVersion: KPRESS_VERSION,
        });
      }
      written.push(row.outputKey as string);
    }
    expect(rows.find((r) => r.key === 'in/broken.jpg')?.status).toBe('failed');
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
    expect(written).toHaveLength(6);

    // a copy of the destination made with another tool, checked with the system's sha256sum
    for (const key of await listKeys(suite.s3.client, 'dst', 'out/')) {
      if (key.startsWith(base) && !key.endsWith('manifest-sha256.txt')) continue;
      const path = join(copy, key.slice('out/'.length));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, await getBytes(suite.s3.client, 'dst', key));
    }
    const sums = readFileSync(join(copy, '_kpress/fix/manifest-sha256.txt'), 'utf8');
    expect(sums.trim().split('\n')).toHaveLength(6);
    writeFileSync(join(copy, 'manifest-sha256.txt'), sums);
    const check = spawnSync('sha256sum', ['-c', 'manifest-sha256.txt'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout.match(/: OK$/gm)).toHaveLength(6);
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
    expect(fresh.stderr.at(-1)).toBe('kpress: verify fix: 7 rows, 6 outputs checked: clean');
    const deep = await verify('--deep', '--json');
    expect(deep.code, deep.stderr.join('\n')).toBe(0);
    expect(JSON.parse(deep.stdout[0] as string)).toMatchObject({
      clean: true,
      deep: true,
      rows: 7,
      outputsChecked: 6,
      sourcesChecked: 6,
    });

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
    expect(damaged.stderr.at(-1)).toMatch(/^kpress: verify fix: 7 rows, 6 outputs checked: /);
    // every run is a fixity event
    const events = await listKeys(suite.s3.client, 'dst', 'out/_kpress/fix/fixity/');
    expect(events).toHaveLength(3);
    const last = JSON.parse(
      (await getBytes(suite.s3.client, 'dst', events.sort().at(-1) as string)).toString(),
    );
    expect(last).toMatchObject({ clean: false, problems: { checksum: 2, missing: 1, extra: 1 } });
    // the report shows the fixity recorded and the runs
    const report = kpress(['report', 's3://dst/out/', '--batch', 'fix'], suite.env());
    expect((await report.waitForExit()).code).toBe(0);
    const text = report.stdout.join('\n');
    expect(text).toContain('6 of 6 outputs carry a SHA-256 (manifest-sha256.txt, sha256sum -c)');
    const runLine = text.split('\n').find((l) => l.includes('verified 3 times; last ')) ?? '';
    // (the table cuts lines at the terminal's width: the event above has every count)
    expect(runLine).toMatch(/verified 3 times; last \S+Z: \d+ [a-z-]+, /);
    const summary = JSON.parse(
      (await getBytes(suite.s3.client, 'dst', 'out/_kpress/fix/summary.json')).toString(),
    );
    expect(summary.fixity).toEqual({ outputs: 6, outputDigests: 6 });
    const html = (await getBytes(suite.s3.client, 'dst', 'out/_kpress/fix/report.html')).toString();
    expect(html).toContain('Fixity: 6 of 6 outputs carry a SHA-256');
  });
});
