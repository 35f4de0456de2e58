import { describe, expect, it } from 'vitest';
import { paletteMse } from './metrics.js';
import { quantize } from './quantize.js';
import { fullPixelLloyd, kmeansppInit, textbookKmeans } from './reference.js';
import { naturalImage } from './test/images.js';

const image = naturalImage(200, 150, 21);

describe('reference helpers', () => {
  it('kmeansppInit is deterministic and gives `colors` distinct centres', () => {
    const a = kmeansppInit(image, { colors: 32, seed: 3 });
    expect(a.length).toBe(32 * 4);
    expect(kmeansppInit(image, { colors: 32, seed: 3 })).toEqual(a);
    expect(kmeansppInit(image, { colors: 32, seed: 4 })).not.toEqual(a);
    const keys = new Set(
      Array.from({ length: 32 }, (_, j) => a.subarray(j * 4, j * 4 + 4).join(',')),
    );
    expect(keys.size).toBe(32);
  });

  it('the fast path lands within 0.15 dB of full-pixel Lloyd from the same start', () => {
    for (const colors of [8, 32, 128]) {
      const fast = quantize(image, { colors });
      const full = fullPixelLloyd(image, kmeansppInit(image, { colors }), {});
      expect(full.mse).toBeCloseTo(paletteMse(image, full.palette, full.indices), 9);
      expect(Math.abs(fast.psnr - full.psnr)).toBeLessThanOrEqual(0.15);
    }
  });

  it('textbookKmeans converges over every pixel to a valid palette', () => {
    const r = textbookKmeans(image, 16, 1);
    expect(r.colors).toBeLessThanOrEqual(16);
    expect(r.colors).toBeGreaterThan(8);
    expect(r.psnr).toBeGreaterThan(20);
    expect(r.mse).toBeCloseTo(paletteMse(image, r.palette, r.indices), 9);
    expect(textbookKmeans(image, 16, 1).palette).toEqual(r.palette);
  });

  it('textbookKmeans stops at maxIterations when capped', () => {
    const full = textbookKmeans(image, 16, 1);
    expect(full.iterations).toBeGreaterThan(2);
    const capped = textbookKmeans(image, 16, 1, { maxIterations: 2 });
    expect(capped.iterations).toBe(2);
    expect(() => textbookKmeans(image, 16, 1, { maxIterations: 0 })).toThrow(
      /maxIterations.*got 0/,
    );
  });

  it('rejects centres of the wrong shape', () => {
    expect(() => fullPixelLloyd(image, new Float64Array(6))).toThrow(/multiple of 4, got 6/);
  });
});
