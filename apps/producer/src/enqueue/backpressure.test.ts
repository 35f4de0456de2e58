import { describe, expect, it } from 'vitest';
import { Backpressure } from './backpressure.js';

describe('Backpressure', () => {
  it('passes at once while the chunk fits', async () => {
    const bp = new Backpressure({ maxWaiting: 10, depth: async () => 5, sleep: async () => {} });
    await bp.room(5);
    expect(bp.pauses).toBe(0);
  });

  it('waits until the queue drains enough for the chunk', async () => {
    const depths = [9, 8, 6, 5];
    const seen: number[] = [];
    const bp = new Backpressure({
      maxWaiting: 10,
      depth: async () => depths.shift() ?? 0,
      sleep: async () => {},
      onPause: (d) => seen.push(d),
    });
    await bp.room(5);
    expect(seen).toEqual([9, 8, 6]);
    expect(depths).toEqual([]);
    expect(bp.pauses).toBe(1);
  });

  it('lets an oversized chunk through once the queue is empty', async () => {
    const depths = [3, 0];
    const bp = new Backpressure({
      maxWaiting: 2,
      depth: async () => depths.shift() ?? 0,
      sleep: async () => {},
    });
    await bp.room(50);
    expect(depths).toEqual([]);
  });

  it('caps the chunk size at the limit', () => {
    const bp = new Backpressure({ maxWaiting: 300, depth: async () => 0 });
    expect(bp.chunkSize(1000)).toBe(300);
    expect(new Backpressure({ maxWaiting: 100000, depth: async () => 0 }).chunkSize(1000)).toBe(
      1000,
    );
  });

  it('refuses a bad limit naming the value', () => {
    expect(() => new Backpressure({ maxWaiting: 0, depth: async () => 0 })).toThrow(
      /maxWaiting.*0/,
    );
    expect(() => new Backpressure({ maxWaiting: 5, pollMs: -1, depth: async () => 0 })).toThrow(
      /pollMs.*-1/,
    );
  });
});
