import { describe, expect, it } from 'vitest';
import { ditherQuantized } from './dither.js';
import { quantize } from './quantize.js';
import type { PixelImage } from './types.js';

/** A horizontal grey ramp, 0 to 255 over the width. */
function ramp(width: number, height: number): PixelImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.round((x * 255) / (width - 1));
      data.set([v, v, v], (y * width + x) * 3);
    }
  }
  return { data, width, height, channels: 3 };
}

/** Mean absolute error of 8x8 block averages (grey channel): what the eye sees from afar. */
function blockError(image: PixelImage, palette: Uint8Array, indices: Uint8Array): number {
  let sum = 0;
  let blocks = 0;
  for (let by = 0; by + 8 <= image.height; by += 8) {
    for (let bx = 0; bx + 8 <= image.width; bx += 8) {
      let src = 0;
      let out = 0;
      for (let y = by; y < by + 8; y++) {
        for (let x = bx; x < bx + 8; x++) {
          const p = y * image.width + x;
          src += image.data[p * 3] as number;
          out += palette[(indices[p] as number) * 4] as number;
        }
      }
      sum += Math.abs(src - out) / 64;
      blocks++;
    }
  }
  return sum / blocks;
}

describe('ditherQuantized', () => {
  const image = ramp(256, 32);
  const q = quantize(image, { colors: 4, seed: 1 });

  it('keeps the palette, and gets local averages closer to the source than plain mapping', () => {
    const d = ditherQuantized(image, q);
    expect(d.palette).toEqual(q.palette);
    expect(d.colors).toBe(q.colors);
    const plain = blockError(image, q.palette, q.indices);
    const dithered = blockError(image, d.palette, d.indices);
    expect(dithered).toBeLessThan(plain / 3);
    // the per-pixel error grows (noise is the price): the PSNR says so
    expect(d.psnr).toBeLessThan(q.psnr);
    expect(d.indices).not.toEqual(q.indices);
  });

  it('is deterministic', () => {
    expect(ditherQuantized(image, q).indices).toEqual(ditherQuantized(image, q).indices);
  });

  it('changes nothing where the palette holds the colours exactly', () => {
    const flat: PixelImage = {
      data: new Uint8Array(64 * 3).fill(200),
      width: 8,
      height: 8,
      channels: 3,
    };
    const fq = quantize(flat, { colors: 2 });
    const d = ditherQuantized(flat, fq);
    expect(d.indices).toEqual(fq.indices);
    expect(d.psnr).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps fully transparent pixels on the transparent entry', () => {
    const data = new Uint8Array(16 * 16 * 4);
    for (let p = 0; p < 256; p++) {
      const v = p % 16 < 8 ? 0 : (p * 7) % 256;
      data.set(p % 16 < 8 ? [0, 0, 0, 0] : [v, 255 - v, 128, 255], p * 4);
    }
    const img: PixelImage = { data, width: 16, height: 16, channels: 4 };
    const tq = quantize(img, { colors: 4 });
    const d = ditherQuantized(img, tq);
    for (let p = 0; p < 256; p++) {
      if (p % 16 < 8) expect(d.palette[(d.indices[p] as number) * 4 + 3]).toBe(0);
      else expect(d.palette[(d.indices[p] as number) * 4 + 3]).toBe(255);
    }
  });
});
