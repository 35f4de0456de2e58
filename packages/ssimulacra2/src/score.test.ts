import { InvalidOptionError } from '@kpress/core';
import { describe, expect, it } from 'vitest';
import { prepareOriginal, ssimulacra2 } from './score.js';
import { REFERENCE_CASES } from './test/cases.js';
import { decodeLikeReference } from './test/pairs.js';
import { syntheticPair } from './test/synthetic.js';
import type { ScoreImage } from './types.js';

describe('alpha, depth, grey and size against the reference tool', () => {
  for (const c of REFERENCE_CASES) {
    it(`${c.name}: ${c.what}`, () => {
      const { original, distorted } = c.pair();
      expect(Math.abs(ssimulacra2(original, distorted) - c.reference)).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe('prepareOriginal', () => {
  it('gives the one-shot score for each candidate, in any order, again and again', async () => {
    const original = await decodeLikeReference('datasets/samples/chelsea.png');
    const candidates = await Promise.all(
      ['k16', 'jpeg85', 'blur1.5'].map((d) => decodeLikeReference(`pairs/chelsea.${d}.png`)),
    );
    const oneShot = candidates.map((c) => ssimulacra2(original, c));
    const prepared = prepareOriginal(original);
    for (const order of [
      [0, 1, 2],
      [2, 0, 1, 1],
    ]) {
      for (const i of order) expect(prepared.score(candidates[i])).toBe(oneShot[i]);
    }
    expect(new Set(oneShot).size).toBe(3);
  });

  it('scores an identical image 100, an RGBA copy as its RGB, a grey image as its RGB', () => {
    const { original, distorted } = syntheticPair({
      width: 64,
      height: 48,
      channels: 3,
      depth: 8,
      translucent: false,
    });
    const widen = (image: ScoreImage, channels: 1 | 3, to: 3 | 4): ScoreImage => {
      const n = image.width * image.height;
      const data = new Uint8Array(n * to).fill(255);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < 3; c++)
          data[i * to + c] = image.data[i * channels + (channels === 1 ? 0 : c)];
      }
      return { ...image, data, channels: to };
    };
    expect(ssimulacra2(original, original)).toBe(100);
    const rgb = ssimulacra2(original, distorted);
    expect(rgb).toBeLessThan(100);
    expect(ssimulacra2(widen(original, 3, 4), widen(distorted, 3, 4))).toBe(rgb);
    const grey = syntheticPair({
      width: 64,
      height: 48,
      channels: 1,
      depth: 8,
      translucent: false,
    });
    expect(ssimulacra2(grey.original, grey.distorted)).toBe(
      ssimulacra2(widen(grey.original, 1, 3), widen(grey.distorted, 1, 3)),
    );
  });
});

describe('bad input', () => {
  const image = (width: number, height: number, channels = 3): ScoreImage => ({
    data: new Uint8Array(width * height * channels),
    width,
    height,
    channels: channels as 3,
  });

  it('refuses images under 8x8, naming the side', () => {
    expect(() => ssimulacra2(image(7, 8), image(7, 8))).toThrow(InvalidOptionError);
    expect(() => ssimulacra2(image(7, 8), image(7, 8))).toThrow(
      'original.width must be an integer >= 8 (SSIMULACRA 2 needs at least 8x8 pixels), got 7',
    );
    expect(() => prepareOriginal(image(8, 8)).score(image(8, 3))).toThrow('distorted.height');
  });

  it('refuses a size mismatch, a wrong length, bad channels and a non-typed-array', () => {
    expect(() => ssimulacra2(image(8, 8), image(9, 8))).toThrow(
      'distorted must be an image of the original\'s size, 8x8, got "9x8"',
    );
    expect(() => ssimulacra2({ ...image(8, 8), data: new Uint8Array(10) }, image(8, 8))).toThrow(
      'original.data.length must be width * height * channels = 192 samples, got 10',
    );
    expect(() => ssimulacra2({ ...image(8, 8), channels: 5 as 3 }, image(8, 8))).toThrow(
      'original.channels must be 1, 2, 3 or 4, got 5',
    );
    const plain = { ...image(8, 8), data: [1, 2, 3] as unknown as Uint8Array };
    expect(() => ssimulacra2(image(8, 8), plain)).toThrow('distorted.data must be');
  });
});
