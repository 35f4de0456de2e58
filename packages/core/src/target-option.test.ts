import { describe, expect, it } from 'vitest';
import {
  describeImageOptions,
  imageOptionFlags,
  provenanceFacts,
  resolveImageOptions,
  sameImageOptions,
  storedImageOptions,
} from './image-options.js';
import { TARGET } from './option-rules.js';

describe('target (SSIMULACRA 2.1)', () => {
  it('is on at 80 by default, searching up to 256 colours', () => {
    expect(resolveImageOptions({})).toMatchObject({ target: 80, colors: 256 });
    expect(resolveImageOptions({ seed: 3, dither: true })).toMatchObject({
      target: 80,
      colors: 256,
    });
    expect(resolveImageOptions({ target: 90, colors: 64 })).toMatchObject({
      target: 90,
      colors: 64,
    });
  });

  it('is off when colors or quality is given without it: the fixed palette and the PSNR search stay', () => {
    expect(resolveImageOptions({ colors: 16 })).not.toHaveProperty('target');
    expect(resolveImageOptions({ colors: 16 }).colors).toBe(16);
    const q = resolveImageOptions({ quality: 38 });
    expect(q).not.toHaveProperty('target');
    expect(q).toMatchObject({ quality: 38, colors: 16 });
  });

  it('takes the named levels, in data and as text', () => {
    expect(TARGET.fromText('medium')).toBe(70);
    expect(TARGET.fromText('high')).toBe(80);
    expect(TARGET.fromText('visually-lossless')).toBe(90);
    expect(TARGET.fromText('72.5')).toBe(72.5);
    expect(resolveImageOptions({ target: 'high' as unknown as number }).target).toBe(80);
  });

  it('refuses a bad target, naming the option, what it takes and what it got', () => {
    const takes =
      'a SSIMULACRA 2.1 score above 0 and at most 100 with at most 2 decimals, or medium (70), high (80), visually-lossless (90)';
    expect(() => TARGET.fromText('0', '--target')).toThrow(`--target must be ${takes}, got 0`);
    expect(() => TARGET.fromText('101', '--target')).toThrow(`--target must be ${takes}, got 101`);
    expect(() => TARGET.fromText('ultra', '--target')).toThrow(
      `--target must be ${takes}, got "ultra"`,
    );
    expect(() => resolveImageOptions({ target: -5 })).toThrow(`target must be ${takes}, got -5`);
    expect(() => resolveImageOptions({ target: Number.NaN })).toThrow(/target must be .* got NaN/);
  });

  it('takes at most 2 decimals, the grid scores are recorded on, so no record shows a stored image below its target', () => {
    // a raw 81.4031 passes 81.403 but is recorded as 81.40: the target must be on the 0.01 grid
    const takes = /--target must be .* with at most 2 decimals, .* got 81\.403/;
    expect(() => TARGET.fromText('81.403', '--target')).toThrow(takes);
    expect(() => resolveImageOptions({ target: 80.004 })).toThrow(/got 80\.004/);
    expect(TARGET.fromText('79.99')).toBe(79.99);
    expect(TARGET.fromText('80.5')).toBe(80.5);
    expect(resolveImageOptions({ target: 0.01 }).target).toBe(0.01);
  });

  it('refuses a target with a PSNR quality: one search, one measure', () => {
    expect(() => resolveImageOptions({ target: 80, quality: 40 })).toThrow(
      'quality must be absent when a target is set (target 80 picks the palette by its SSIMULACRA 2.1 score, quality by PSNR: give one of them), got 40',
    );
  });

  it('is stored when on; a stored form without it (every batch before it) reads as a fixed palette', () => {
    expect(storedImageOptions({})).toEqual({ target: 80, colors: 256, seed: 1, effort: 3 });
    // batch.json and job data as written before the target existed: colors and seed always there
    const old = { colors: 16, seed: 1, effort: 3 };
    expect(resolveImageOptions(old)).not.toHaveProperty('target');
    expect(resolveImageOptions(old).colors).toBe(16);
    expect(sameImageOptions(old, {})).toBe(false);
    expect(sameImageOptions(old, { colors: 16 })).toBe(true);
    // a stored form reads back as what was stored
    const stored = storedImageOptions({ target: 90, colors: 128 });
    expect(resolveImageOptions(stored)).toMatchObject({ target: 90, colors: 128 });
    expect(sameImageOptions(stored, { target: 90, colors: 128 })).toBe(true);
  });

  it('has its flag, its words and its provenance fact', () => {
    expect(imageOptionFlags({})).toEqual(['--target 80', '--colors 256', '--seed 1', '--effort 3']);
    expect(imageOptionFlags({ colors: 16 })).toEqual(['--colors 16', '--seed 1', '--effort 3']);
    expect(describeImageOptions({ target: 70 })).toBe(
      'target 70, colors 256, seed 1, quality none, effort 3',
    );
    expect(provenanceFacts({})).toMatchObject({ target: 80, colors: 256 });
    expect(provenanceFacts({ colors: 16 })).not.toHaveProperty('target');
  });
});
