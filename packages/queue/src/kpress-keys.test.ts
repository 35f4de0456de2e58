import { describe, expect, it } from 'vitest';
import { BatchTracker, TRACKER_TTL_SECONDS } from './batch-tracker.js';
import { KPRESS_KEY_TTL_SECONDS, kpressKeys } from './kpress-keys.js';

describe('kpressKeys', () => {
  it('names every kpress key under kpress:<queue>:', () => {
    const keys = kpressKeys('q1');
    expect(keys.batch('b-1', 'enqueued')).toBe('kpress:q1:batch:b-1:enqueued');
    expect(keys.batch('b-1', 'pending')).toBe('kpress:q1:batch:b-1:pending');
    expect(keys.batches).toBe('kpress:q1:batches');
  });

  it('gives the finalize scripts their KEYS in the order the scripts read them', () => {
    expect(kpressKeys('q1').finalize('b-1')).toEqual([
      'kpress:q1:batch:b-1:round',
      'kpress:q1:batch:b-1:stage',
      'kpress:q1:batch:b-1:parts',
      'kpress:q1:batch:b-1:pending',
      'kpress:q1:batch:b-1:listed',
      'kpress:q1:batch:b-1:cancelled',
    ]);
  });

  it('agrees with the keys and TTL BatchTracker still spells itself', () => {
    const tracker = new BatchTracker({} as never, 'q1');
    const own = (tracker as unknown as { key(b: string, p: string): string }).key('b-1', 'pending');
    expect(own).toBe(kpressKeys('q1').batch('b-1', 'pending'));
    expect(TRACKER_TTL_SECONDS).toBe(KPRESS_KEY_TTL_SECONDS);
  });
});
