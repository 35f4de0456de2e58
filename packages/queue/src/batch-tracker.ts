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
 *
 * Per queue: a HASH of the batches under way (id -> source and destination),
 * from their first enqueue until their summary is written, so that workers
 * can watch over batches nobody waits for (`BatchWatch`).
 */
import type { Redis } from '@kpress/config';

/** Seconds the per-batch keys live after their last change. Default 7 days. */
export const TRACKER_TTL_SECONDS = 7 * 24 * 3600;

/** A batch under way, as the registry holds it. */
export interface RegisteredBatch {
  batchId: string;
  /** `s3://bucket/prefix/` */
  source: string;
  /** `s3://bucket/prefix/` */
  dest: string;
  /** When enqueue registered it (ms since the epoch); absent when written by another tool. */
  since?: number;
}

export class BatchTracker {
  constructor(
    private readonly redis: Redis,
    /** The queue name (KPRESS_QUEUE), so separate deployments never share state. */
    readonly queueName: string,
  ) {}

  private key(
    batchId: string,
    part: 'pending' | 'listed' | 'round' | 'parts' | 'cancelled',
  ): string {
    return `kpress:${this.queueName}:batch:${batchId}:${part}`;
  }

  private get registryKey(): string {
    return `kpress:${this.queueName}:batches`;
  }

  /** Records a batch as under way (enqueue does, before its first job). */
  async register(batch: RegisteredBatch): Promise<void> {
    const entry = { source: batch.source, dest: batch.dest, since: Date.now() };
    await this.redis
      .multi()
      .hset(this.registryKey, batch.batchId, JSON.stringify(entry))
      .del(this.key(batch.batchId, 'cancelled'))
      .exec();
  }

  /** The registry entry of one batch, or undefined when it is not under way. */
  async registration(batchId: string): Promise<RegisteredBatch | undefined> {
    const raw = await this.redis.hget(this.registryKey, batchId);
    return raw === null ? undefined : parseEntry(batchId, raw);
  }

  /**
   * Cancels a batch: no finalize will start (the listing flag goes: the
   * workers' watch never finds it drained), and `cancelled()` says so for 7
   * days or until `register()` (a resuming enqueue). It stays in the registry,
   * so `kpress status` shows it, until the registry drops it after 7 days.
   * The caller removes its queued jobs.
   */
  async cancel(batchId: string): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(batchId, 'cancelled'), String(Date.now()), 'EX', TRACKER_TTL_SECONDS)
      .del(this.key(batchId, 'listed'))
      .exec();
  }

  /** When the batch was cancelled (ms since the epoch), or undefined. */
  async cancelled(batchId: string): Promise<number | undefined> {
    const at = await this.redis.get(this.key(batchId, 'cancelled'));
    return at === null ? undefined : Number(at);
  }

  /** The pending job ids, `count` at a time (SSCAN: a set of millions is never read at once). */
  async *pendingIds(batchId: string, count = 1000): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, ids] = await this.redis.sscan(
        this.key(batchId, 'pending'),
        cursor,
        'COUNT',
        count,
      );
      cursor = next;
      if (ids.length > 0) yield ids;
    } while (cursor !== '0');
  }

  /** Whether enqueue finished queuing the listing (the finalize may start once nothing is pending). */
  async listed(batchId: string): Promise<boolean> {
    return (await this.redis.get(this.key(batchId, 'listed'))) === '1';
  }

  /**
   * The batches under way, at most `limit` (HSCAN pages). Entries older than
   * the per-batch keys' TTL whose keys are gone are dropped on the way.
   */
  async registered(limit = 10_000): Promise<RegisteredBatch[]> {
    const out: RegisteredBatch[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.registryKey, cursor, 'COUNT', 500);
      cursor = next;
      for (let i = 0; i + 1 < flat.length && out.length < limit; i += 2) {
        const batchId = flat[i] as string;
        const entry = parseEntry(batchId, flat[i + 1] as string);
        if (entry === undefined) continue;
        const since = entry.since ?? 0;
        if (Date.now() - since > TRACKER_TTL_SECONDS * 1000 && !(await this.hasState(batchId))) {
          await this.redis.hdel(this.registryKey, batchId);
          continue;
        }
        out.push(entry);
      }
    } while (cursor !== '0' && out.length < limit);
    return out;
  }

  /** Whether any per-batch key is left. */
  private async hasState(batchId: string): Promise<boolean> {
    const parts = ['pending', 'listed', 'round', 'parts'] as const;
    return (await this.redis.exists(...parts.map((p) => this.key(batchId, p)))) > 0;
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

  /**
   * Moves the batch from round `from` to `from + 1`, only if it is at `from`
   * (compare-and-set, one Lua script): the new round, or undefined when
   * another finalize moved it first (this one is stale and must stop).
   */
  async advanceRound(batchId: string, from: number): Promise<number | undefined> {
    const r = (await this.redis.eval(
      ADVANCE_ROUND,
      1,
      this.key(batchId, 'round'),
      String(from),
      String(TRACKER_TTL_SECONDS),
    )) as number;
    return r < 0 ? undefined : r;
  }

  /** The parts of `round` are out: `n` of them, replacing any earlier round's. */
  async startParts(batchId: string, round: number, n: number): Promise<void> {
    const key = this.key(batchId, 'parts');
    await this.redis.del(key);
    for (let i = 0; i < n; i += 1000) {
      const ids = Array.from({ length: Math.min(1000, n - i) }, (_, j) => `${round}:${i + j}`);
      await this.redis
        .multi()
        .sadd(key, ...ids)
        .expire(key, TRACKER_TTL_SECONDS)
        .exec();
    }
  }

  /** Part `index` of `round` is written. True when no part of the round is left out (then the caller queues the assemble). */
  async settlePart(batchId: string, round: number, index: number): Promise<boolean> {
    const r = (await this.redis.eval(
      SETTLE_PART,
      1,
      this.key(batchId, 'parts'),
      `${round}:${index}`,
    )) as number;
    return r === 1;
  }

  /** Parts of the current finalize round still out. */
  partsPending(batchId: string): Promise<number> {
    return this.redis.scard(this.key(batchId, 'parts'));
  }

  /** Removes every key of the batch and its registry entry (after its summary is written). */
  async clear(batchId: string): Promise<void> {
    await this.redis
      .multi()
      .del(
        this.key(batchId, 'pending'),
        this.key(batchId, 'listed'),
        this.key(batchId, 'round'),
        this.key(batchId, 'parts'),
      )
      .hdel(this.registryKey, batchId)
      .exec();
  }
}

/** A registry entry, or undefined when it is not one. */
function parseEntry(batchId: string, raw: string): RegisteredBatch | undefined {
  let entry: { source?: unknown; dest?: unknown; since?: unknown };
  try {
    entry = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof entry.source !== 'string' || typeof entry.dest !== 'string') return undefined;
  return {
    batchId,
    source: entry.source,
    dest: entry.dest,
    ...(typeof entry.since === 'number' ? { since: entry.since } : {}),
  };
}

/** KEYS[1] round; ARGV[1] expected round, ARGV[2] TTL: the new round, or -1 when the round was not ARGV[1]. */
const ADVANCE_ROUND = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return -1 end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n`;

/**
 * KEYS[1] parts; ARGV[1] member: 1 when no part is left after removing it.
 * Also 1 for a retried part that was removed before (its assemble may not have
 * been queued); a second assemble of a round finds its work done.
 */
const SETTLE_PART = `
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[1]) == 0 then return 1 end
return 0`;
