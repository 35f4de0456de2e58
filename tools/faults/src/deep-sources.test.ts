/**
 * Sources deeper than 8 bits per channel (issue 26, part 2) end to end
 * through the real CLI and real workers on each S3 server, and through local
 * `kpress compress <dir> <out>`: by default a 16-bit RGB and a 16-bit grey
 * PNG come back from the destination as the very same 16-bit samples (a
 * lossless 16-bit PNG, or the original), never an 8-bit palette; only
 * `--allow-8bit` reduces them, and then the row records bitDepth 16 and a
 * PSNR measured against the full depth (below what the 8-bit copy says).
 * `verify --deep` is clean for both.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { compressImage } from '@kpress/codec';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { samplePath, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBytes } from './batch-check.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';

type Space = 'rgb16' | 'grey16';

/** A 16-bit PNG with real 16-bit levels: the sample resized at 16 bits per channel. */
async function deepPng(space: Space): Promise<Buffer> {
  const base = await sharp(samplePath('chelsea.png'))
    .removeAlpha()
    .toColourspace(space)
    .png()
    .toBuffer();
  return sharp(base).resize(200).toColourspace(space).png().toBuffer();
}

/** 16-bit RGB of 168 colours, each 100/65535 above an 8-bit level: its 8-bit copy is exact at 256 colours. */
async function steps16(): Promise<Buffer> {
  const w = 256;
  const h = 192;
  const g = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      g.set(
        [Math.floor((x * 8) / w) * 30, Math.floor((y * 3) / h) * 80, ((x * y) % 7) * 20],
        (y * w + x) * 3,
      );
    }
  }
  const base = await sharp(g, { raw: { width: w, height: h, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  return sharp(base).linear(1, 100).toColourspace('rgb16').png().toBuffer();
}

async function samples16(png: Uint8Array, space: Space): Promise<Buffer> {
  return sharp(png).toColourspace(space).raw({ depth: 'ushort' }).toBuffer();
}

let fixtures: Record<string, Buffer>;
beforeAll(async () => {
  fixtures = {
    'rgb16.png': await deepPng('rgb16'),
    'grey16.png': await deepPng('grey16'),
    'steps16.png': await steps16(),
    'coffee.jpg': readFileSync(samplePath('coffee.jpg')),
  };
});

const SPACES: Record<string, Space> = {
  'rgb16.png': 'rgb16',
  'grey16.png': 'grey16',
  'steps16.png': 'rgb16',
};

/** The 16-bit files of `rows` decode from `read` to the originals' samples. */
async function expectSameSamples(
  rows: Map<string, ManifestRow>,
  prefix: string,
  read: (row: ManifestRow) => Promise<Uint8Array>,
) {
  for (const [name, space] of Object.entries(SPACES)) {
    const row = rows.get(`${prefix}${name}`) as ManifestRow;
    expect(row.bitDepth, name).toBe(16);
    expect(row.colors, name).toBeNull();
    const out = await read(row);
    expect((await sharp(out).metadata()).bitsPerSample, name).toBe(16);
    expect(
      (await samples16(out, space)).equals(await samples16(fixtures[name] as Buffer, space)),
      name,
    ).toBe(true);
  }
}

/** With --allow-8bit: 8-bit palettes, the deep rows' PSNR against the full depth. */
async function expectReduced(rows: Map<string, ManifestRow>, prefix: string) {
  for (const name of Object.keys(SPACES)) {
    const row = rows.get(`${prefix}${name}`) as ManifestRow;
    expect(row, name).toMatchObject({ status: 'compressed', bitDepth: 16 });
    expect(row.colors, name).toBeGreaterThan(1);
  }
  // steps16's 168 colours fit 256: against its 8-bit copy the palette is exact (Infinity),
  // against the full depth it is not, and the row says so
  const steps = rows.get(`${prefix}steps16.png`) as ManifestRow;
  const eightBit = await compressImage(fixtures['steps16.png'] as Buffer, { colors: 256 });
  expect(eightBit.psnr).toBe(Number.POSITIVE_INFINITY);
  expect(steps.psnr as number).toBeLessThan(70);
  expect(rows.get(`${prefix}coffee.jpg`)?.bitDepth).toBe(8);
}

describe.each(testS3Kinds())('16-bit sources on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-deep' });
  let workers: Awaited<ReturnType<typeof startWorkers>> = [];
  afterAll(async () => {
    await stopWorkers(workers);
  });
  const run = async (args: string[]) => {
    const p = kpress(args, suite.env());
    const exit = await p.waitForExit();
    return { code: exit.code, stdout: p.stdout, stderr: p.stderr };
  };
  const enqueue = async (dest: string, batch: string, extra: string[] = []) => {
    if (workers.length === 0) workers = await startWorkers(1, suite.env(), 2);
    const r = await run([
      'enqueue',
      's3://src/in/',
      '--dest',
      dest,
      '--batch',
      batch,
      '--wait',
      ...extra,
    ]);
    expect(r.code, r.stderr.slice(-5).join('\n')).toBe(0);
    const text = await getBytes(
      suite.s3.client,
      'dst',
      `${dest.slice('s3://dst/'.length)}_kpress/${batch}/manifest.jsonl`,
    );
    const rows = text.toString().trim().split('\n').map(parseRow);
    return new Map(rows.map((r) => [r.key, r]));
  };
  const verifyDeep = async (dest: string, batch: string) => {
    const r = await run(['verify', dest, '--batch', batch, '--deep']);
    expect(r.code, [...r.stdout, ...r.stderr].join('\n')).toBe(0);
  };

  it('keeps every 16-bit sample by default, and verify --deep is clean', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', fixtures);
    const rows = await enqueue('s3://dst/full/', 'full');
    await expectSameSamples(rows, 'in/', (row) =>
      getBytes(suite.s3.client, 'dst', row.outputKey as string),
    );
    expect(rows.get('in/rgb16.png')).toMatchObject({
      status: 'compressed',
      psnr: Number.POSITIVE_INFINITY,
      outputKey: 'full/rgb16.png',
    });
    const csv = (
      await getBytes(suite.s3.client, 'dst', 'full/_kpress/full/manifest.csv')
    ).toString();
    expect(csv.split('\n')[0]?.endsWith(',bitDepth')).toBe(true);
    await verifyDeep('s3://dst/full/', 'full');
    // a batch's settings are its identity: the same batch with --allow-8bit is refused
    const other = await run([
      'enqueue',
      's3://src/in/',
      '--dest',
      's3://dst/full/',
      '--batch',
      'full',
      '--allow-8bit',
    ]);
    expect(other.code).not.toBe(0);
    expect(other.stderr.join('\n')).toMatch(/allow-8bit/);
  });

  it('reduces to 8 bits only with --allow-8bit, the PSNR against the full depth', async () => {
    const rows = await enqueue('s3://dst/eight/', 'eight', ['--allow-8bit', '--colors', '256']);
    await expectReduced(rows, 'in/');
    const head = await suite.s3.client.send(
      new HeadObjectCommand({ Bucket: 'dst', Key: 'eight/rgb16.png' }),
    );
    expect(head.Metadata?.['kpress-allow8bit']).toBe('true');
    await verifyDeep('s3://dst/eight/', 'eight');
  });
});

describe('16-bit sources with local kpress compress <dir> <out>', () => {
  const manifestOf = (out: string) => {
    const runDir = join(out, '_kpress', readdirSync(join(out, '_kpress'))[0] as string);
    const rows = readFileSync(join(runDir, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(parseRow);
    return new Map(rows.map((r) => [r.key, r]));
  };
  const compress = async (args: string[]) => {
    const p = kpress(['compress', ...args], { ...process.env });
    const exit = await p.waitForExit();
    expect(exit.code, p.stderr.join('\n')).toBe(0);
  };

  it('keeps the samples by default and reduces them only with --allow-8bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpress-deep-'));
    mkdirSync(join(dir, 'in'));
    for (const [name, bytes] of Object.entries(fixtures))
      writeFileSync(join(dir, 'in', name), bytes);
    await compress([join(dir, 'in'), join(dir, 'full')]);
    await expectSameSamples(manifestOf(join(dir, 'full')), '', async (row) =>
      readFileSync(join(dir, 'full', row.outputKey as string)),
    );
    await compress([join(dir, 'in'), join(dir, 'eight'), '--allow-8bit', '--colors', '256']);
    await expectReduced(manifestOf(join(dir, 'eight')), '');
  });

  it('one file: a lossless 16-bit PNG by default, an 8-bit palette only with --allow-8bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpress-deep1-'));
    const src = join(dir, 'grey16.png');
    writeFileSync(src, fixtures['grey16.png'] as Buffer);
    const one = async (out: string, extra: string[] = []) => {
      const p = kpress(['compress', src, join(dir, out), '--json', ...extra], { ...process.env });
      const exit = await p.waitForExit();
      expect(exit.code, p.stderr.join('\n')).toBe(0);
      return JSON.parse(p.stdout.join('\n'));
    };
    const full = await one('full.png');
    expect(full).toMatchObject({ colors: null, bitDepth: 16, status: 'compressed' });
    const written = readFileSync(join(dir, 'full.png'));
    expect(
      (await samples16(written, 'grey16')).equals(
        await samples16(fixtures['grey16.png'] as Buffer, 'grey16'),
      ),
    ).toBe(true);
    const eight = await one('eight.png', ['--allow-8bit']);
    expect(eight).toMatchObject({ colors: 16, bitDepth: 16 });
    expect(
      (await sharp(readFileSync(join(dir, 'eight.png'))).metadata()).bitsPerSample,
    ).toBeLessThanOrEqual(8);
  });
});
