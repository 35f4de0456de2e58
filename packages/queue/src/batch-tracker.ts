/**
 * Which jobs of a batch are still out, kept in Redis only to know when to
 * start the finalize (S3 records stay the truth; if this state is lost,
 * rerunning `enqueue` with the same batch id rebuilds it).
 *
 * Per batch: a SET of pending job ids (added before the jobs are queued,
 * removed when a job has written its record or has given up), a `listed`
 * flag set once the whole listing is queued, and the finalize `round`.
 * A set, not a counter, so that duplicates, retries and reruns cannot make
 * it drift. Its size is bounded by the jobs waiting plus those in flight.
 */
import type { Redis } from '@kpress/config';

/** Seconds the per-batch keys live after their last change. Default 7 days. */
export const TRACKER_TTL_SECONDS = 7 * 24 * 3600;

export class BatchTracker {
  constructor(
    private readonly redis: Redis,
    /** The queue name (KPRESS_QUEUE), so separate deployments never share state. */
    readonly queueName: string,
  ) {}

  private key(batchId: string, part: 'pending' | 'listed' | 'round'): string {
    return `kpress:${this.queueName}:batch:${batchId}:${part}`;
  }

  /** Marks job ids as pending (before they are added to the queue). */
  async addPending(batchId: string, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const key = this.key(batchId, 'pending');
    await this.redis
      .multi()
      .sadd(key, ...jobIds)
      .expire(key, TRACKER_TTL_SECONDS)
      .exec();
  }

  /** Records that every source is queued (or has a record). */
  async markListed(batchId: string): Promise<void> {
    await this.redis.set(this.key(batchId, 'listed'), '1', 'EX', TRACKER_TTL_SECONDS);
  }

  /** Clears the listing flag: a listing (enqueue, or a finalize queuing missing sources) starts. */
  async unmarkListed(batchId: string): Promise<void> {
    await this.redis.del(this.key(batchId, 'listed'));
  }

  /**
   * A job is done (record written, or given up). True when this call took the
   * last pending job away after the listing ended: the caller starts the finalize.
   */
  async settle(batchId: string, jobId: string): Promise<boolean> {
    const result = await this.redis
      .multi()
      .srem(this.key(batchId, 'pending'), jobId)
      .scard(this.key(batchId, 'pending'))
      .get(this.key(batchId, 'listed'))
      .exec();
    if (result === null) return false;
    const removed = Number(result[0]?.[1] ?? 0);
    const left = Number(result[1]?.[1] ?? 0);
    const listed = result[2]?.[1] === '1';
    return removed === 1 && left === 0 && listed;
  }

  /** True when the listing ended and no job is pending. */
  async drained(batchId: string): Promise<boolean> {
    const [left, listed] = await Promise.all([
      this.redis.scard(this.key(batchId, 'pending')),
      this.redis.get(this.key(batchId, 'listed')),
    ]);
    return left === 0 && listed === '1';
  }

  /**
   * Drops pending ids whose job is over without having settled (a worker died
   * between its record and `settle`, or Redis lost the job). `areOver` gets up
   * to ~`chunk` ids at a time (one SSCAN page) and tells, in the same order,
   * which jobs are over (completed, failed or unknown; `jobsOver` does it in
   * one pipeline). Returns how many were dropped.
   */
  async prune(
    batchId: string,
    areOver: (jobIds: readonly string[]) => Promise<readonly boolean[]>,
    /** Ids asked for per SSCAN call (Redis may return a few more or fewer). Default 1000. */
    chunk = 1000,
  ): Promise<number> {
    if (!Number.isInteger(chunk) || chunk < 1) {
      throw new RangeError(`chunk must be a positive integer, got ${chunk}`);
    }
    const key = this.key(batchId, 'pending');
    let cursor = '0';
    let dropped = 0;
    do {
      const [next, ids] = await this.redis.sscan(key, cursor, 'COUNT', chunk);
      cursor = next;
      if (ids.length === 0) continue;
      const over = await areOver(ids);
      if (over.length !== ids.length) {
        throw new Error(`prune: areOver answered ${over.length} values for ${ids.length} ids`);
      }
      const gone = ids.filter((_, i) => over[i]);
      if (gone.length > 0) dropped += await this.redis.srem(key, ...gone);
    } while (cursor !== '0');
    return dropped;
  }

  /** Jobs of the batch still pending. */
  pending(batchId: string): Promise<number> {
    return this.redis.scard(this.key(batchId, 'pending'));
  }

  /** The current finalize round (0 until a finalize queues missing sources). */
  async round(batchId: string): Promise<number> {
    return Number((await this.redis.get(this.key(batchId, 'round'))) ?? 0);
  }

  /** Moves to the next finalize round and returns it. */
  async nextRound(batchId: string): Promise<number> {
    const key = this.key(batchId, 'round');
    const [[, round] = []] =
      (await this.redis.multi().incr(key).expire(key, TRACKER_TTL_SECONDS).exec()) ?? [];
    return Number(round);
  }

  /** Removes every key of the batch (after its summary is written). */
  async clear(batchId: string): Promise<void> {
    await this.redis.del(
      this.key(batchId, 'pending'),
      this.key(batchId, 'listed'),
      this.key(batchId, 'round'),
    );
  }
}
