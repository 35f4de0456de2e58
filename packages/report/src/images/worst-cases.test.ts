import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ManifestRow, WorstEntry } from '@kpress/manifest';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CROP_GAP } from '../report-model.js';
import { makeWorstCrop } from './make-worst-crop.js';
import type { ReportImageSource } from './report-samples.js';
import { reportWorstCases } from './worst-cases.js';

const samples = fileURLToPath(new URL('../../../../fixtures/samples/', import.meta.url));
const fixture = (name: string) => readFile(`${samples}${name}`);

function decodeDataUri(uri: string): Buffer {
  return Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
}

/** chelsea.png with a 60x40 block at (300, 200) painted flat red: where it differs most. */
async function damaged(source: Buffer): Promise<Buffer> {
  const block = await sharp({
    create: { width: 60, height: 40, channels: 3, background: { r: 255, g: 0, b: 0 } },
  })
    .png()
    .toBuffer();
  return sharp(source)
    .composite([{ input: block, left: 300, top: 200 }])
    .png()
    .toBuffer();
}

async function rgb(image: Buffer, region?: { x: number; y: number; w: number; h: number }) {
  let s = sharp(image);
  if (region) s = s.extract({ left: region.x, top: region.y, width: region.w, height: region.h });
  return s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
}

describe('makeWorstCrop', () => {
  it('cuts both images at 1:1 where they differ most, original left, output right', async () => {
    const source = await fixture('chelsea.png');
    const output = await damaged(source);
    const crop = await makeWorstCrop(source, output, { side: 128 });
    const { x, y, width, height } = crop.region;
    expect([width, height]).toEqual([128, 128]);
    // the damaged block (300..360, 200..240) is inside the crop
    expect(x).toBeLessThanOrEqual(300);
    expect(x + width).toBeGreaterThanOrEqual(360);
    expect(y).toBeLessThanOrEqual(200);
    expect(y + height).toBeGreaterThanOrEqual(240);
    expect(crop.dataUri.startsWith('data:image/png;base64,')).toBe(true);
    const png = decodeDataUri(crop.dataUri);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([2 * 128 + CROP_GAP, 128]);
    // drawn over white, so opaque: no alpha channel to carry in the page
    expect(meta.channels).toBe(3);
    // no scaling: each half holds exactly the pixels of its image there
    const left = await rgb(png, { x: 0, y: 0, w: 128, h: 128 });
    const right = await rgb(png, { x: 128 + CROP_GAP, y: 0, w: 128, h: 128 });
    expect(left.data.equals((await rgb(source, { x, y, w: 128, h: 128 })).data)).toBe(true);
    expect(right.data.equals((await rgb(output, { x, y, w: 128, h: 128 })).data)).toBe(true);
  });

  it('takes the whole of an image smaller than the side, and refuses outputs of another size', async () => {
    const small = await sharp(await fixture('chelsea.png'))
      .resize(50, 30, { fit: 'fill' })
      .png()
      .toBuffer();
    const crop = await makeWorstCrop(small, small);
    expect(crop.region).toEqual({ x: 0, y: 0, width: 50, height: 30 });
    const other = await sharp(small).resize(40, 30, { fit: 'fill' }).png().toBuffer();
    await expect(makeWorstCrop(small, other)).rejects.toThrow(
      'the output is 40x30, the oriented source 50x30',
    );
    await expect(makeWorstCrop(small, small, { side: 8 })).rejects.toThrow(
      'side must be an integer in 16..1024, got 8',
    );
  });

  it('never aims at pixels no one sees: colour under full transparency does not count', async () => {
    // 200x150 (a grid of 1 pixel a cell): the left half opaque, posterised in the output; the
    // right half fully transparent, noise under it in the source, transparent black in the output
    // (as kpress writes it): the visible difference is on the left
    const [w, h] = [200, 150];
    const src = Buffer.alloc(w * h * 4);
    const out = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        if (x < w / 2) {
          src.set([Math.floor((x * 255) / (w / 2)), Math.floor((y * 255) / h), 128, 255], i);
          out.set([(src[i] ?? 0) & 0xe0, (src[i + 1] ?? 0) & 0xe0, 128, 255], i);
        } else {
          src.set([(x * 97 + y * 31) % 256, (x * 13 + y * 71) % 256, (x * y) % 256, 0], i);
        }
      }
    }
    const png = (raw: Buffer) =>
      sharp(raw, { raw: { width: w, height: h, channels: 4 } })
        .png()
        .toBuffer();
    const crop = await makeWorstCrop(await png(src), await png(out), { side: 64 });
    expect(crop.region.x + crop.region.width).toBeLessThanOrEqual(w / 2);
  });
});

describe('reportWorstCases', () => {
  const entry = (key: string, extra: Partial<WorstEntry> = {}): WorstEntry => ({
    key,
    outputKey: `out/${key}`,
    score: 12.5,
    colors: 16,
    originalBytes: 1000,
    outputBytes: 400,
    width: 451,
    height: 300,
    ...extra,
  });

  it('crops each, skips those over the limits and notes a failed fetch without throwing', async () => {
    const source = await fixture('chelsea.png');
    const output = await damaged(source);
    const files = new Map([
      ['a.png', source],
      ['out/a.png', output],
      ['c.png', source],
    ]);
    const get = async (key: string, maxBytes: number) => {
      const bytes = files.get(key);
      if (bytes === undefined) throw new Error(`NoSuchKey: ${key}`);
      if (bytes.length > maxBytes) throw new Error(`${key} is over ${maxBytes} bytes`);
      return bytes;
    };
    const images: ReportImageSource = {
      row: async (): Promise<ManifestRow> => {
        throw new Error('not used');
      },
      source: get,
      output: get,
    };
    const skipped: string[] = [];
    const worst = await reportWorstCases(
      [
        entry('a.png'),
        entry('big.png', { originalBytes: 10_000_000 }),
        entry('huge.png', { width: 10_000, height: 10_000 }),
        entry('c.png'),
      ],
      images,
      { maxBytes: 5_000_000, maxPixels: 50_000_000 },
      (key) => skipped.push(key),
    );
    expect(worst.map((w) => w.key)).toEqual(['a.png', 'big.png', 'huge.png', 'c.png']);
    expect(worst[0]?.cropDataUri?.startsWith('data:image/png;base64,')).toBe(true);
    expect(worst[0]?.note).toBeNull();
    expect(worst[0]?.region).toMatchObject({ width: 192, height: 192 });
    expect(worst[1]).toMatchObject({ cropDataUri: null, region: null });
    expect(worst[1]?.note).toBe(
      'not cropped: the source is 10000000 bytes, over the limit of 5000000 (KPRESS_MAX_BYTES)',
    );
    expect(worst[2]?.note).toBe(
      'not cropped: the image has 100000000 pixels, over the limit of 50000000 (KPRESS_MAX_PIXELS)',
    );
    expect(worst[3]?.cropDataUri).toBeNull();
    expect(worst[3]?.note).toBe('the crop could not be made: NoSuchKey: out/c.png');
    expect(skipped).toEqual(['c.png']);
  });

  it('crops nothing when the source or the output is no longer the one the row was made from', async () => {
    const source = await fixture('chelsea.png');
    const output = await damaged(source);
    // the same size, other pixels: replaced after the compress (or the output overwritten)
    const other = await sharp(source).negate().png().toBuffer();
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const files = new Map([
      ['same.png', source],
      ['out/same.png', output],
      ['replaced.png', other],
      ['out/replaced.png', output],
      ['overwritten.png', source],
      ['out/overwritten.png', other],
    ]);
    const get = async (key: string) => files.get(key) ?? Buffer.alloc(0);
    const images: ReportImageSource = {
      row: async (): Promise<ManifestRow> => {
        throw new Error('not used');
      },
      source: get,
      output: get,
    };
    const digests = { sha256: sha(source), outputSha256: sha(output) };
    const worst = await reportWorstCases(
      [
        entry('same.png', digests),
        entry('replaced.png', digests),
        entry('overwritten.png', digests),
      ],
      images,
      { maxBytes: 5_000_000, maxPixels: 50_000_000 },
    );
    expect(worst[0]?.note).toBeNull();
    expect(worst[1]?.cropDataUri).toBeNull();
    expect(worst[1]?.note).toBe(
      `the crop could not be made: the source replaced.png is not the one compressed (SHA-256 ${sha(other)}, the row says ${digests.sha256})`,
    );
    expect(worst[2]?.cropDataUri).toBeNull();
    expect(worst[2]?.note).toBe(
      `the crop could not be made: the output out/overwritten.png is not the one written (SHA-256 ${sha(other)}, the row says ${digests.outputSha256})`,
    );
  });
});
