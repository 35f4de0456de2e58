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
import {
  type BatchKeyPart,
  KPRESS_KEY_TTL_SECONDS,
  type KpressKeys,
  kpressKeys,
} from './kpress-keys.js';
import {
  ADVANCE_ROUND,
  BEGIN_LISTING,
  BEGIN_PARTS,
  BEGIN_REQUEUE,
  CLEAR_DONE,
  END_GIVE_UP,
  END_REQUEUE,
  FINISH,
  PARTS_EMPTY,
  READ_STATE,
  REDO_PARTS,
  RESET_ROUND,
  SETTLE_PART,
} from './finalize/transitions.js';

/** A stage of a finalize round (see finalize/transitions.ts). */
export type FinalizeStage = 'waiting' | 'parts' | 'assemble' | 'requeue' | 'done';

/** A batch's finalize state. */
export interface FinalizeState {
  round: number;
  stage: FinalizeStage;
  /** Parts of the round not yet written (stage parts). */
  partsLeft: number;
}

/** Seconds the per-batch keys live after their last change. Default 7 days. */
export const TRACKER_TTL_SECONDS = KPRESS_KEY_TTL_SECONDS;

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
  private readonly keys: KpressKeys;

  constructor(
    private readonly redis: Redis,
    /** The queue name (KPRESS_QUEUE), so separate deployments never share state. */
    readonly queueName: string,
  ) {
    this.keys = kpressKeys(queueName);
  }

  private key(batchId: string, part: BatchKeyPart): string {
    return this.keys.batch(batchId, part);
  }

  private get registryKey(): string {
    return this.keys.batches;
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
    const parts = ['pending', 'listed', 'round', 'parts', 'stage'] as const;
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

  /**
   * An enqueue (rerun) starts listing: clears the listing flag and takes a
   * round in stage assemble back to waiting (one compare-and-set,
   * BEGIN_LISTING). 'finishing' when the round is in stage done: the batch
   * is being finished and the caller must add nothing.
   */
  async unmarkListed(batchId: string): Promise<'listing' | 'finishing'> {
    return (await this.transition(BEGIN_LISTING, batchId, [0])) as 'listing';
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
   * (compare-and-set, one Lua script), whatever its stage: the new round, or
   * undefined when another finalize moved it first (this one is stale).
   */
  async advanceRound(batchId: string, from: number): Promise<number | undefined> {
    const r = Number(await this.transition(ADVANCE_ROUND, batchId, [from]));
    return r < 0 ? undefined : r;
  }

  /** The batch's finalize state, read in one step (see finalize/transitions.ts). */
  async finalizeState(batchId: string): Promise<FinalizeState> {
    const [round, stage, parts] = (await this.transition(READ_STATE, batchId, [0])) as [
      number,
      string,
      number,
    ];
    const name = stage === '' ? 'waiting' : (stage as FinalizeStage);
    return { round: Number(round), stage: name, partsLeft: Number(parts) };
  }

  /**
   * waiting -> parts: round `round`'s `n` parts are out, if the batch is
   * drained, not cancelled and at `round`. 'begun', or why not ('early',
   * 'stale', 'cancelled', or the stage the round is already in).
   */
  async beginParts(
    batchId: string,
    round: number,
    n: number,
  ): Promise<'begun' | 'early' | 'stale' | 'cancelled' | FinalizeStage> {
    return (await this.transition(BEGIN_PARTS, batchId, [round, n])) as 'begun';
  }

  /** The indexes of round `round`'s parts not yet written (empty unless the round is in stage parts). */
  async partsLeft(batchId: string, round: number): Promise<number[]> {
    const state = await this.finalizeState(batchId);
    if (state.round !== round || state.stage !== 'parts') return [];
    const members = await this.redis.smembers(this.key(batchId, 'parts'));
    return members
      .filter((m) => m.startsWith(`${round}:`))
      .map((m) => Number(m.slice(`${round}:`.length)))
      .sort((a, b) => a - b);
  }

  /**
   * Part `index` of `round` is written: 'assemble' when no part is left (also
   * for a retry after the last one: the caller queues the assemble), 'open'
   * when parts are left, 'stale' when the round is not in stage parts.
   */
  async settlePart(
    batchId: string,
    round: number,
    index: number,
  ): Promise<'assemble' | 'open' | 'stale'> {
    return (await this.transition(SETTLE_PART, batchId, [round, index])) as 'open';
  }

  /** assemble -> parts: these parts are written again. 'parts' or 'stale'. */
  async redoParts(batchId: string, round: number, indexes: readonly number[]): Promise<string> {
    return (await this.transition(REDO_PARTS, batchId, [round, ...indexes])) as string;
  }

  /** parts or assemble -> waiting (same round): the batch is being queued again. 'waiting' or 'stale'. */
  async resetRound(batchId: string, round: number): Promise<string> {
    return (await this.transition(RESET_ROUND, batchId, [round])) as string;
  }

  /** assemble -> done while the batch is drained: 'done', 'not-drained', 'stale' or 'cancelled'. */
  async finish(batchId: string, round: number): Promise<string> {
    return (await this.transition(FINISH, batchId, [round])) as string;
  }

  /** parts -> assemble when no part is left in the set: 'assemble', 'open' or 'stale'. */
  async partsEmpty(batchId: string, round: number): Promise<string> {
    return (await this.transition(PARTS_EMPTY, batchId, [round])) as string;
  }

  /** Clears the batch's keys and registry entry only if `round` is in stage done: 'cleared' or 'kept'. */
  async clearDone(batchId: string, round: number): Promise<'cleared' | 'kept'> {
    return (await this.redis.eval(
      CLEAR_DONE,
      ...withCount([...this.keys.finalize(batchId), this.registryKey]),
      String(round),
      String(TRACKER_TTL_SECONDS),
      batchId,
    )) as 'cleared';
  }

  /** assemble -> requeue (listing flag off). 'requeue', 'stale' or 'cancelled'. */
  async beginRequeue(batchId: string, round: number): Promise<string> {
    return (await this.transition(BEGIN_REQUEUE, batchId, [round])) as string;
  }

  /** requeue -> waiting of round + 1 (listing flag on). 'advanced', 'stale' or 'cancelled'. */
  async endRequeue(batchId: string, round: number): Promise<string> {
    return (await this.transition(END_REQUEUE, batchId, [round])) as string;
  }

  /** assemble -> waiting of round + 1, after the give-up. 'advanced', 'stale' or 'cancelled'. */
  async endGiveUp(batchId: string, round: number): Promise<string> {
    return (await this.transition(END_GIVE_UP, batchId, [round])) as string;
  }

  /** Runs one transition script over the batch's finalize keys; ARGV is round, TTL, then `rest`. */
  private transition(script: string, batchId: string, args: readonly number[]): Promise<unknown> {
    const [first, ...rest] = args;
    return this.redis.eval(
      script,
      ...withCount(this.keys.finalize(batchId)),
      String(first),
      String(TRACKER_TTL_SECONDS),
      ...rest.map(String),
    );
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
        this.key(batchId, 'stage'),
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

/** An EVAL's `numkeys, ...keys`. */
function withCount(keys: readonly string[]): [number, ...string[]] {
  return [keys.length, ...keys];
}
