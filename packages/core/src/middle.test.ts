import { describe, expect, it } from 'vitest';
import { coarsePoints } from './coarse.js';
import { buildHistogram, releaseHistogram } from './hist.js';
import { MIDDLE_MIN_COLORS, quantize } from './quantize.js';
import { fullPixelLloyd, kmeansppInit } from './reference.js';
import { lcg, naturalImage } from './test/images.js';
import type { PixelImage } from './types.js';

/** A natural image with per-channel noise: enough distinct colours for the middle stage. */
function noisyImage(width: number, height: number): PixelImage {
  const image = naturalImage(width, height, 5);
  const next = lcg(11);
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i] + Math.floor(next() * 49) - 24;
    data[i] = Math.min(255, Math.max(0, v));
  }
  return { ...image, data };
}

describe('middle stage (6-bit cells between the coarse and exact stages)', () => {
  const image = noisyImage(640, 480);

  it('6-bit cells are the weighted means of the colours in each 4x4x4 cell', () => {
    const hist = buildHistogram(image);
    expect(hist.size).toBeGreaterThanOrEqual(MIDDLE_MIN_COLORS);
    const expected = new Map<number, number[]>();
    for (let i = 0; i < hist.size; i++) {
      const [r, g, b] = hist.colors.subarray(i * 4, i * 4 + 3);
      const key = ((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2);
      const e = expected.get(key) ?? [0, 0, 0, 0];
      const w = hist.counts[i];
      e[0] += w;
      e[1] += w * r;
      e[2] += w * g;
      e[3] += w * b;
      expected.set(key, e);
    }
    const cells = coarsePoints(hist, 6);
    expect(cells.n).toBe(expected.size);
    expect(cells.n).toBeGreaterThan(coarsePoints(hist, 5).n);
    for (let c = 0; c < cells.n; c++) {
      const [r, g, b] = Array.from(cells.points.subarray(c * 4, c * 4 + 3), Math.floor);
      const e = expected.get(((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2));
      expect(e).toBeDefined();
      if (e === undefined) continue;
      expect(cells.weights[c]).toBe(e[0]);
      expect(cells.points[c * 4]).toBeCloseTo(e[1] / e[0], 9);
      expect(cells.points[c * 4 + 2]).toBeCloseTo(e[3] / e[0], 9);
    }
    releaseHistogram(hist);
  });

  it('is deterministic and as good as full-pixel Lloyd from the same start', () => {
    const a = quantize(image, { colors: 16 });
    const b = quantize(image, { colors: 16 });
    expect(a.palette).toEqual(b.palette);
    expect(a.indices).toEqual(b.indices);
    const ref = fullPixelLloyd(image, kmeansppInit(image, { colors: 16 }), { tolerance: 0.05 });
    expect(a.psnr).toBeGreaterThan(ref.psnr - 0.05);
  });
});
