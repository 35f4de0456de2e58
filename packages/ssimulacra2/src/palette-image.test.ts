// A palette image (palette + indices) scores exactly as the pixels it stands for, opaque or
// translucent, on both kernels; malformed ones are refused by name.
import { InvalidOptionError, quantize } from '@kpress/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNativeKernels } from './native.js';
import { prepareOriginal, ssimulacra2 } from './score.js';
import { decodeLikeReference } from './test/pairs.js';
import type { PaletteScoreImage, ScoreImage } from './types.js';

/** The pixels of a palette image, written out (independently of @kpress/core's remap). */
function expand(p: PaletteScoreImage): ScoreImage {
  const data = new Uint8Array(p.indices.length * p.channels);
  p.indices.forEach((j, i) => {
    for (let c = 0; c < p.channels; c++) data[i * p.channels + c] = p.palette[j * 4 + c];
  });
  return { data, width: p.width, height: p.height, channels: p.channels };
}

/** chelsea.png as RGB, or as RGBA with alpha falling from 255 to 0 across it. */
async function chelsea(alpha: boolean): Promise<ScoreImage & { channels: 3 | 4 }> {
  const rgb = await decodeLikeReference('datasets/samples/chelsea.png');
  if (!alpha) return rgb as ScoreImage & { channels: 3 };
  const { width, height } = rgb;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data.set(rgb.data.subarray(i * 3, i * 3 + 3), i * 4);
    data[i * 4 + 3] = Math.round((255 * (i % width)) / (width - 1));
  }
  return { data, width, height, channels: 4 };
}

function paletteOf(image: ScoreImage & { channels: 3 | 4 }, colors: number): PaletteScoreImage {
  const q = quantize(image as Parameters<typeof quantize>[0], { colors });
  return { ...q, width: image.width, height: image.height, channels: image.channels };
}

describe.each(['native', 'wasm'] as const)('palette images, %s kernels', (kernels) => {
  beforeAll(() => useNativeKernels(kernels === 'native'));
  afterAll(() => useNativeKernels(true));

  it('score as their pixels: opaque and translucent, 2 to 256 entries', async () => {
    for (const alpha of [false, true]) {
      const original = await chelsea(alpha);
      const prepared = prepareOriginal(original);
      for (const colors of [2, 16, 256]) {
        const p = paletteOf(original, colors);
        const expected = prepared.score(expand(p));
        expect(Object.is(prepared.score(p), expected)).toBe(true);
        expect(Object.is(ssimulacra2(original, p), expected)).toBe(true);
      }
      prepared.release();
    }
  });

  it('read alpha only with 4 channels, and count an unused translucent entry as unused', async () => {
    const original = await chelsea(false);
    const p = paletteOf(original, 16);
    const palette = new Uint8Array(p.palette.length + 4);
    palette.set(p.palette);
    palette.set([255, 0, 0, 7], p.palette.length); // translucent, no pixel uses it
    for (let j = 0; j < 3; j++) palette[j * 4 + 3] = 99; // translucent alpha bytes, RGB image
    const prepared = prepareOriginal(original);
    const rgb: PaletteScoreImage = { ...p, palette };
    expect(prepared.score(rgb)).toBe(prepared.score(expand(rgb)));
    // as RGBA: the used translucent entries count, the unused one does not change the score
    const rgba: PaletteScoreImage = { ...rgb, channels: 4 };
    expect(prepared.score(rgba)).toBe(prepared.score(expand(rgba)));
    const opaqueUsed = new Uint8Array(palette);
    for (let j = 0; j < 3; j++) opaqueUsed[j * 4 + 3] = 255;
    const unusedOnly: PaletteScoreImage = { ...rgb, palette: opaqueUsed, channels: 4 };
    expect(prepared.score(unusedOnly)).toBe(prepared.score(expand(unusedOnly)));
    prepared.release();
  });
});

describe('images with samples', () => {
  it('score by their samples, whatever palette or indices they also carry', async () => {
    const original = await chelsea(false);
    const p = paletteOf(original, 16);
    const prepared = prepareOriginal(original);
    expect(
      prepared.score({ ...original, palette: p.palette, indices: p.indices } as ScoreImage),
    ).toBe(100);
    expect(prepared.score({ ...original, indices: undefined } as ScoreImage)).toBe(100);
    // and a palette image with an empty `data` key is still one
    const withEmptyData = { ...p, data: undefined } as PaletteScoreImage;
    expect(prepared.score(withEmptyData)).toBe(prepared.score(p));
    prepared.release();
    const grey: ScoreImage = {
      data: new Uint8Array(16 * 16).map((_, i) => i % 251),
      width: 16,
      height: 16,
      channels: 1,
    };
    expect(ssimulacra2(grey, { ...grey, indices: new Uint8Array(256) } as ScoreImage)).toBe(100);
  });
});

describe('malformed palette images', () => {
  it('are refused, naming the field', async () => {
    const original = await chelsea(false);
    const p = paletteOf(original, 16);
    const prepared = prepareOriginal(original);
    const bad: [Partial<PaletteScoreImage>, RegExp, new (...args: never[]) => Error][] = [
      [{ palette: new Uint8Array(6) }, /distorted\.palette/, InvalidOptionError],
      [{ palette: new Uint8Array(0) }, /distorted\.palette/, InvalidOptionError],
      [{ palette: new Uint8Array(257 * 4) }, /distorted\.palette/, InvalidOptionError],
      [{ indices: p.indices.subarray(1) }, /distorted\.indices\.length/, InvalidOptionError],
      [{ channels: 1 as 3 }, /distorted\.channels/, InvalidOptionError],
      [{ width: 7 }, /distorted\.width/, InvalidOptionError],
      [
        { palette: p.palette.subarray(0, 8) },
        /distorted\.indices\[\d+\] is \d+, past the palette's 2 entries/,
        RangeError,
      ],
    ];
    for (const [change, message, type] of bad) {
      const image = { ...p, ...change } as PaletteScoreImage;
      expect(() => prepared.score(image)).toThrow(type);
      expect(() => prepared.score(image)).toThrow(message);
    }
    prepared.release();
  });
});
