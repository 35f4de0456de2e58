import { describe, expect, it } from 'vitest';
import {
  describeImageOptions,
  IMAGE_OPTION_NAMES,
  imageOptionFlags,
  pickImageOptions,
  provenanceFacts,
  resolveImageOptions,
  sameImageOptions,
  storedImageOptions,
} from './image-options.js';

describe('resolveImageOptions', () => {
  it('fills in every default, in one place', () => {
    // the default is the perceptual target, whose search may use 256 colours (issue 25)
    expect(resolveImageOptions()).toEqual({
      target: 80,
      colors: 256,
      seed: 1,
      effort: 3,
      stripMetadata: false,
      dither: false,
      allow8bit: false,
      imagesOnly: false,
    });
    expect(resolveImageOptions({})).not.toHaveProperty('quality');
    expect(resolveImageOptions({ quality: 38.5, dither: true, effort: 5 })).toMatchObject({
      quality: 38.5,
      dither: true,
      effort: 5,
    });
  });

  it('refuses a bad value with its rule message, and a switch that is not a boolean', () => {
    expect(() => resolveImageOptions({ colors: 300 })).toThrow(
      'colors must be an integer from 2 to 256, got 300',
    );
    expect(() => resolveImageOptions({ effort: 0 })).toThrow(
      'effort must be an integer from 1 to 5, got 0',
    );
    expect(() => resolveImageOptions({ colors: null as unknown as number })).toThrow(/got null/);
    expect(() => resolveImageOptions({ dither: 'yes' as unknown as boolean })).toThrow(
      'dither must be true or false, got "yes"',
    );
    expect(() => resolveImageOptions(7 as unknown as object)).toThrow(TypeError);
  });
});

describe('the forms of the options', () => {
  it('stores numbers and the switches that are on (a default batch as it always was)', () => {
    // a default batch now records its target (issue 25); a fixed palette is stored as it always was
    expect(storedImageOptions({})).toEqual({ target: 80, colors: 256, seed: 1, effort: 3 });
    expect(storedImageOptions({ colors: 16 })).toEqual({ colors: 16, seed: 1, effort: 3 });
    expect(storedImageOptions({ dither: true, stripMetadata: false, quality: 40 })).toEqual({
      colors: 16,
      seed: 1,
      quality: 40,
      effort: 3,
      dither: true,
    });
  });

  it('compares with their defaults', () => {
    expect(
      sameImageOptions({ colors: 16, seed: 1 }, { colors: 16, effort: 3, dither: false }),
    ).toBe(true);
    expect(sameImageOptions({}, { effort: 5 })).toBe(false);
    expect(sameImageOptions({}, { quality: 40 })).toBe(false);
    // the default is target 80 up to 256 colours; a fixed 16 is another batch (issue 25)
    expect(sameImageOptions({}, { target: 80, colors: 256, seed: 1 })).toBe(true);
    expect(sameImageOptions({ colors: 16, seed: 1 }, { effort: 3, dither: false })).toBe(false);
  });

  it('spells the flags, the words and the provenance facts in one order', () => {
    const o = { colors: 8, quality: 40, dither: true, stripMetadata: true };
    expect(imageOptionFlags(o)).toEqual([
      '--colors 8',
      '--seed 1',
      '--quality 40',
      '--effort 3',
      '--strip-metadata',
      '--dither',
    ]);
    expect(describeImageOptions({ colors: 16 })).toBe('colors 16, seed 1, quality none, effort 3');
    expect(describeImageOptions({})).toBe('target 80, colors 256, seed 1, quality none, effort 3');
    expect(describeImageOptions(o)).toBe(
      'colors 8, seed 1, quality 40, effort 3, strip-metadata, dither',
    );
    expect(provenanceFacts(o)).toEqual({
      colors: 8,
      seed: 1,
      quality: 40,
      effort: 3,
      dither: 'floyd-steinberg',
    });
    expect(Object.keys(provenanceFacts(o))).toEqual([
      'colors',
      'seed',
      'quality',
      'effort',
      'dither',
    ]);
  });

  it('picks the options out of a larger object', () => {
    expect(pickImageOptions({ key: 'a', colors: 4, dither: undefined, seed: 2 })).toEqual({
      colors: 4,
      seed: 2,
    });
    expect(IMAGE_OPTION_NAMES).toEqual([
      'target',
      'colors',
      'seed',
      'quality',
      'effort',
      'stripMetadata',
      'dither',
      'allow8bit',
      'imagesOnly',
    ]);
  });
});

describe('allow8bit', () => {
  it('is off by default, and a batch stored without it reads as off', () => {
    expect(resolveImageOptions({ colors: 16, seed: 1 }).allow8bit).toBe(false);
    expect(storedImageOptions({ colors: 16 })).not.toHaveProperty('allow8bit');
    expect(sameImageOptions({ colors: 16, seed: 1 }, { colors: 16, allow8bit: false })).toBe(true);
  });

  it('is part of the batch identity, its flag, its words and its provenance fact', () => {
    expect(sameImageOptions({}, { allow8bit: true })).toBe(false);
    expect(storedImageOptions({ colors: 16, allow8bit: true })).toEqual({
      colors: 16,
      seed: 1,
      effort: 3,
      allow8bit: true,
    });
    expect(imageOptionFlags({ allow8bit: true })).toContain('--allow-8bit');
    expect(describeImageOptions({ colors: 16, allow8bit: true })).toBe(
      'colors 16, seed 1, quality none, effort 3, allow-8bit',
    );
    expect(provenanceFacts({ allow8bit: true })).toMatchObject({ allow8bit: 'true' });
    expect(provenanceFacts({})).not.toHaveProperty('allow8bit');
    expect(() => resolveImageOptions({ allow8bit: 1 as unknown as boolean })).toThrow(
      'allow8bit must be true or false, got 1',
    );
  });
});

describe('imagesOnly', () => {
  it('is off by default, part of the batch identity, and no fact of an output', () => {
    expect(resolveImageOptions({ colors: 16, seed: 1 }).imagesOnly).toBe(false);
    expect(storedImageOptions({})).not.toHaveProperty('imagesOnly');
    expect(sameImageOptions({}, { imagesOnly: true })).toBe(false);
    expect(storedImageOptions({ imagesOnly: true })).toMatchObject({ imagesOnly: true });
    expect(imageOptionFlags({ imagesOnly: true })).toContain('--images-only');
    // a fixed palette (--colors 16): the default is the target since issue 25
    expect(describeImageOptions({ colors: 16, imagesOnly: true })).toBe(
      'colors 16, seed 1, quality none, effort 3, images-only',
    );
    expect(describeImageOptions({ imagesOnly: true })).toBe(
      'target 80, colors 256, seed 1, quality none, effort 3, images-only',
    );
    // it decides which objects are written, never the bytes of one
    expect(provenanceFacts({ imagesOnly: true })).not.toHaveProperty('imagesOnly');
    expect(() => resolveImageOptions({ imagesOnly: 'yes' as unknown as boolean })).toThrow(
      'imagesOnly must be true or false, got "yes"',
    );
  });
});
