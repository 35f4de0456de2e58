import { describe, expect, it } from 'vitest';
import { compressJobOptions, parseCompressJob, parseFinalizeJob } from './job-schemas.js';

const good = {
  batchId: 'b1',
  source: 's3://src-bucket/in/',
  dest: 's3://dst-bucket/',
  key: 'in/cat.jpg',
  size: 1234,
  colors: 16,
  seed: 1,
};

describe('parseCompressJob', () => {
  it('accepts a valid job, with or without quality', () => {
    expect(parseCompressJob(good)).toEqual(good);
    expect(parseCompressJob({ ...good, quality: 80 }).quality).toBe(80);
  });
  it.each([
    ['batchId', { batchId: 'a:b' }],
    ['source', { source: 's3://src-bucket/in' }],
    ['dest', { dest: 'https://x/' }],
    ['key', { key: '' }],
    ['size', { size: -1 }],
    ['colors', { colors: 1 }],
    ['colors', { colors: 257 }],
    ['seed', { seed: 1.5 }],
    ['quality', { quality: 101 }],
  ])('names the bad field %s', (field, patch) => {
    expect(() => parseCompressJob({ ...good, ...patch })).toThrow(
      `invalid compress job: ${field}:`,
    );
  });
});

describe('the options of a compress job', () => {
  const { colors: _c, seed: _s, ...where } = good;
  const nested = { ...where, options: { colors: 32, seed: 7, effort: 5, dither: true } };

  it('reads them whole from `options`, with the defaults filled in once', () => {
    expect(parseCompressJob(nested)).toEqual(nested);
    expect(compressJobOptions(parseCompressJob(nested))).toEqual({
      colors: 32,
      seed: 7,
      effort: 5,
      stripMetadata: false,
      dither: true,
      allow8bit: false,
      imagesOnly: false,
    });
    // allow8bit travels in `options` like the others
    const deep = { ...nested, options: { ...nested.options, allow8bit: true } };
    expect(compressJobOptions(parseCompressJob(deep)).allow8bit).toBe(true);
    expect(() =>
      parseCompressJob({ ...deep, options: { ...deep.options, allow8bit: 'yes' } }),
    ).toThrow(/allow8bit/);
  });

  it('still reads an old flat job (options beside the key, no effort) as the same options', () => {
    expect(compressJobOptions(parseCompressJob({ ...good, quality: 40 }))).toEqual({
      colors: 16,
      seed: 1,
      quality: 40,
      effort: 3,
      stripMetadata: false,
      dither: false,
      allow8bit: false,
      imagesOnly: false,
    });
  });

  it('reads a job queued before the target existed as its fixed palette, and a target job with it (issue 25)', () => {
    // old flat form and old nested form: colors always there, no target
    expect(compressJobOptions(parseCompressJob(good))).not.toHaveProperty('target');
    expect(compressJobOptions(parseCompressJob(good)).colors).toBe(16);
    const oldNested = { ...nested, options: { colors: 16, seed: 1, effort: 3 } };
    expect(compressJobOptions(parseCompressJob(oldNested))).not.toHaveProperty('target');
    const targeted = { ...nested, options: { target: 80, colors: 256, seed: 1, effort: 3 } };
    expect(compressJobOptions(parseCompressJob(targeted))).toMatchObject({
      target: 80,
      colors: 256,
    });
    expect(() =>
      parseCompressJob({ ...nested, options: { ...targeted.options, target: 120 } }),
    ).toThrow(/target must be a SSIMULACRA 2\.1 score above 0 and at most 100/);
  });

  it('refuses a bad nested value by its rule, both forms at once, and no options at all', () => {
    expect(() => parseCompressJob({ ...nested, options: { colors: 300, seed: 1 } })).toThrow(
      'invalid compress job: options.colors: colors must be an integer from 2 to 256, got 300',
    );
    expect(() => parseCompressJob({ ...nested, colors: 16 })).toThrow(
      'invalid compress job: colors: the options are in `options`',
    );
    expect(() => parseCompressJob(where)).toThrow('invalid compress job: options: expected');
  });
});

describe('parseFinalizeJob', () => {
  it('accepts a valid job and refuses a missing field', () => {
    const f = { batchId: 'b1', source: good.source, dest: good.dest };
    expect(parseFinalizeJob(f)).toEqual(f);
    expect(() => parseFinalizeJob({ batchId: 'b1', source: good.source })).toThrow(
      'invalid finalize job: dest:',
    );
  });
});
