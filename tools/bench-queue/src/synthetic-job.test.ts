import { describe, expect, it } from 'vitest';
import { KEY_LENGTH, syntheticJob, syntheticJobId, syntheticKey } from './synthetic-job.js';

describe('synthetic jobs', () => {
  it('makes keys of exactly 60 characters, distinct per index', () => {
    const keys = new Set<string>();
    for (const i of [0, 1, 999, 1_000_000, 4_999_999, 9_999_999_999]) {
      const k = syntheticKey(i);
      expect(k).toHaveLength(KEY_LENGTH);
      expect(k).toMatch(/^datasets\/photos-2026\/train\/c\d{4}\/x*img_\d{10}\.jpg$/);
      keys.add(k);
    }
    expect(keys.size).toBe(6);
    expect(() => syntheticKey(-1)).toThrow(/index .* got -1/);
  });

  it('makes job ids <batch>.<24 hex>, unique over 20,000 keys, never containing ":"', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const job = syntheticJob('bdeadbeef', i);
      expect(job.opts.jobId).toMatch(/^bdeadbeef\.[0-9a-f]{24}$/);
      ids.add(job.opts.jobId);
    }
    expect(ids.size).toBe(20_000);
    expect(syntheticJobId('b1', 'a')).not.toBe(syntheticJobId('b1', 'b'));
  });

  it('carries the real job shape', () => {
    const { data } = syntheticJob('b1', 7);
    expect(Object.keys(data).sort()).toEqual(
      ['batchId', 'colors', 'dest', 'key', 'seed', 'size', 'source'].sort(),
    );
    expect(data.key.startsWith('datasets/photos-2026/')).toBe(true);
    expect(data.size).toBeGreaterThan(0);
  });
});
