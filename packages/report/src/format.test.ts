import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatPercent, formatPsnr } from './format.js';
import { scaleFigures } from './scale.js';

describe('formatting', () => {
  it('writes bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 kB');
    expect(formatBytes(2_750_000_000)).toBe('2.75 GB');
    expect(formatBytes(-12_345)).toBe('-12.3 kB');
    expect(formatPercent(0.6111)).toBe('61.1%');
    expect(formatPsnr(Number.POSITIVE_INFINITY)).toBe('lossless');
    expect(formatPsnr(null)).toBe('–');
  });

  it('writes counts as toLocaleString en-US does', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(-1_234.6)).toBe('-1,235');
    const values = [0, -0, -0.4, 0.5, 999, 1000, -1000, 999_999.5, 2 ** 53 - 1, -(2 ** 53 - 1)];
    values.push(
      2 ** 53,
      1e21,
      -1e22,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    );
    for (let digits = 1; digits <= 16; digits++) {
      const top = 10 ** digits;
      values.push(top - 1, top, top + 1, -top, Math.floor(top * 0.1234567), top * 0.55 - 0.5);
    }
    for (const v of values)
      expect(formatCount(v), String(v)).toBe(Math.round(v).toLocaleString('en-US'));
  });

  it('computes the scale figures by hand', () => {
    const f = scaleFigures({
      counts: {
        total: 5,
        compressed: 3,
        keptOriginal: 1,
        failed: 1,
        sourceDeleted: 0,
        qualityMissed: 0,
      },
      bytes: { original: 4_000_000, output: 1_000_000, saved: 3_000_000 },
    });
    // 4 images: 1 MB each before, 250 kB after
    expect(f.imagesPerGbBefore).toBe(1000);
    expect(f.imagesPerGbAfter).toBe(4000);
    expect(f.gbSavedPerMillion).toBe(750);
    expect(
      scaleFigures({
        counts: {
          total: 1,
          compressed: 0,
          keptOriginal: 0,
          failed: 1,
          sourceDeleted: 0,
          qualityMissed: 0,
        },
        bytes: { original: 0, output: 0, saved: 0 },
      }).imagesPerGbBefore,
    ).toBeNull();
  });
});
