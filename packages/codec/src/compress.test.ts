import { psnr } from '@kpress/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compressImage } from './compress.js';
import { decode } from './decode.js';
import { CodecError } from './errors.js';
import { animatedGif, orientation6Jpeg, rgbaPng, sample } from './test/fixtures.js';

/** PSNR of the written PNG against the oriented source, recomputed from the files. */
async function measuredPsnr(input: Buffer, png: Buffer, channels: 3 | 4): Promise<number> {
  const src = await decode(input);
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return psnr(src.data as Uint8Array, new Uint8Array(data), channels);
}

describe('compressImage', () => {
  for (const [name, k] of [
    ['chelsea.png', 16],
    ['coffee.jpg', 64],
    ['astronaut.png', 256],
  ] as const) {
    it(`${name} at k=${k}: palette PNG, at most k colours, reported PSNR matches the files`, async () => {
      const input = sample(name);
      const r = await compressImage(input, { colors: k, seed: 1 });
      const meta = await sharp(r.png).metadata();
      expect(meta).toMatchObject({ isPalette: true, width: r.width, height: r.height });
      expect(r.colors).toBeLessThanOrEqual(k);
      expect(r.colors).toBeGreaterThan(k / 2);
      expect(r.hasAlpha).toBe(false);
      expect(r.psnr).toBeGreaterThan(24);
      expect(Math.abs((await measuredPsnr(input, r.png, 3)) - r.psnr)).toBeLessThan(1e-6);
      expect(r.timings.quantizeMs).toBeGreaterThanOrEqual(0);
      expect(r.iterations).toBeGreaterThan(0);
    });
  }

  it('is deterministic: same input and seed give the same bytes', async () => {
    const a = await compressImage(sample('coffee.png'), { colors: 32, seed: 9 });
    const b = await compressImage(sample('coffee.png'), { colors: 32, seed: 9 });
    expect(a.png.equals(b.png)).toBe(true);
  });

  it('dithers on request: deterministic, the same palette size, PSNR measured on the dithered pixels', async () => {
    const input = sample('coffee.png');
    const plain = await compressImage(input, { colors: 8, seed: 2 });
    const a = await compressImage(input, { colors: 8, seed: 2, dither: true });
    const b = await compressImage(input, { colors: 8, seed: 2, dither: true });
    expect(a.png.equals(b.png)).toBe(true);
    expect(a.png.equals(plain.png)).toBe(false);
    expect(a.colors).toBe(plain.colors);
    expect(Math.abs((await measuredPsnr(input, a.png, 3)) - a.psnr)).toBeLessThan(1e-6);
    // error diffusion trades per-pixel error for local averages: the PSNR drops a little
    expect(a.psnr).toBeLessThan(plain.psnr);
    expect(a.psnr).toBeGreaterThan(plain.psnr - 5);
  });

  it('keeps real transparency (tRNS) and measures PSNR over RGBA', async () => {
    const input = await rgbaPng(false);
    const r = await compressImage(input, { colors: 4 });
    expect(r.hasAlpha).toBe(true);
    const { data, info } = await sharp(r.png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0);
    expect(data[64 * 4 + 3]).toBe(255);
  });

  it('reports oriented dimensions', async () => {
    const r = await compressImage(await orientation6Jpeg(), { colors: 2 });
    expect([r.width, r.height]).toEqual([20, 40]);
  });

  it('passes refusals through as CodecError', async () => {
    await expect(compressImage(await animatedGif())).rejects.toMatchObject({ code: 'MULTI_FRAME' });
    await expect(compressImage(sample('broken-truncated.jpg'))).rejects.toBeInstanceOf(CodecError);
  });

  it('rejects bad options naming them', async () => {
    const input = sample('chelsea.png');
    await expect(compressImage(input, { colors: 1 })).rejects.toThrow(/colors .*got 1/);
    await expect(compressImage(input, { colors: 257 })).rejects.toThrow(/colors .*got 257/);
    await expect(compressImage(input, { quality: -3 })).rejects.toThrow(/quality .*got -3/);
    await expect(compressImage(input, { seed: 0.5 })).rejects.toThrow(/seed .*got 0.5/);
    await expect(compressImage(input, { effort: 0 })).rejects.toThrow(/effort .*got 0/);
    await expect(compressImage(input, { maxPixels: -1 })).rejects.toThrow(/maxPixels .*got -1/);
  });

  it('effort 5 keeps the smallest encoding: on this photo 8-bit indices, same pixels', async () => {
    const input = sample('astronaut.jpg');
    const e4 = await compressImage(input, { colors: 16, effort: 4 });
    const e5 = await compressImage(input, { colors: 16, effort: 5 });
    // measured: 8-bit indices deflate 3.5% smaller than packed 4-bit ones on this photo
    expect(e4.png[24]).toBe(4);
    expect(e5.png[24]).toBe(8); // IHDR bit depth
    expect(e5.png.length).toBeLessThan(e4.png.length);
    expect(e5.psnr).toBe(e4.psnr);
    const a = await sharp(e4.png).raw().toBuffer();
    const b = await sharp(e5.png).raw().toBuffer();
    expect(a.equals(b)).toBe(true);
  });
});
