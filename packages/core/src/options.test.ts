import { describe, expect, it } from 'vitest';
import { quantize } from './quantize.js';
import type { PixelImage } from './types.js';

const image: PixelImage = { data: new Uint8Array(2 * 2 * 3), width: 2, height: 2, channels: 3 };

describe('validation', () => {
  it('rejects colors outside 2..256 or not an integer, naming the value', () => {
    expect(() => quantize(image, { colors: 300 })).toThrow(
      new RangeError('colors must be an integer from 2 to 256, got 300'),
    );
    expect(() => quantize(image, { colors: 1 })).toThrow(/colors must be .* got 1$/);
    expect(() => quantize(image, { colors: 2.5 })).toThrow(/colors .* got 2.5/);
    expect(() => quantize(image, { colors: '16' as unknown as number })).toThrow(/got "16"/);
  });

  it('rejects bad seed, maxIterations, tolerance and quality', () => {
    expect(() => quantize(image, { seed: -1 })).toThrow(/seed must be an integer .* got -1/);
    expect(() => quantize(image, { maxIterations: 0 })).toThrow(/maxIterations .* got 0/);
    expect(() => quantize(image, { tolerance: -0.5 })).toThrow(/tolerance .* got -0.5/);
    expect(() => quantize(image, { tolerance: Number.NaN })).toThrow(/tolerance .* got NaN/);
    expect(() => quantize(image, { quality: 0 })).toThrow(/quality .* got 0/);
    expect(() => quantize(image, { quality: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  it('rejects bad images with the field and value', () => {
    expect(() => quantize({ ...image, channels: 2 as 3 })).toThrow(
      new RangeError('image.channels must be 3 or 4, got 2'),
    );
    expect(() => quantize({ ...image, width: 0 })).toThrow(/image.width .* got 0/);
    expect(() => quantize({ ...image, height: 1.5 })).toThrow(/image.height .* got 1.5/);
    expect(() => quantize({ ...image, data: new Uint8Array(11) })).toThrow(
      /image.data length must be width\*height\*channels = 2\*2\*3 = 12, got 11/,
    );
    expect(() => quantize({ ...image, data: [1, 2, 3] as unknown as Uint8Array })).toThrow(
      new TypeError('image.data must be a Uint8Array or Uint8ClampedArray, got Array'),
    );
    expect(() => quantize(null as unknown as PixelImage)).toThrow(TypeError);
  });

  it('accepts Uint8ClampedArray data and the defaults', () => {
    const r = quantize({ ...image, data: new Uint8ClampedArray(12) });
    expect(r.colors).toBe(1);
  });
});
