import { describe, expect, it } from 'vitest';
import { paletteMse } from './metrics.js';
import { quantize } from './quantize.js';
import { lcg, naturalImage, pixelDist2 } from './test/images.js';
import type { PixelImage } from './types.js';

/** The natural test image as RGBA: left third fully transparent (with stray RGB), a translucent band. */
function alphaImage(width: number, height: number): PixelImage {
  const rgb = naturalImage(width, height, 5);
  const rand = lcg(9);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      data.set(rgb.data.subarray(p * 3, p * 3 + 3), p * 4);
      let a = 255;
      if (x < width / 3) a = 0;
      else if (x < width / 2) a = Math.round(30 + 200 * (y / height) + rand() * 10);
      data[p * 4 + 3] = a;
    }
  }
  return { data, width, height, channels: 4 };
}

describe('alpha', () => {
  const image = alphaImage(120, 90);
  const r = quantize(image, { colors: 32 });

  it('stores every fully transparent pixel as one (0,0,0,0) entry, first', () => {
    expect(r.hasAlpha).toBe(true);
    expect(Array.from(r.palette.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    let zeroEntries = 0;
    for (let j = 0; j < r.colors; j++) if (r.palette[j * 4 + 3] === 0) zeroEntries++;
    expect(zeroEntries).toBe(1);
    for (let p = 0; p < r.indices.length; p++) {
      expect(r.indices[p] === 0).toBe(image.data[p * 4 + 3] === 0);
    }
  });

  it('clusters translucent pixels in RGBA, translucent entries before opaque ones', () => {
    const alphas = Array.from({ length: r.colors }, (_, j) => r.palette[j * 4 + 3]);
    const translucent = alphas.filter((a) => a > 0 && a < 255);
    expect(translucent.length).toBeGreaterThan(3);
    const firstOpaque = alphas.indexOf(255);
    expect(alphas.slice(firstOpaque).every((a) => a === 255)).toBe(true);
    expect(alphas.slice(0, firstOpaque)).toEqual(
      [...alphas.slice(0, firstOpaque)].sort((x, y) => x - y),
    );
    expect(r.colors).toBeLessThanOrEqual(32);
    expect(r.mse).toBeCloseTo(paletteMse(image, r.palette, r.indices), 9);
    // Exact nearest in RGBA among the clustered entries, for every visible pixel.
    for (let p = 0; p < r.indices.length; p++) {
      if (image.data[p * 4 + 3] === 0) continue;
      let min = Number.POSITIVE_INFINITY;
      for (let e = 1; e < r.colors; e++)
        min = Math.min(min, pixelDist2(image.data, p * 4, r.palette, e, 4));
      expect(pixelDist2(image.data, p * 4, r.palette, r.indices[p], 4)).toBe(min);
    }
  });

  it('treats a fully opaque RGBA image as RGB', () => {
    const rgb = naturalImage(50, 40, 2);
    const rgba = new Uint8Array(50 * 40 * 4).fill(255);
    for (let p = 0; p < 2000; p++) rgba.set(rgb.data.subarray(p * 3, p * 3 + 3), p * 4);
    const a = quantize(rgb, { colors: 8 });
    const b = quantize({ data: rgba, width: 50, height: 40, channels: 4 }, { colors: 8 });
    expect(b.hasAlpha).toBe(false);
    expect(b.palette).toEqual(a.palette);
    expect(b.indices).toEqual(a.indices);
    expect(b.mse).toBe(a.mse);
  });

  it('handles an all-transparent image and a two-entry budget', () => {
    const clear: PixelImage = { data: new Uint8Array(16), width: 2, height: 2, channels: 4 };
    clear.data[0] = 77; // colour of an invisible pixel does not matter
    const c = quantize(clear, { colors: 2 });
    expect(c.colors).toBe(1);
    expect(Array.from(c.palette)).toEqual([0, 0, 0, 0]);
    expect(c.psnr).toBe(Number.POSITIVE_INFINITY);
    const two = quantize(image, { colors: 2 });
    expect(two.colors).toBe(2);
    expect(two.palette[3]).toBe(0);
  });
});
