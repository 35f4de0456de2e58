import { describe, expect, it } from 'vitest';
import { parseCompressJob, parseFinalizeJob } from './job-schemas.js';

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

describe('parseFinalizeJob', () => {
  it('accepts a valid job and refuses a missing field', () => {
    const f = { batchId: 'b1', source: good.source, dest: good.dest };
    expect(parseFinalizeJob(f)).toEqual(f);
    expect(() => parseFinalizeJob({ batchId: 'b1', source: good.source })).toThrow(
      'invalid finalize job: dest:',
    );
  });
});
