/**
 * The finalize's state machine on real Redis, transition by transition: each
 * moves only from its own stage and round, a cancelled batch does not move,
 * a retried transition answers as the first did, and the older
 * `advanceRound` clears the stage it leaves.
 */
import { createRedis, type Redis } from '@kpress/config';
import { redisUrl, removeQueueKeys, uniqueQueueName } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchTracker } from '../batch-tracker.js';

let redis: Redis;
let tracker: BatchTracker;
const name = uniqueQueueName('kpress-fin-states');

beforeAll(() => {
  redis = createRedis(redisUrl());
  tracker = new BatchTracker(redis, name);
});
afterAll(async () => {
  await redis.quit();
  await removeQueueKeys(name);
});

/** A drained batch (listed, nothing pending) in stage waiting of round 0. */
async function drained(id: string): Promise<void> {
  await tracker.clear(id);
  await tracker.markListed(id);
}

describe('the finalize state machine', () => {
  it('waiting -> parts only when drained, at its round, not cancelled; once', async () => {
    await tracker.clear('s1');
    expect(await tracker.beginParts('s1', 0, 2)).toBe('early'); // not listed
    await tracker.markListed('s1');
    await tracker.addPending('s1', ['s1.job']);
    expect(await tracker.beginParts('s1', 0, 2)).toBe('early'); // a job pending
    await tracker.settle('s1', 's1.job');
    expect(await tracker.beginParts('s1', 1, 2)).toBe('stale');
    expect(await tracker.beginParts('s1', 0, 2)).toBe('begun');
    expect(await tracker.finalizeState('s1')).toEqual({ round: 0, stage: 'parts', partsLeft: 2 });
    // a second finalize of the round neither re-opens nor resets the parts
    expect(await tracker.settlePart('s1', 0, 0)).toBe('open');
    expect(await tracker.beginParts('s1', 0, 2)).toBe('parts');
    expect(await tracker.partsLeft('s1', 0)).toEqual([1]);
    await tracker.cancel('s1');
    await tracker.markListed('s1');
    await tracker.clear('s1');
    await tracker.markListed('s1');
    expect(await tracker.beginParts('s1', 0, 1)).toBe('cancelled');
  });

  it('parts -> assemble when the last part settles; a retried settle answers assemble again', async () => {
    await drained('s2');
    await tracker.beginParts('s2', 0, 2);
    expect(await tracker.settlePart('s2', 1, 0)).toBe('stale'); // another round
    expect(await tracker.settlePart('s2', 0, 1)).toBe('open');
    expect(await tracker.settlePart('s2', 0, 1)).toBe('open'); // retried: still one left
    expect(await tracker.settlePart('s2', 0, 0)).toBe('assemble');
    expect(await tracker.settlePart('s2', 0, 0)).toBe('assemble');
    expect(await tracker.finalizeState('s2')).toMatchObject({ stage: 'assemble', partsLeft: 0 });
    // assemble -> parts: only the parts named
    expect(await tracker.redoParts('s2', 0, [1])).toBe('parts');
    expect(await tracker.partsLeft('s2', 0)).toEqual([1]);
    expect(await tracker.redoParts('s2', 0, [0])).toBe('stale'); // not in assemble
    expect(await tracker.settlePart('s2', 0, 1)).toBe('assemble');
    // assemble -> waiting (same round) while an enqueue rerun queues the batch
    expect(await tracker.resetRound('s2', 0)).toBe('waiting');
    expect(await tracker.finalizeState('s2')).toEqual({ round: 0, stage: 'waiting', partsLeft: 0 });
    expect(await tracker.resetRound('s2', 0)).toBe('stale');
  });

  it('assemble -> requeue -> waiting of the next round, the listing flag off in between', async () => {
    await drained('s3');
    await tracker.beginParts('s3', 0, 1);
    expect(await tracker.endRequeue('s3', 0)).toBe('stale'); // not in requeue
    await tracker.settlePart('s3', 0, 0);
    expect(await tracker.beginRequeue('s3', 0)).toBe('requeue');
    expect(await tracker.listed('s3')).toBe(false);
    expect(await tracker.beginRequeue('s3', 0)).toBe('requeue'); // a retry carries on
    expect(await tracker.endGiveUp('s3', 0)).toBe('stale'); // not in assemble
    expect(await tracker.endRequeue('s3', 0)).toBe('advanced');
    expect(await tracker.finalizeState('s3')).toEqual({ round: 1, stage: 'waiting', partsLeft: 0 });
    expect(await tracker.listed('s3')).toBe(true);
    expect(await tracker.endRequeue('s3', 0)).toBe('stale'); // a retry after it: stale
    expect(await tracker.beginRequeue('s3', 0)).toBe('stale');
  });

  it('assemble -> waiting of the next round after the give-up; a cancelled batch stays', async () => {
    await drained('s4');
    await tracker.beginParts('s4', 0, 1);
    await tracker.settlePart('s4', 0, 0);
    await tracker.cancel('s4');
    expect(await tracker.beginRequeue('s4', 0)).toBe('cancelled');
    expect(await tracker.endGiveUp('s4', 0)).toBe('cancelled');
    await tracker.register({ batchId: 's4', source: 's3://a/b/', dest: 's3://c/d/' });
    expect(await tracker.endGiveUp('s4', 0)).toBe('advanced');
    expect(await tracker.finalizeState('s4')).toEqual({ round: 1, stage: 'waiting', partsLeft: 0 });
    // advanceRound moves any stage on and clears it
    await tracker.markListed('s4');
    await tracker.beginParts('s4', 1, 3);
    expect(await tracker.advanceRound('s4', 0)).toBeUndefined();
    expect(await tracker.advanceRound('s4', 1)).toBe(2);
    expect(await tracker.finalizeState('s4')).toEqual({ round: 2, stage: 'waiting', partsLeft: 0 });
    await tracker.clear('s4');
  });
});
