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
  type S3Location,
  Storage,
  StorageError,
} from '@kpress/storage';
import { listingKey } from '../enqueue/batch-files.js';
import { BatchMarker } from './batch-marker.js';
import { activeJobs } from '../ops/batch-status.js';
import { enqueue } from '../enqueue/enqueue.js';
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
  const limits = waitLimits(options);
  // a bad URL is refused before anything is connected
  const dest = parseS3Url(options.dest);
  const wait = new BatchWait(
    options,
    dest,
    config,
    logger,
    limits,
    await connectWatchedRedis(config, logger),
  );
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const summary = await wait.summary();
      if (summary !== undefined) return summary;
      if (!wait.lastLookFailed) await wait.look();
      // after a transient S3 error, only the summary is looked at again
      await new Promise((resolve) => setTimeout(resolve, limits.pollMs));
    }
  } finally {
    await wait.close();
  }
}

/** The checked `maxReenqueues` and `pollMs` of the options. */
function waitLimits(options: WaitOptions): { maxReenqueues: number; pollMs: number } {
  const maxReenqueues = options.maxReenqueues ?? 3;
  if (!Number.isInteger(maxReenqueues) || maxReenqueues < 0) {
    throw new RangeError(`maxReenqueues must be an integer >= 0, got ${options.maxReenqueues}`);
  }
  const pollMs = options.pollMs ?? 1000;
  if (!Number.isFinite(pollMs) || pollMs < 0) {
    throw new RangeError(`pollMs must be a number >= 0, got ${options.pollMs}`);
  }
  return { maxReenqueues, pollMs };
}

/** What Redis says of the batch at one look (undefined alive: Redis did not answer). */
interface RedisLook {
  alive: boolean | undefined;
  pending: number;
  cancelledAt: number | undefined;
  stalled: number;
}

/** One wait for one batch: its clients and what it has learnt so far; each step a method. */
class BatchWait {
  private readonly files: ReturnType<typeof batchFileKeys>;
  private readonly log: Logger;
  private readonly storage: Storage;
  private readonly tracker: BatchTracker;
  private readonly marker: BatchMarker;
  private readonly queue: ReturnType<typeof createQueue>;
  private watchdog: FinalizeWatchdog | undefined;
  private total: number | undefined;
  private reenqueues = 0;
  /** True when the last summary look hit a transient S3 error (look at nothing else this round). */
  lastLookFailed = false;

  constructor(
    private readonly options: WaitOptions,
    private readonly dest: S3Location,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly limits: { maxReenqueues: number; pollMs: number },
    private readonly watched: Awaited<ReturnType<typeof connectWatchedRedis>>,
  ) {
    this.files = batchFileKeys(this.dest.prefix, options.batchId);
    this.log = logger.child({ batchId: options.batchId, stage: 'wait' });
    this.storage = new Storage({ config });
    this.tracker = new BatchTracker(watched.redis, config.queueName);
    this.marker = new BatchMarker(watched.redis, config.queueName);
    this.queue = createQueue(config);
  }

  /** summary.json once it exists (clearing the batch's marker), else undefined. */
  async summary(): Promise<Summary | undefined> {
    this.lastLookFailed = false;
    try {
      const json = await this.storage.getJsonIfExists(this.dest.bucket, this.files.summary);
      if (json === undefined) return undefined;
      const summary = SummarySchema.parse(json);
      await this.marker.clear(this.options.batchId).catch(() => {});
      return summary;
    } catch (err) {
      if (isTransient(err)) {
        this.log.warn(
          { err: (err as Error).message },
          'S3 did not answer this time: looking again',
        );
        this.lastLookFailed = true;
        return undefined;
      }
      throw err;
    }
  }

  /** One look while the batch is unfinished: its total, Redis's view, then cancel, loss or progress. */
  async look(): Promise<void> {
    await this.readTotal();
    const redis = await this.lookAtRedis();
    if (redis.cancelledAt !== undefined) throw await this.cancelled(redis.cancelledAt);
    if (redis.alive === false) await this.reenqueueLost();
    else if (redis.alive === true) {
      await this.watchFinalize();
      const { total } = this;
      this.options.onProgress?.({
        total,
        pending: redis.pending,
        done: total === undefined ? 0 : Math.max(0, total - redis.pending),
        ...(redis.stalled > 0
          ? {
              stalled: redis.stalled,
              stalledBackInS: Math.ceil(this.config.stalledIntervalMs / 1000),
            }
          : {}),
      });
    }
  }

  /** The listing's total, from listing.json, once it exists. */
  private async readTotal(): Promise<void> {
    if (this.total !== undefined) return;
    try {
      const json = await this.storage.getJsonIfExists(
        this.dest.bucket,
        listingKey(this.dest.prefix, this.options.batchId),
      );
      if (json !== undefined) this.total = ListingFileSchema.parse(json).total;
    } catch (err) {
      if (!isTransient(err)) throw err;
    }
  }

  private async lookAtRedis(): Promise<RedisLook> {
    const { batchId } = this.options;
    const look: RedisLook = { alive: undefined, pending: 0, cancelledAt: undefined, stalled: 0 };
    try {
      look.alive = await this.marker.refresh(batchId);
      look.pending = await this.tracker.pending(batchId);
      look.cancelledAt = await this.tracker.cancelled(batchId);
      look.stalled = (
        await activeJobs({ queue: this.queue, redis: this.watched.redis }, batchId)
      ).stalled;
    } catch {
      // Redis is down: the connection logs it and reconnects; look again later
    }
    return look;
  }

  private batchFile(): Promise<BatchFile> {
    return this.storage
      .getJson(this.dest.bucket, this.files.batch)
      .then((raw) => parseBatchFile(raw, `s3://${this.dest.bucket}/${this.files.batch}`));
  }

  /** The error that ends the wait of a cancelled batch, with the command that resumes it. */
  private async cancelled(at: number): Promise<Error> {
    const batch = await this.batchFile();
    return new Error(
      `batch ${this.options.batchId} was cancelled (kpress cancel, ${new Date(at).toISOString()}); resume it with: ${rerunCommand(batch)}`,
    );
  }

  /** Redis lost the batch's jobs: enqueue it again with batch.json's settings, up to maxReenqueues times. */
  private async reenqueueLost(): Promise<void> {
    const { batchId } = this.options;
    const { maxReenqueues } = this.limits;
    const batch = await this.batchFile();
    if (this.reenqueues >= maxReenqueues) {
      throw new Error(
        `batch ${batchId}: Redis lost the batch's queued jobs again (restarted empty or flushed) after ${this.reenqueues} automatic re-enqueue(s); gave up: fix Redis (persistence) and rerun: ${rerunCommand(batch)}`,
      );
    }
    const reenqueue = ++this.reenqueues;
    try {
      const r = await enqueue({
        source: batch.source,
        dest: batch.dest,
        batchId,
        // batch.json's options, whole: the re-enqueue makes the same outputs
        options: batch.options,
        ...(batch.keyList === undefined ? {} : { keyList: batch.keyList }),
        config: this.config,
        logger: this.logger.child({ reenqueue }),
      });
      this.log.warn(
        { reenqueue, of: maxReenqueues, enqueued: r.enqueued, skipped: r.skipped },
        `Redis lost the batch's queued jobs (restarted empty or flushed): re-enqueued it automatically (${reenqueue} of ${maxReenqueues}): ${r.enqueued} queued again, ${r.skipped} already done`,
      );
      this.total = r.finished ? this.total : r.total;
    } catch (err) {
      this.log.warn(
        { reenqueue, of: maxReenqueues, err: (err as Error).message },
        `Redis lost the batch's queued jobs: automatic re-enqueue ${reenqueue} of ${maxReenqueues} failed; trying again at the next look`,
      );
    }
  }

  /** Drives a finalize that no live job stands behind (FinalizeWatchdog). */
  private async watchFinalize(): Promise<void> {
    try {
      if (this.watchdog === undefined) {
        const batch = await this.batchFile();
        this.watchdog = new FinalizeWatchdog({
          queue: this.queue,
          tracker: this.tracker,
          redis: this.watched.redis,
          data: { batchId: this.options.batchId, source: batch.source, dest: batch.dest },
          logger: this.log,
        });
      }
      await this.watchdog.look();
    } catch (err) {
      // Redis or S3 trouble: the next look tries again
      this.log.debug({ err: (err as Error).message }, 'finalize watchdog could not look');
    }
  }

  async close(): Promise<void> {
    this.storage.close();
    await this.queue.close().catch(() => {});
    await this.watched.close();
  }
}
