import type { Config, Redis } from '@kpress/config';
import { SummarySchema } from '@kpress/manifest';
import {
  assembleJobId,
  type BatchTracker,
  finalizeJobId,
  type KpressQueue,
  type RegisteredBatch,
} from '@kpress/queue';
import { batchFileKeys, ListingFileSchema, parseS3Url, type Storage } from '@kpress/storage';

/** Where a batch stands. */
export type BatchState =
  /** enqueue is still listing and queuing the sources */
  | 'listing'
  /** every source is queued; jobs are pending */
  | 'running'
  /** no job is pending; the finalize writes the manifest, summary and report */
  | 'finalizing'
  /** summary.json is written */
  | 'finished'
  /** `kpress cancel` stopped it; `enqueue` with the same arguments resumes it */
  | 'cancelled';

/** One look at a batch: the numbers `kpress status` shows. */
export interface BatchStatus {
  batchId: string;
  source: string;
  dest: string;
  state: BatchState;
  /** When enqueue registered it (ISO 8601), when known. */
  since?: string;
  /** Sources in the batch (listing.json), once the listing is written. */
  listed?: number;
  /** Sources with a record: listed minus pending, once listed is known. */
  done?: number;
  /** Jobs waiting for a worker (pending minus active). */
  queued: number;
  /** Jobs a worker holds now. */
  active: number;
  /** Active jobs whose worker stopped renewing the lock: they go back to the queue at the next stall check. */
  stalled: number;
  /** Seconds until the stalled jobs are back in the queue at the latest (the stall check interval). */
  stalledBackInS?: number;
  /** Jobs of this batch in the queue's failed set (its newest 10,000 entries): bad inputs, or retries used up. */
  failed: number;
  /** Records per second since the batch was registered. */
  ratePerS?: number;
  /** Seconds to the last record at that rate. */
  etaS?: number;
  /** Workers connected to the queue (all batches share them). */
  workers: number;
  /** The finalize: 'waits for the last job', 'queued', 'running', 'parts <left> left', 'done'. */
  finalize: string;
  /** When the batch was cancelled (ISO 8601). */
  cancelledAt?: string;
}

/** What {@link batchStatus} reads. */
export interface StatusContext {
  storage: Storage;
  queue: KpressQueue;
  tracker: BatchTracker;
  redis: Redis;
  config: Pick<Config, 'stalledIntervalMs'>;
  /** The clock (ms); default Date.now. */
  now?: () => number;
}

/** How many of the failed set's newest entries are looked at for a batch's jobs. */
const FAILED_SCAN = 10_000;

/** One look at a batch: Redis for the jobs, S3 for the listing and the summary. */
export async function batchStatus(
  batch: RegisteredBatch,
  ctx: StatusContext,
): Promise<BatchStatus> {
  const now = (ctx.now ?? Date.now)();
  const { batchId } = batch;
  const dest = parseS3Url(batch.dest);
  const files = batchFileKeys(dest.prefix, batchId);
  const [summaryRaw, listingRaw, pending, listedFlag, cancelledAt, active, failed, workers] =
    await Promise.all([
      ctx.storage.getJsonIfExists(dest.bucket, files.summary),
      ctx.storage.getJsonIfExists(dest.bucket, files.listing),
      ctx.tracker.pending(batchId),
      ctx.tracker.listed(batchId),
      ctx.tracker.cancelled(batchId),
      activeJobs(ctx, batchId),
      failedJobs(ctx.queue, batchId),
      ctx.queue.getWorkersCount(),
    ]);
  const listed = listingRaw === undefined ? undefined : ListingFileSchema.parse(listingRaw).total;
  const summary = summaryRaw === undefined ? undefined : SummarySchema.parse(summaryRaw);
  const done =
    summary !== undefined
      ? summary.counts.total
      : listed === undefined
        ? undefined
        : Math.max(0, listed - pending);
  const state: BatchState =
    summary !== undefined
      ? 'finished'
      : cancelledAt !== undefined
        ? 'cancelled'
        : !listedFlag
          ? 'listing'
          : pending > 0
            ? 'running'
            : 'finalizing';
  const status: BatchStatus = {
    batchId,
    source: batch.source,
    dest: batch.dest,
    state,
    // a cancelled batch's pending jobs have left the queue: they wait for the resuming enqueue
    queued: summary === undefined && state !== 'cancelled' ? Math.max(0, pending - active.held) : 0,
    active: active.held,
    stalled: active.stalled,
    failed,
    workers,
    finalize: summary !== undefined ? 'done' : await finalizeState(ctx, batchId, pending),
  };
  if (batch.since !== undefined) status.since = new Date(batch.since).toISOString();
  if (listed !== undefined) status.listed = listed;
  if (done !== undefined) status.done = done;
  if (active.stalled > 0) status.stalledBackInS = Math.ceil(ctx.config.stalledIntervalMs / 1000);
  if (cancelledAt !== undefined) status.cancelledAt = new Date(cancelledAt).toISOString();
  if (batch.since !== undefined && done !== undefined && summary === undefined) {
    const rate = done / Math.max((now - batch.since) / 1000, 0.001);
    status.ratePerS = Math.round(rate * 10) / 10;
    if (rate > 0 && listed !== undefined) status.etaS = Math.ceil((listed - done) / rate);
  }
  return status;
}

/** The batch's active compress jobs, and how many of them no live worker holds (their lock expired). */
export async function activeJobs(
  ctx: Pick<StatusContext, 'queue' | 'redis'>,
  batchId: string,
): Promise<{ held: number; stalled: number }> {
  const ids: string[] = [];
  for (let start = 0; ; start += 1000) {
    const page = await ctx.queue.getRanges(['active'], start, start + 999, true);
    ids.push(...page.filter((id) => id.startsWith(`${batchId}.`)));
    if (page.length < 1000) break;
  }
  // the finalize's own steps are shown by finalizeState
  const compress = ids.filter((id) => !/\.(finalize|fpart|assemble)(\.|$)/.test(id));
  if (compress.length === 0) return { held: 0, stalled: 0 };
  // EXISTS counts the locks still there: the rest lost their worker
  const locks = await ctx.redis.exists(...compress.map((id) => `${ctx.queue.toKey(id)}:lock`));
  return { held: compress.length, stalled: Math.max(0, compress.length - locks) };
}

/** Failed jobs of the batch among the failed set's newest entries. */
async function failedJobs(queue: KpressQueue, batchId: string): Promise<number> {
  const ids = await queue.getRanges(['failed'], 0, FAILED_SCAN - 1, false);
  return ids.filter((id) => id.startsWith(`${batchId}.`)).length;
}

async function finalizeState(
  ctx: StatusContext,
  batchId: string,
  pending: number,
): Promise<string> {
  const round = await ctx.tracker.round(batchId);
  const [fin, assemble, partsLeft] = await Promise.all([
    ctx.queue.getJobState(finalizeJobId(batchId, round)),
    ctx.queue.getJobState(assembleJobId(batchId, round)),
    ctx.tracker.partsPending(batchId),
  ]);
  if (assemble === 'active') return 'assembling the manifest';
  if (assemble === 'waiting' || assemble === 'delayed') return 'assemble queued';
  if (partsLeft > 0) return `parts: ${partsLeft} left`;
  if (fin === 'active') return 'running';
  if (fin === 'waiting' || fin === 'delayed' || fin === 'prioritized') return 'queued';
  return pending > 0 ? 'waits for the last job' : 'not queued yet';
}
