import { describe, expect, it } from 'vitest';
import { pngIsSmaller, qualityMet } from './verdict.js';

describe('the verdict rules', () => {
  it('keeps a PNG only when strictly smaller than the original', () => {
    expect(pngIsSmaller(999, 1000)).toBe(true);
    expect(pngIsSmaller(1000, 1000)).toBe(false);
    expect(pngIsSmaller(1001, 1000)).toBe(false);
  });

  it('meets a quality target at or above it, and says nothing without one', () => {
    expect(qualityMet(38, 38)).toBe(true);
    expect(qualityMet(37.99, 38)).toBe(false);
    expect(qualityMet(Number.POSITIVE_INFINITY, 100)).toBe(true);
    expect(qualityMet(30, undefined)).toBeUndefined();
  });
});
