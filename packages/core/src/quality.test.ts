import { describe, expect, it } from 'vitest';
import { quantize } from './quantize.js';
import { naturalImage, paletteImage } from './test/images.js';

const image = naturalImage(120, 90, 4);

describe('quality (target PSNR)', () => {
  it('returns the fewest colours that reach the target', () => {
    const target = 32;
    const r = quantize(image, { colors: 256, quality: target });
    expect(r.psnr).toBeGreaterThanOrEqual(target);
    expect(r.colors).toBeGreaterThan(2);
    expect(r.colors).toBeLessThan(256);
    const same = quantize(image, { colors: r.colors });
    expect(same.palette).toEqual(r.palette);
    expect(same.indices).toEqual(r.indices);
    expect(quantize(image, { colors: r.colors - 1 }).psnr).toBeLessThan(target);
  });

  it('asks for more colours as the target rises', () => {
    let previous = 0;
    for (const target of [24, 28, 32, 36]) {
      const r = quantize(image, { colors: 256, quality: target });
      expect(r.psnr).toBeGreaterThanOrEqual(target);
      expect(r.colors).toBeGreaterThanOrEqual(previous);
      previous = r.colors;
    }
    expect(previous).toBeGreaterThan(8);
  });

  it('gives `colors` entries when the target is out of reach', () => {
    const r = quantize(image, { colors: 16, quality: 80 });
    const plain = quantize(image, { colors: 16 });
    expect(r.psnr).toBeLessThan(80);
    expect(r.palette).toEqual(plain.palette);
  });

  it('finds the exact palette when only it reaches the target', () => {
    const colors = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
    ];
    const r = quantize(paletteImage(colors, 4), { colors: 64, quality: 60 });
    expect(r.colors).toBe(5);
    expect(r.psnr).toBe(Number.POSITIVE_INFINITY);
  });
});
