import { compressImage, decodeFullDepth, pixelsPsnrAgainstFullDepth } from '@kpress/codec';
import { samplePath } from '@kpress/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import compressTask from './task.js';
import type { CompressTask, CompressTaskOk } from './task-types.js';

const CHELSEA = samplePath('chelsea.png');

/** A 16-bit PNG with real 16-bit levels: the sample resized at 16 bits per channel. */
async function deepPng(space: 'rgb16' | 'grey16', width = 160): Promise<Buffer> {
  const base = await sharp(CHELSEA).removeAlpha().toColourspace(space).png().toBuffer();
  return sharp(base).resize(width).toColourspace(space).png().toBuffer();
}

/** A 16-bit RGB image of 24 colours, each 100/65535 above an 8-bit level. */
async function steps16(): Promise<Buffer> {
  const w = 64;
  const h = 48;
  const g = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      g[i] = (x >> 3) * 30;
      g[i + 1] = (y >> 4) * 80;
      g[i + 2] = 100;
    }
  }
  const base = await sharp(g, { raw: { width: w, height: h, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  return sharp(base).linear(1, 100).toColourspace('rgb16').png().toBuffer();
}

async function samples(png: Uint8Array, space: 'rgb16' | 'grey16'): Promise<Uint16Array> {
  const raw = await sharp(png).toColourspace(space).raw({ depth: 'ushort' }).toBuffer();
  return new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
}

function task(source: Buffer, options: CompressTask['options'] = {}): CompressTask {
  return {
    source: new Uint8Array(
      source.buffer.slice(source.byteOffset, source.byteOffset + source.length),
    ),
    options,
    maxPixels: 1e8,
    provenance: { software: 'kpress test', facts: { source: 'x.png' } },
  };
}

describe('a source deeper than 8 bits', () => {
  for (const space of ['rgb16', 'grey16'] as const) {
    it(`${space}: re-encoded as a lossless 16-bit PNG with the same samples, never quantized`, async () => {
      const src = await deepPng(space);
      const r = (await compressTask(task(src))) as CompressTaskOk;
      expect(r).toMatchObject({ ok: true, colors: null, bitDepth: 16, width: 160, height: 106 });
      expect(r.psnr).toBe(Number.POSITIVE_INFINITY);
      expect(r.png.byteLength).toBeLessThan(src.length);
      const meta = await sharp(r.png).metadata();
      expect(meta.bitsPerSample).toBe(16);
      expect(meta.channels).toBe(space === 'rgb16' ? 3 : 1);
      expect(
        Buffer.from((await samples(r.png, space)).buffer).equals(
          Buffer.from((await samples(src, space)).buffer),
        ),
      ).toBe(true);
      // the provenance is in the PNG itself
      expect(Buffer.from(r.png).toString('latin1')).toContain('"losslessBitDepth":16');
    });
  }

  it('is reduced to an 8-bit palette only with allow8bit, its PSNR against the full depth', async () => {
    const src = await deepPng('rgb16');
    const r = (await compressTask(task(src, { colors: 16, allow8bit: true }))) as CompressTaskOk;
    expect(r).toMatchObject({ ok: true, colors: 16, bitDepth: 16 });
    expect((await sharp(r.png).metadata()).bitsPerSample).toBeLessThanOrEqual(8);
    // measured independently: the output's pixels against the full-depth source
    const out = await sharp(r.png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const reference = await decodeFullDepth(src, { view: 'srgb' });
    const expected = pixelsPsnrAgainstFullDepth(reference, {
      ...out.info,
      data: out.data,
      channels: 3,
    });
    expect(r.psnr).toBeCloseTo(expected, 6);
    // not what the 8-bit copy says
    expect(r.psnr).not.toBeCloseTo((await compressImage(src, { colors: 16 })).psnr, 3);
    expect(Buffer.from(r.png).toString('latin1')).toContain('"sourceBitDepth":16');
  });

  it('counts the loss of depth: lossless against the 8-bit copy, finite against the source', async () => {
    const src = await steps16();
    const r = (await compressTask(task(src, { colors: 32, allow8bit: true }))) as CompressTaskOk;
    expect((await compressImage(src, { colors: 32 })).psnr).toBe(Number.POSITIVE_INFINITY);
    expect(r.psnr).toBeLessThan(70);
    expect(r.psnr).toBeGreaterThan(50);
  });

  it('keeps the original with the reason when no smaller 16-bit PNG exists', async () => {
    const src = await sharp(CHELSEA).resize(2).toColourspace('rgb16').png().toBuffer();
    const r = await compressTask(task(src));
    expect(r).toMatchObject({ ok: false, keepOriginal: true, bitDepth: 16, width: 2 });
    expect(!r.ok && r.message).toMatch(/^16-bit source kept at full depth: .*not smaller/);
    expect(r.source?.byteLength).toBe(src.length);
  });

  it('records 8 for an 8-bit source, which is quantized as before', async () => {
    const src = await sharp(CHELSEA).resize(160).png().toBuffer();
    const r = (await compressTask(task(src, { colors: 16 }))) as CompressTaskOk;
    expect(r).toMatchObject({ ok: true, colors: 16, bitDepth: 8 });
  });
});
