/**
 * A per-batch marker key in Redis, written by `enqueue` last, once the whole
 * listing is queued (and the finalize scheduled if nothing was left to do).
 * `enqueue`'s own Redis connection never reconnects, so an enqueue that
 * returned wrote its jobs and its marker to the same Redis; while a batch is
 * unfinished, the marker's absence then means Redis lost its
 * state (restarted without persistence, flushed, or failed over to an empty
 * replica), and with it the batch's queued jobs, its pending set and any
 * finalize job. `kpress enqueue --wait` watches it to re-enqueue the batch.
 *
 * Key: `kpress:<queue>:batch:<batch-id>:enqueued` (@kpress/queue kpressKeys),
 * beside the BatchTracker's keys; it lives MARKER_TTL_SECONDS after its last
 * refresh (the wait loop refreshes it at each look, so a batch waited on
 * never outlives it).
 */
import type { Redis } from '@kpress/config';
import { KPRESS_KEY_TTL_SECONDS, type KpressKeys, kpressKeys } from '@kpress/queue';

/** Seconds the marker lives after it was written or last refreshed: every kpress key's 7 days. */
export const MARKER_TTL_SECONDS = KPRESS_KEY_TTL_SECONDS;

export class BatchMarker {
  private readonly keys: KpressKeys;

  constructor(
    private readonly redis: Redis,
    /** The queue name (KPRESS_QUEUE), so separate deployments never share markers. */
    readonly queueName: string,
  ) {
    this.keys = kpressKeys(queueName);
  }

  /** The marker's Redis key. */
  key(batchId: string): string {
    return this.keys.batch(batchId, 'enqueued');
  }

  /** Writes the marker (after the batch's whole listing is queued). */
  async set(batchId: string): Promise<void> {
    await this.redis.set(this.key(batchId), '1', 'EX', MARKER_TTL_SECONDS);
  }

  /**
   * True when the marker exists, and then restarts its time to live; false
   * when it is gone (Redis lost the batch's state).
   */
  async refresh(batchId: string): Promise<boolean> {
    return (await this.redis.expire(this.key(batchId), MARKER_TTL_SECONDS)) === 1;
  }

  /** Removes the marker (once the batch is finished). */
  async clear(batchId: string): Promise<void> {
    await this.redis.del(this.key(batchId));
  }
}
