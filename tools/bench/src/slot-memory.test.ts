import { describe, expect, it } from 'vitest';
import { fitLine, sizeFor } from './slot-memory.js';

describe('fitLine', () => {
  it('recovers the slope and intercept of points on a line', () => {
    const points = [1e6, 3e6, 12e6].map((pixels) => ({ pixels, bytes: 150e6 + 96 * pixels }));
    const { slope, intercept } = fitLine(points);
    expect(slope).toBeCloseTo(96, 9);
    expect(intercept).toBeCloseTo(150e6, 0);
  });

  it('is the least-squares line of scattered points', () => {
    // (0,1), (1,3), (2,2): slope 0.5, intercept 1.5
    const { slope, intercept } = fitLine([
      { pixels: 0, bytes: 1 },
      { pixels: 1, bytes: 3 },
      { pixels: 2, bytes: 2 },
    ]);
    expect([slope, intercept]).toEqual([0.5, 1.5]);
  });

  it('refuses fewer than 2 sizes', () => {
    expect(() => fitLine([{ pixels: 1, bytes: 1 }])).toThrow(RangeError);
    expect(() =>
      fitLine([
        { pixels: 5, bytes: 1 },
        { pixels: 5, bytes: 2 },
      ]),
    ).toThrow(RangeError);
  });
});

describe('sizeFor', () => {
  it('gives 3:2 even sides of about the megapixels asked', () => {
    for (const mp of [1, 3, 6, 12, 24]) {
      const { width, height } = sizeFor(mp);
      expect(width % 2, `${mp}`).toBe(0);
      expect(height % 2, `${mp}`).toBe(0);
      expect(Math.abs(width / height - 1.5)).toBeLessThan(0.01);
      expect(Math.abs((width * height) / (mp * 1e6) - 1)).toBeLessThan(0.01);
    }
    expect(sizeFor(24)).toEqual({ width: 6000, height: 4000 });
  });
});
