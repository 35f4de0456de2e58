import { describe, expect, it } from 'vitest';
import { mse, mseForPsnr, paletteMse, psnr, psnrFromMse, sse } from './metrics.js';

describe('mse and psnr', () => {
  it('match hand-computed values', () => {
    const a = new Uint8Array([0, 0, 0, 10, 10, 10]);
    const b = new Uint8Array([1, 2, 3, 10, 10, 14]);
    // squared errors 1 + 4 + 9 + 0 + 0 + 16 = 30 over 6 values
    expect(sse(a, b, 3)).toBe(30);
    expect(mse(a, b, 3)).toBe(5);
    expect(psnr(a, b, 3)).toBeCloseTo(10 * Math.log10((255 * 255) / 5), 12);
    expect(psnr(a, b, 3)).toBeCloseTo(41.1411, 3);
  });

  it('gives Infinity for identical buffers and round-trips mse <-> psnr', () => {
    const a = new Uint8Array([5, 6, 7]);
    expect(psnr(a, a.slice(), 3)).toBe(Number.POSITIVE_INFINITY);
    expect(psnrFromMse(0)).toBe(Number.POSITIVE_INFINITY);
    expect(mseForPsnr(psnrFromMse(3.5))).toBeCloseTo(3.5, 10);
    expect(psnrFromMse(255 * 255)).toBe(0);
  });

  it('ignores the colour of pixels transparent in both images, not their alpha', () => {
    const a = new Uint8Array([200, 10, 10, 0, 0, 0, 0, 255]);
    const b = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 250]);
    expect(mse(a, b, 4)).toBe(25 / 8);
    const c = new Uint8Array([200, 10, 10, 1, 0, 0, 0, 255]);
    expect(sse(c, b, 4)).toBe(200 * 200 + 100 + 100 + 1 + 25);
  });

  it('rejects mismatched buffers and bad channel counts', () => {
    expect(() => mse(new Uint8Array(3), new Uint8Array(6), 3)).toThrow(/same length, got 3 and 6/);
    expect(() => mse(new Uint8Array(4), new Uint8Array(4), 3)).toThrow(/multiple of channels 3/);
    expect(() => mse(new Uint8Array(4), new Uint8Array(4), 0)).toThrow(/channels .* got 0/);
    expect(() => psnrFromMse(-1)).toThrow(/mse must be .* got -1/);
  });

  it('paletteMse measures RGB for opaque images and RGBA with transparency', () => {
    const palette = new Uint8Array([10, 20, 30, 255, 0, 0, 0, 0]);
    const opaque = {
      data: new Uint8Array([12, 20, 30, 255]),
      width: 1,
      height: 1,
      channels: 4 as const,
    };
    expect(paletteMse(opaque, palette, new Uint8Array([0]))).toBe(4 / 3);
    const alpha = {
      data: new Uint8Array([12, 20, 30, 255, 99, 99, 99, 0]),
      width: 2,
      height: 1,
      channels: 4 as const,
    };
    expect(paletteMse(alpha, palette, new Uint8Array([0, 1]))).toBe(4 / 8);
  });
});
