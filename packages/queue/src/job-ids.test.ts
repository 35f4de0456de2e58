import { describe, expect, it } from 'vitest';
import { finalizeJobId, jobIdFor, newBatchId, validateBatchId } from './job-ids.js';

describe('jobIdFor', () => {
  it('is deterministic, batch-scoped, without ":" and never all digits', () => {
    const id = jobIdFor('b1', 'in/cat.jpg');
    expect(id).toMatch(/^b1\.[0-9a-f]{24}$/);
    expect(jobIdFor('b1', 'in/cat.jpg')).toBe(id);
    expect(jobIdFor('b2', 'in/cat.jpg')).not.toBe(id);
    expect(jobIdFor('b1', 'in/cat.jpg ')).not.toBe(id);
    expect(jobIdFor('123', 'x')).not.toMatch(/^\d+$/);
    expect(jobIdFor('b1', 'a:b:c')).not.toContain(':');
  });

  it('gives distinct ids to many keys', () => {
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => jobIdFor('b', `k/${i}.jpg`)));
    expect(ids.size).toBe(10_000);
  });
});

describe('finalizeJobId', () => {
  it('is fixed per batch and round and differs from any compress id', () => {
    expect(finalizeJobId('b1')).toBe('b1.finalize');
    expect(finalizeJobId('b1', 2)).toBe('b1.finalize.2');
    expect(() => finalizeJobId('b1', -1)).toThrow(
      'finalize round must be a whole number >= 0, got -1',
    );
  });
});

describe('validateBatchId', () => {
  it.each(['b', '20261126-170501-ab12cd', 'A.b_c-1', 'x'.repeat(64)])('accepts %j', (id) => {
    expect(validateBatchId(id)).toBe(id);
  });
  it.each(['', '-a', '.a', 'a:b', 'a/b', 'a b', 'x'.repeat(65), 'é'])(
    'refuses %j naming it',
    (id) => {
      expect(() => validateBatchId(id)).toThrow(`batch id ${JSON.stringify(id)} is invalid`);
    },
  );
});

describe('newBatchId', () => {
  it('is valid, sortable by time and unique', () => {
    const a = newBatchId(new Date('2026-11-26T17:05:01Z'));
    expect(a).toMatch(/^20261126-170501-[0-9a-f]{6}$/);
    expect(validateBatchId(a)).toBe(a);
    const b = newBatchId(new Date('2026-11-26T17:05:02Z'));
    expect(a < b).toBe(true);
    expect(newBatchId()).not.toBe(newBatchId());
  });
});
