import { type Config, createLogger, type Logger, loadConfig } from '@kpress/config';
import { type Summary, SummarySchema } from '@kpress/manifest';
import { BatchTracker, createQueue, FinalizeWatchdog } from '@kpress/queue';
import {
  type BatchFile,
  batchFileKeys,
  batchOptionFlags,
  keyListFlags,
  ListingFileSchema,
  parseBatchFile,
  parseS3Url,
  Storage,
  StorageError,
} from '@kpress/storage';
import { listingKey } from './batch.js';
import { BatchMarker } from './batch-marker.js';
import { activeJobs } from './batch-status.js';
import { enqueue } from './enqueue.js';
import { connectWatchedRedis } from './watched-redis.js';

/** Options of {@link waitForBatch}. */
export interface WaitOptions {
  /** Destination `s3://bucket/prefix/` of the batch. */
  dest: string;
  batchId: string;
  /** Configuration; default `loadConfig(process.env)`. */
  config?: Config;
  /** Logger for Redis outages and automatic re-enqueues; default createLogger at config.logLevel. */
  logger?: Logger;
  /** Between two looks, in ms. Default 1000. */
  pollMs?: number;
  /**
   * Times the batch is re-enqueued on its own when Redis lost its state
   * (restarted empty or flushed); one more loss fails the wait with the
   * command to rerun. Default 3; 0 fails at the first loss.
   */
  maxReenqueues?: number;
  /** Told at each look. */
  onProgress?: (p: WaitProgress) => void;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface WaitProgress {
  /** Source objects in the batch (from listing.json); undefined until known. */
  total: number | undefined;
  /** Objects with a record (total minus jobs still pending). */
  done: number;
  /** Jobs still pending. */
  pending: number;
  /** Active jobs held by a worker that stopped answering (their lock expired). */
  stalled?: number;
  /** Seconds until those are back in the queue at the latest (KPRESS_STALLED_INTERVAL_MS). */
  stalledBackInS?: number;
}

/** `kpress enqueue ...` that resumes the batch described by batch.json. */
export function rerunCommand(
  batch: Pick<BatchFile, 'batchId' | 'source' | 'dest' | 'options' | 'keyList'>,
): string {
  return [
    `kpress enqueue ${batch.source} --dest ${batch.dest} --batch ${batch.batchId}`,
    ...batchOptionFlags(batch.options),
    ...keyListFlags(batch.keyList),
    '--wait',
  ].join(' ');
}

const isNoSuchKey = (err: unknown) => err instanceof StorageError && err.code === 'NoSuchKey';
/** S3 errors the SDK's own retries did not get past (5xx, throttling, resets): look again later. */
const isTransient = (err: unknown) => err instanceof StorageError && err.retryable;

/**
 * Waits until the batch's summary.json exists (written last by the finalize,
 * after the manifests and report.html) and returns it; reports progress
 * meanwhile from the batch's pending jobs.
 *
 * Rides out Redis outages (reconnects with backoff, logging the loss and the
 * return once each). When the batch's marker key (see BatchMarker, written by
 * `enqueue` once the whole listing is queued) is gone while summary.json is not there, Redis
 * lost the batch's jobs: the batch is re-enqueued with the settings of its
 * batch.json (idempotent: sources with a record are skipped, the rest queued
 * again, the finalize scheduled), at most `maxReenqueues` times.
 */
export async function waitForBatch(options: WaitOptions): Promise<Summary> {
  const config = options.config ?? loadConfig(process.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const maxReenqueues = options.maxReenqueues ?? 3;
  if (!Number.isInteger(maxReenqueues) || maxReenqueues < 0) {
    throw new RangeError(`maxReenqueues must be an integer >= 0, got ${options.maxReenqueues}`);
  }
  const pollMs = options.pollMs ?? 1000;
  if (!Number.isFinite(pollMs) || pollMs < 0) {
    throw new RangeError(`pollMs must be a number >= 0, got ${options.pollMs}`);
  }
  const dest = parseS3Url(options.dest);
  const { batchId } = options;
  const files = batchFileKeys(dest.prefix, batchId);
  const log = logger.child({ batchId, stage: 'wait' });
  const storage = new Storage({ config });
  const watched = await connectWatchedRedis(config, logger);
  const tracker = new BatchTracker(watched.redis, config.queueName);
  const marker = new BatchMarker(watched.redis, config.queueName);
  const queue = createQueue(config);
  let watchdog: FinalizeWatchdog | undefined;
  let total: number | undefined;
  let reenqueues = 0;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        const summary = SummarySchema.parse(await storage.getJson(dest.bucket, files.summary));
        await marker.clear(batchId).catch(() => {});
        return summary;
      } catch (err) {
        if (isTransient(err)) {
          log.warn({ err: (err as Error).message }, 'S3 did not answer this time: looking again');
          await new Promise((resolve) => setTimeout(resolve, pollMs));
          continue;
        }
        if (!isNoSuchKey(err)) throw err;
      }
      if (total === undefined) {
        try {
          total = ListingFileSchema.parse(
            await storage.getJson(dest.bucket, listingKey(dest.prefix, batchId)),
          ).total;
        } catch (err) {
          if (!isNoSuchKey(err) && !isTransient(err)) throw err;
        }
      }
      let alive: boolean | undefined;
      let pending = 0;
      let cancelledAt: number | undefined;
      let stalled = 0;
      try {
        alive = await marker.refresh(batchId);
        pending = await tracker.pending(batchId);
        cancelledAt = await tracker.cancelled(batchId);
        stalled = (await activeJobs({ queue, redis: watched.redis }, batchId)).stalled;
      } catch {
        // Redis is down: the connection logs it and reconnects; look again later
      }
      if (cancelledAt !== undefined) {
        const batch = parseBatchFile(
          await storage.getJson(dest.bucket, files.batch),
          `s3://${dest.bucket}/${files.batch}`,
        );
        throw new Error(
          `batch ${batchId} was cancelled (kpress cancel, ${new Date(cancelledAt).toISOString()}); resume it with: ${rerunCommand(batch)}`,
        );
      }
      if (alive === false) {
        const batch = parseBatchFile(
          await storage.getJson(dest.bucket, files.batch),
          `s3://${dest.bucket}/${files.batch}`,
        );
        if (reenqueues >= maxReenqueues) {
          throw new Error(
            `batch ${batchId}: Redis lost the batch's queued jobs again (restarted empty or flushed) after ${reenqueues} automatic re-enqueue(s); gave up: fix Redis (persistence) and rerun: ${rerunCommand(batch)}`,
          );
        }
        reenqueues++;
        try {
          const r = await enqueue({
            source: batch.source,
            dest: batch.dest,
            batchId,
            // batch.json's options, whole: the re-enqueue makes the same outputs
            options: batch.options,
            ...(batch.keyList === undefined ? {} : { keyList: batch.keyList }),
            config,
            logger: logger.child({ reenqueue: reenqueues }),
          });
          log.warn(
            { reenqueue: reenqueues, of: maxReenqueues, enqueued: r.enqueued, skipped: r.skipped },
            `Redis lost the batch's queued jobs (restarted empty or flushed): re-enqueued it automatically (${reenqueues} of ${maxReenqueues}): ${r.enqueued} queued again, ${r.skipped} already done`,
          );
          total = r.finished ? total : r.total;
        } catch (err) {
          log.warn(
            { reenqueue: reenqueues, of: maxReenqueues, err: (err as Error).message },
            `Redis lost the batch's queued jobs: automatic re-enqueue ${reenqueues} of ${maxReenqueues} failed; trying again at the next look`,
          );
        }
      } else if (alive === true) {
        try {
          if (watchdog === undefined) {
            const batch = parseBatchFile(
              await storage.getJson(dest.bucket, files.batch),
              `s3://${dest.bucket}/${files.batch}`,
            );
            watchdog = new FinalizeWatchdog({
              queue,
              tracker,
              redis: watched.redis,
              data: { batchId, source: batch.source, dest: batch.dest },
              logger: log,
            });
          }
          await watchdog.look();
        } catch (err) {
          // Redis or S3 trouble: the next look tries again
          log.debug({ err: (err as Error).message }, 'finalize watchdog could not look');
        }
        options.onProgress?.({
          total,
          pending,
          done: total === undefined ? 0 : Math.max(0, total - pending),
          ...(stalled > 0
            ? { stalled, stalledBackInS: Math.ceil(config.stalledIntervalMs / 1000) }
            : {}),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    storage.close();
    await queue.close().catch(() => {});
    await watched.close();
  }
}
