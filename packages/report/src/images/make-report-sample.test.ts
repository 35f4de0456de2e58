import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeReportSample, type ReportSampleInput } from './make-report-sample.js';

const samples = fileURLToPath(new URL('../../../../fixtures/samples/', import.meta.url));
const fixture = (name: string) => readFile(`${samples}${name}`);

function input(key: string, extra: Partial<ReportSampleInput> = {}): ReportSampleInput {
  return {
    key,
    outputKey: `out/${key}.png`,
    status: 'compressed',
    originalBytes: 1,
    outputBytes: 1,
    psnr: 30,
    colors: 16,
    ...extra,
  };
}

async function palettePng(source: Buffer, colours: number): Promise<Buffer> {
  return sharp(source).rotate().png({ palette: true, colours, dither: 0 }).toBuffer();
}

function decodeDataUri(uri: string): Buffer {
  const comma = uri.indexOf(',');
  return Buffer.from(uri.slice(comma + 1), 'base64');
}

function triples(values: ArrayLike<number>): Set<number> {
  const set = new Set<number>();
  for (let i = 0; i < values.length; i += 3) {
    set.add(((values[i] ?? 0) << 16) | ((values[i + 1] ?? 0) << 8) | (values[i + 2] ?? 0));
  }
  return set;
}

describe('makeReportSample', () => {
  it('makes thumbnails, pixel sample and palette for a JPEG and its palette PNG', async () => {
    const source = await fixture('coffee.jpg'); // 600x400
    const output = await palettePng(source, 16);
    const s = await makeReportSample(input('coffee.jpg'), source, output);

    expect(s.previewError).toBeNull();
    expect(s.beforeDataUri).toMatch(/^data:image\/webp;base64,/);
    expect(s.afterDataUri).toMatch(/^data:image\/png;base64,/);
    const before = await sharp(decodeDataUri(s.beforeDataUri ?? '')).metadata();
    expect([before.width, before.height]).toEqual([240, 160]);

    const after = decodeDataUri(s.afterDataUri ?? '');
    const afterMeta = await sharp(after).metadata();
    expect([afterMeta.width, afterMeta.height]).toEqual([240, 160]);

    expect(s.points.length).toBe(3000 * 3);
    expect(s.palette.length % 3).toBe(0);
    const palette = triples(s.palette);
    expect(palette.size).toBeGreaterThan(1);
    expect(palette.size).toBeLessThanOrEqual(16);

    // nearest-neighbour keeps the palette: every thumbnail colour is a palette colour
    const { data } = await sharp(after).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    for (const c of triples(data)) expect(palette.has(c)).toBe(true);
  });

  it('samples real source pixels, deterministically per key', async () => {
    const source = await fixture('chelsea.png');
    const a = await makeReportSample(input('chelsea.png'), source, null, { points: 500 });
    const b = await makeReportSample(input('chelsea.png'), source, null, { points: 500 });
    const c = await makeReportSample(input('other.png'), source, null, { points: 500 });
    expect(Array.from(a.points)).toEqual(Array.from(b.points));
    expect(Array.from(a.points)).not.toEqual(Array.from(c.points));
    const { data, info } = await sharp(source)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.width).toBeLessThanOrEqual(512);
    const all = triples(data);
    for (const p of triples(a.points)) expect(all.has(p)).toBe(true);
    expect(a.afterDataUri).toBeNull();
    expect(a.palette).toEqual([]);
  });

  it('returns a sample without thumbnails for a truncated JPEG instead of throwing', async () => {
    const source = await fixture('broken-truncated.jpg');
    const s = await makeReportSample(
      input('broken-truncated.jpg', { status: 'failed', outputKey: null, outputBytes: null }),
      source,
      null,
    );
    expect(s.key).toBe('broken-truncated.jpg');
    expect(s.beforeDataUri).toBeNull();
    expect(s.points.length).toBe(0);
    expect(s.previewError).toMatch(/source thumbnail/);
  });

  it('survives bytes that are not an image at all, in source and output', async () => {
    const junk = Buffer.from('definitely not an image');
    const s = await makeReportSample(input('junk'), junk, junk);
    expect(s.beforeDataUri).toBeNull();
    expect(s.afterDataUri).toBeNull();
    expect(s.previewError).toMatch(/output thumbnail/);
  });

  it('gives no palette for a kept original with thousands of colours', async () => {
    const source = await fixture('astronaut.jpg');
    const s = await makeReportSample(
      input('astronaut.jpg', { status: 'kept-original', colors: null, psnr: null }),
      source,
      source,
      { thumbWidth: 64, points: 100 },
    );
    expect(s.palette).toEqual([]);
    expect(s.afterDataUri).toMatch(/^data:image\/png;base64,/);
    expect(s.points.length).toBe(300);
  });

  it('rejects bad options naming them', async () => {
    const source = await fixture('chelsea.png');
    await expect(makeReportSample(input('x'), source, null, { thumbWidth: 0 })).rejects.toThrow(
      /thumbWidth.*0/,
    );
    await expect(makeReportSample(input('x'), source, null, { points: -5 })).rejects.toThrow(
      RangeError,
    );
  });
});
