import { availableParallelism } from 'node:os';
import { type Config, createLogger, createRedis, type Logger, type Redis } from '@kpress/config';
import {
  createQueue,
  JOB_NAMES,
  type Job,
  type KpressJobData,
  type KpressQueue,
  parseCompressJob,
  parseFinalizeJob,
  queueConnection,
  UnrecoverableError,
  Worker,
} from '@kpress/queue';
import { Storage } from '@kpress/storage';
import { finalizeBatch } from './finalize.js';
import { scheduleFinalize } from './shared/finalize-schedule.js';
import { CompressPool } from './pool.js';
import { type ProcessResult, processCompressJob } from './processor.js';
import { BatchTracker } from './shared/batch-tracker.js';

/** Options of {@link KpressWorker}. */
export interface KpressWorkerOptions {
  /** Configuration (see @kpress/config loadConfig). */
  config: Config;
  /** Jobs processed at once, and threads in the CPU pool. Default: the number of cores. */
  concurrency?: number;
  /** Logger; default createLogger at config.logLevel. */
  logger?: Logger;
  /** libvips threads per pool thread. Default 1. */
  sharpConcurrency?: number;
}

/**
 * A kpress worker: takes compress and finalize jobs from the queue (KPRESS_QUEUE),
 * runs the CPU work in a thread pool sized to the concurrency, and starts the
 * batch's finalize when it settles the batch's last job. `close()` stops taking
 * jobs, waits for the jobs in hand, then closes the pool, Redis and S3.
 */
export class KpressWorker {
  readonly concurrency: number;
  readonly logger: Logger;
  private readonly storage: Storage;
  private readonly pool: CompressPool;
  private readonly queue: KpressQueue;
  private readonly redis: Redis;
  private readonly tracker: BatchTracker;
  private readonly worker: Worker<KpressJobData>;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: KpressWorkerOptions) {
    const config = options.config;
    const concurrency = options.concurrency ?? availableParallelism();
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.concurrency = concurrency;
    this.logger = options.logger ?? createLogger({ level: config.logLevel });
    this.storage = new Storage({ config });
    this.pool = new CompressPool({
      threads: concurrency,
      ...(options.sharpConcurrency === undefined
        ? {}
        : { sharpConcurrency: options.sharpConcurrency }),
    });
    this.queue = createQueue(config);
    this.redis = createRedis(config.redisUrl);
    this.tracker = new BatchTracker(this.redis, config.queueName);
    this.worker = new Worker<KpressJobData>(config.queueName, (job) => this.process(job), {
      connection: queueConnection(config),
      concurrency,
      autorun: false,
    });
    this.worker.on('failed', (job, err) => {
      void this.onFailed(job, err);
    });
    this.worker.on('error', (err) =>
      this.logger.error({ err: err.message, stage: 'worker' }, 'worker error'),
    );
  }

  /** Starts taking jobs; resolves once connected to Redis. */
  async start(): Promise<void> {
    void this.worker
      .run()
      .catch((err: Error) => this.logger.error({ err: err.message }, 'worker stopped'));
    await this.worker.waitUntilReady();
    this.logger.info(
      { stage: 'start', queue: this.options.config.queueName, concurrency: this.concurrency },
      'worker ready',
    );
  }

  private async process(job: Job<KpressJobData>): Promise<unknown> {
    if (job.name === JOB_NAMES.finalize) {
      const data = parseFinalizeJob(job.data);
      return finalizeBatch(data, {
        storage: this.storage,
        queue: this.queue,
        tracker: this.tracker,
        logger: this.logger,
      });
    }
    if (job.name !== JOB_NAMES.compress) {
      throw new UnrecoverableError(`unknown job name ${JSON.stringify(job.name)}`);
    }
    let data: ReturnType<typeof parseCompressJob>;
    try {
      data = parseCompressJob(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    const result: ProcessResult = await processCompressJob(data, {
      storage: this.storage,
      pool: this.pool,
      maxBytes: this.options.config.maxBytes,
      maxPixels: this.options.config.maxPixels,
      logger: this.logger,
    });
    await this.settle(data.batchId, data.source, data.dest, job.id as string);
    if (result.row.status === 'failed' && !result.skipped) {
      // a bad input: its failed record is written; no retries
      throw new UnrecoverableError(result.row.error ?? 'failed');
    }
    return { status: result.row.status, timings: result.timings };
  }

  /** Takes the job off the batch's pending set; schedules the finalize after the last one. */
  private async settle(
    batchId: string,
    source: string,
    dest: string,
    jobId: string,
  ): Promise<void> {
    if (await this.tracker.settle(batchId, jobId)) {
      const id = await scheduleFinalize(this.queue, this.tracker, { batchId, source, dest });
      this.logger.info(
        { batchId, stage: 'finalize', jobId: id },
        'last job of the batch: finalize scheduled',
      );
    }
  }

  /** A compress job that used its last attempt on transient errors: it leaves no record; finalize re-queues it. */
  private async onFailed(job: Job<KpressJobData> | undefined, err: Error): Promise<void> {
    if (job === undefined) return;
    const data = job.data as Partial<{
      batchId: string;
      key: string;
      source: string;
      dest: string;
    }>;
    const log = this.logger.child({ batchId: data.batchId, key: data.key, stage: 'failed' });
    if (err.name === 'UnrecoverableError' || job.name !== JOB_NAMES.compress) {
      log.warn({ err: err.message, job: job.name }, 'job failed');
      return;
    }
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade < attempts) {
      log.warn({ err: err.message, attempt: job.attemptsMade }, 'attempt failed, will retry');
      return;
    }
    log.error(
      { err: err.message, attempts },
      'gave up after the last attempt; finalize will queue it again',
    );
    try {
      if (data.batchId && data.source && data.dest && job.id) {
        await this.settle(data.batchId, data.source, data.dest, job.id);
      }
    } catch (e) {
      log.error({ err: (e as Error).message }, 'could not settle the job');
    }
  }

  /** Stops taking jobs, lets the jobs in hand finish, then closes pool, queue, Redis and S3. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.logger.info({ stage: 'close' }, 'closing: finishing the jobs in hand');
      await this.worker.close();
      await this.pool.close();
      await this.queue.close();
      await this.redis.quit().catch(() => this.redis.disconnect());
      this.storage.close();
      this.logger.info({ stage: 'close' }, 'closed');
    })();
    return this.closing;
  }
}
