import { describe, expect, it } from 'vitest';
import { paletteMse } from './metrics.js';
import { quantize } from './quantize.js';
import { remapToPixels } from './remap.js';
import { blobsImage, naturalImage, paletteImage, pixelDist2 } from './test/images.js';
import type { PixelImage, QuantizeResult } from './types.js';

function paletteKeys(r: QuantizeResult): string[] {
  return Array.from({ length: r.colors }, (_, j) => r.palette.subarray(j * 4, j * 4 + 4).join(','));
}

/** Every pixel's entry is at the smallest distance of any entry (exact nearest). */
function expectExactNearest(image: PixelImage, r: QuantizeResult, channels = 3): void {
  const seen = new Map<string, number>();
  for (let p = 0; p < r.indices.length; p++) {
    const o = p * image.channels;
    const key = Array.from(image.data.subarray(o, o + channels)).join(',');
    const min =
      seen.get(key) ??
      Math.min(
        ...Array.from({ length: r.colors }, (_, e) =>
          pixelDist2(image.data, o, r.palette, e, channels),
        ),
      );
    seen.set(key, min);
    expect(pixelDist2(image.data, o, r.palette, r.indices[p], channels)).toBe(min);
  }
}

const natural = naturalImage(160, 120);

describe('quantize', () => {
  it('is deterministic for a seed, and the seed matters', () => {
    const a = quantize(natural, { colors: 16, seed: 5 });
    const b = quantize(natural, { colors: 16, seed: 5 });
    expect(b.palette).toEqual(a.palette);
    expect(b.indices).toEqual(a.indices);
    expect(b.iterations).toBe(a.iterations);
    const others = [6, 7, 8].map((seed) => quantize(natural, { colors: 16, seed }).palette);
    expect(
      others.some((p) => p.length !== a.palette.length || p.some((v, i) => v !== a.palette[i])),
    ).toBe(true);
  });

  it('returns a consistent result: sizes, distinct entries, reported error', () => {
    const r = quantize(natural, { colors: 16 });
    expect(r.colors).toBe(16);
    expect(r.palette.length).toBe(64);
    expect(new Set(paletteKeys(r)).size).toBe(16);
    expect(r.hasAlpha).toBe(false);
    expect(r.indices.length).toBe(160 * 120);
    expect(Math.max(...r.indices)).toBeLessThan(16);
    for (let j = 0; j < 16; j++) expect(r.palette[j * 4 + 3]).toBe(255);
    expect(r.mse).toBeCloseTo(paletteMse(natural, r.palette, r.indices), 9);
    expect(r.psnr).toBeCloseTo(10 * Math.log10((255 * 255) / r.mse), 9);
    expect(r.psnr).toBeGreaterThan(25);
    // Opaque entries come by descending pixel count.
    const counts = new Array(16).fill(0);
    for (const i of r.indices) counts[i]++;
    for (let j = 1; j < 16; j++) expect(counts[j]).toBeLessThanOrEqual(counts[j - 1]);
  });

  it('maps every pixel to its exact nearest palette entry', () => {
    expectExactNearest(natural, quantize(natural, { colors: 16 }));
    expectExactNearest(natural, quantize(natural, { colors: 200 }));
  });

  it('converges to a Lloyd fixed point on a simple image', () => {
    const image = blobsImage(64, 64);
    const tolerance = 0.001;
    const r = quantize(image, { colors: 4, tolerance, maxIterations: 100 });
    expect(r.iterations).toBeLessThan(100);
    expect(r.colors).toBe(4);
    // Each entry is the mean of its pixels, up to rounding (0.5 per channel) and tolerance.
    const sums = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let p = 0; p < r.indices.length; p++) {
      const s = sums[r.indices[p]];
      for (let c = 0; c < 3; c++) s[c] += image.data[p * 3 + c];
      s[3]++;
    }
    for (let j = 0; j < 4; j++) {
      const [sr, sg, sb, n] = sums[j];
      const d = Math.hypot(
        sr / n - r.palette[j * 4],
        sg / n - r.palette[j * 4 + 1],
        sb / n - r.palette[j * 4 + 2],
      );
      expect(d).toBeLessThanOrEqual(Math.sqrt(3) * 0.5 + tolerance);
    }
    expectExactNearest(image, r);
  });

  it('stops at maxIterations', () => {
    const r = quantize(natural, { colors: 64, maxIterations: 2 });
    expect(r.iterations).toBe(2);
    expectExactNearest(natural, r);
  });

  it('keeps the exact colours when there are fewer than asked', () => {
    const colors = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [9, 9, 9],
      [0, 255, 0],
    ];
    const image = paletteImage(colors, 3);
    const r = quantize(image, { colors: 16 });
    expect(r.colors).toBe(4);
    expect(r.psnr).toBe(Number.POSITIVE_INFINITY);
    expect(r.mse).toBe(0);
    expect(r.iterations).toBe(0);
    expect(new Set(paletteKeys(r))).toEqual(
      new Set(['255,0,0,255', '0,255,0,255', '0,0,255,255', '9,9,9,255']),
    );
    // The most frequent colour (green, 6 pixels) comes first.
    expect(paletteKeys(r)[0]).toBe('0,255,0,255');
    expect(remapToPixels(r, 3)).toEqual(image.data);
  });

  it('handles k = 2 and k = 256', () => {
    const two = quantize(natural, { colors: 2 });
    expect(two.colors).toBe(2);
    expect(new Set(two.indices).size).toBe(2);
    const all = quantize(natural, { colors: 256 });
    expect(all.colors).toBeLessThanOrEqual(256);
    expect(all.colors).toBeGreaterThan(240);
    expect(new Set(paletteKeys(all)).size).toBe(all.colors);
    expect(all.psnr).toBeGreaterThan(two.psnr + 10);
    expect(all.mse).toBeCloseTo(paletteMse(natural, all.palette, all.indices), 9);
  });

  it('maps a 256-colour image with 256 entries exactly', () => {
    const colors = Array.from({ length: 256 }, (_, i) => [i, (i * 7) & 255, 255 - i]);
    const r = quantize(paletteImage(colors, 2), { colors: 256 });
    expect(r.colors).toBe(256);
    expect(r.psnr).toBe(Number.POSITIVE_INFINITY);
  });

  it('uses the dense histogram path on large images with the same guarantees', () => {
    const big = naturalImage(520, 512, 11); // 266240 pixels: dense 2^24 table
    const r = quantize(big, { colors: 32 });
    expect(r.colors).toBe(32);
    expect(r.mse).toBeCloseTo(paletteMse(big, r.palette, r.indices), 9);
    // Same pixels as RGBA with opaque alpha give the same answer.
    const rgba = new Uint8Array(520 * 512 * 4);
    for (let p = 0; p < 520 * 512; p++) {
      rgba.set(big.data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    const r4 = quantize({ data: rgba, width: 520, height: 512, channels: 4 }, { colors: 32 });
    expect(r4.palette).toEqual(r.palette);
    expect(r4.indices).toEqual(r.indices);
    expect(r4.hasAlpha).toBe(false);
  });
});
