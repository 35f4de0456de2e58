/**
 * Issue 26's "done when", end to end through the real CLI and real workers on
 * each S3 server, and through local `kpress compress <dir> <out>`: a prefix of
 * images, 16-bit PNGs (RGB and grey), a PDF, a JSON sidecar, a DICOM file, a
 * truncated JPEG, an animated PNG and an object over the byte limit ends with
 * every source's bytes or compressed image at the destination; the 16-bit
 * sources decode from there to their very samples; `verify --deep` is clean;
 * `--tag-sources` tags exactly the verified sources, and a damaged output
 * leaves its source untagged. `--images-only` writes skipped rows instead of
 * copies. The palette is pinned (`--colors 16`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type ManifestRow, parseRow, SummarySchema } from '@kpress/manifest';
import { testS3Kinds, uploadFixtures } from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBytes, listKeys } from './batch-check.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';
import {
  COPY_PART_BYTES,
  EXPECTED,
  mixedPrefix,
  SPACES,
  samples16,
  TEST_MAX_BYTES,
} from './test/mixed-prefix.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const BYTE_COPIES = new Set(['copied', 'kept-original']);

let files: Record<string, Buffer>;
beforeAll(async () => {
  files = await mixedPrefix();
});

/**
 * Every row as expected, and at its output the source's own bytes (copied,
 * kept) or a PNG that decodes (compressed); the 16-bit ones to their samples.
 */
async function expectAccountedFor(
  rows: Map<string, ManifestRow>,
  prefix: string,
  read: (key: string) => Promise<Uint8Array | undefined>,
  mode: 'status' | 'imagesOnly' = 'status',
) {
  expect([...rows.keys()].sort()).toEqual(
    Object.keys(files)
      .map((n) => `${prefix}${n}`)
      .sort(),
  );
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const row = rows.get(`${prefix}${name}`) as ManifestRow;
    expect(expected[mode].split('|'), `${name}: ${row.error}`).toContain(row.status);
    if (expected.reason && row.status !== 'compressed')
      expect(row.error, name).toMatch(expected.reason);
    const source = files[name] as Buffer;
    expect(row.sha256, name).toBe(
      row.status === 'skipped' && name === 'big.bin' ? null : sha(source),
    );
    if (row.status === 'skipped') {
      expect(row.outputKey, name).toBeNull();
      expect(await read(`${prefix}${name}`), `${name}: nothing written`).toBeUndefined();
      continue;
    }
    const out = (await read(row.outputKey as string)) as Uint8Array;
    expect(out, name).toBeDefined();
    expect(sha(out), name).toBe(row.outputSha256);
    if (BYTE_COPIES.has(row.status)) {
      expect(Buffer.from(out).equals(source), `${name}: byte for byte`).toBe(true);
      expect(row.outputSha256, name).toBe(row.sha256);
    } else {
      expect((await sharp(out).metadata()).format, name).toBe('png');
    }
  }
  for (const [name, space] of Object.entries(SPACES)) {
    const row = rows.get(`${prefix}${name}`) as ManifestRow;
    expect(row.bitDepth, name).toBe(16);
    const out = (await read(row.outputKey as string)) as Uint8Array;
    expect(
      (await samples16(out, space)).equals(await samples16(files[name] as Buffer, space)),
      name,
    ).toBe(true);
  }
}

describe.each(testS3Kinds())('a destination that can replace its source, on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-replace' });
  let workers: Awaited<ReturnType<typeof startWorkers>> = [];
  afterAll(async () => {
    await stopWorkers(workers);
  });
  // s3rver has no UploadPartCopy: there big.bin is one CopyObject (copyPartBytes left at 5 GiB)
  const multipart = kind === 'rgw';
  const env = () =>
    suite.env({
      KPRESS_MAX_BYTES: String(TEST_MAX_BYTES),
      ...(multipart ? { KPRESS_COPY_PART_BYTES: String(COPY_PART_BYTES) } : {}),
    });
  const run = async (args: string[]) => {
    const p = kpress(args, env());
    const exit = await p.waitForExit();
    return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
  };
  const readDest = async (key: string) => {
    try {
      return await getBytes(suite.s3.client, 'dst', key);
    } catch {
      return undefined;
    }
  };
  const enqueue = async (dest: string, batch: string, extra: string[] = []) => {
    if (workers.length === 0) workers = await startWorkers(1, env(), 2);
    const r = await run([
      'enqueue',
      's3://src/in/',
      '--dest',
      dest,
      '--batch',
      batch,
      '--wait',
      '--colors',
      '16',
      ...extra,
    ]);
    expect(r.code, r.stderr.slice(-5).join('\n')).toBe(0);
    const at = `${dest.slice('s3://dst/'.length)}_kpress/${batch}/`;
    const rows = (await getBytes(suite.s3.client, 'dst', `${at}manifest.jsonl`))
      .toString()
      .trim()
      .split('\n')
      .map(parseRow);
    const summary = SummarySchema.parse(
      JSON.parse((await getBytes(suite.s3.client, 'dst', `${at}summary.json`)).toString()),
    );
    return { rows: new Map(rows.map((r) => [r.key, r])), summary };
  };
  const tagsOf = async (key: string) => {
    const out = await suite.s3.client.send(
      new GetObjectTaggingCommand({ Bucket: 'src', Key: key }),
    );
    return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
  };

  it('copies what it does not compress, verify --deep is clean, and tags exactly the verified sources', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', files);
    const { rows, summary } = await enqueue('s3://dst/out/', 'rep');
    await expectAccountedFor(rows, 'in/', (key) => readDest(key.replace(/^in\//, 'out/')));
    // copies counted apart, their bytes no savings
    const copies = [...rows.values()].filter((r) => r.status === 'copied');
    expect(summary.counts).toMatchObject({ total: 10, copied: 5, skipped: 0, failed: 0 });
    expect(summary.bytes.copied).toBe(copies.reduce((n, r) => n + r.originalBytes, 0));
    const images = [...rows.values()].filter(
      (r) => r.status === 'compressed' || r.status === 'kept-original',
    );
    expect(summary.bytes.original).toBe(images.reduce((n, r) => n + r.originalBytes, 0));
    // every object under the destination is a row's output (and the batch's own files)
    const outputs = (await listKeys(suite.s3.client, 'dst', 'out/')).filter(
      (k) => !k.startsWith('out/_kpress/'),
    );
    expect(outputs.sort()).toEqual([...rows.values()].map((r) => r.outputKey).sort());

    // big.bin was never read whole: copied server-side, on RGW in two UploadPartCopy parts
    const big = await suite.s3.client.send(
      new HeadObjectCommand({ Bucket: 'dst', Key: 'out/big.bin' }),
    );
    expect(big.ETag?.replace(/"/g, '')).toMatch(multipart ? /-2$/ : /^[0-9a-f]{32}$/);
    expect(big.Metadata).toMatchObject({ 'kpress-batch': 'rep', 'kpress-source': 'in%2Fbig.bin' });
    const deep = await run(['verify', 's3://dst/out/', '--batch', 'rep', '--deep']);
    expect(deep.code, [...deep.stdout, ...deep.stderr].join('\n')).toBe(0);

    // one output damaged behind kpress's back: the DICOM copy
    const dcm = Buffer.from(files['scan.dcm'] as Buffer);
    dcm[200] = (dcm[200] as number) ^ 0xff;
    await suite.s3.client.send(
      new PutObjectCommand({ Bucket: 'dst', Key: 'out/scan.dcm', Body: dcm }),
    );
    const tag = await run([
      'verify',
      's3://dst/out/',
      '--batch',
      'rep',
      '--deep',
      '--tag-sources',
      '--json',
    ]);
    expect(tag.code, tag.stderr.join('\n')).toBe(1);
    const result = JSON.parse(tag.stdout[0] as string);
    expect(result.problems).toEqual({ checksum: 1 });
    expect(result.shown[0]).toMatchObject({ key: 'out/scan.dcm', kind: 'checksum' });
    expect(result.tags).toEqual({
      tagged: 9,
      alreadyTagged: 0,
      taggedByOtherBatch: 0,
      notTagged: { 'problems found': 1 },
    });
    for (const name of Object.keys(files)) {
      const tags = await tagsOf(`in/${name}`);
      expect(tags['kpress-archived'], name).toBe(name === 'scan.dcm' ? undefined : 'rep');
    }
  }, 240_000);

  it('--images-only writes skipped rows, nothing for them, and verify --deep is clean', async () => {
    const { rows, summary } = await enqueue('s3://dst/img/', 'img', ['--images-only']);
    await expectAccountedFor(
      rows,
      'in/',
      (key) => readDest(key.replace(/^in\//, 'img/')),
      'imagesOnly',
    );
    expect(summary.counts).toMatchObject({ total: 10, copied: 0, skipped: 5, failed: 0 });
    expect(summary.bytes.copied).toBe(0);
    const deep = await run(['verify', 's3://dst/img/', '--batch', 'img', '--deep']);
    expect(deep.code, [...deep.stdout, ...deep.stderr].join('\n')).toBe(0);
    // a batch's settings are its identity: the same batch without --images-only is refused
    const other = await run([
      'enqueue',
      's3://src/in/',
      '--dest',
      's3://dst/img/',
      '--batch',
      'img',
      '--colors',
      '16',
    ]);
    expect(other.code).not.toBe(0);
    expect(other.stderr.join('\n')).toMatch(/images-only/);
  }, 240_000);
});

describe('a destination that can replace its source, locally with compress <dir> <out>', () => {
  const compress = async (args: string[]) => {
    const p = kpress(['compress', ...args, '--colors', '16'], {
      ...process.env,
      KPRESS_MAX_BYTES: String(TEST_MAX_BYTES),
    });
    const exit = await p.waitForExit();
    expect(exit.code, p.stderr.join('\n')).toBe(0);
    return p.stdout;
  };
  const manifestOf = (out: string) => {
    const runDir = join(out, '_kpress', readdirSync(join(out, '_kpress'))[0] as string);
    const rows = readFileSync(join(runDir, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(parseRow);
    const summary = SummarySchema.parse(
      JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')),
    );
    return { rows: new Map(rows.map((r) => [r.key, r])), summary };
  };
  const readIn = (dir: string) => async (key: string) => {
    try {
      return readFileSync(join(dir, key));
    } catch {
      return undefined;
    }
  };

  it('copies what it does not compress, and --images-only skips it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpress-replace-'));
    mkdirSync(join(dir, 'in'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, 'in', name), bytes);
    const said = await compress([join(dir, 'in'), join(dir, 'out')]);
    expect(said[0]).toMatch(
      /^10 files: \d+ compressed, \d+ kept original, 5 copied \(\S+ \S+\), 0 failed;/,
    );
    const full = manifestOf(join(dir, 'out'));
    await expectAccountedFor(full.rows, '', readIn(join(dir, 'out')));
    expect(full.summary.counts).toMatchObject({ total: 10, copied: 5, skipped: 0, failed: 0 });

    const only = await compress([join(dir, 'in'), join(dir, 'only'), '--images-only']);
    expect(only[0]).toMatch(/5 skipped, 0 failed;/);
    const skipped = manifestOf(join(dir, 'only'));
    await expectAccountedFor(skipped.rows, '', readIn(join(dir, 'only')), 'imagesOnly');
    expect(skipped.summary.counts).toMatchObject({ copied: 0, skipped: 5 });
  }, 120_000);
});
