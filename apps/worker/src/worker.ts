import { availableParallelism } from 'node:os';
import { deflateBackend } from '@kpress/codec';
import { CompressPool, failedOutcome } from '@kpress/compress';
import {
  type Config,
  createLogger,
  createRedis,
  faultPoint,
  type Logger,
  type Redis,
  redactUrl,
} from '@kpress/config';
import { createWorkerMetrics, MetricsServer, type WorkerMetrics } from '@kpress/metrics';
import { failureAction } from './failure-policy.js';
import {
  BatchTracker,
  createQueue,
  cutRedis,
  FINALIZE_BACKOFF,
  finalizeBackoffMs,
  JOB_NAMES,
  type Job,
  type KpressJobData,
  type KpressQueue,
  parseCompressJob,
  parseFinalizeAssembleJob,
  parseFinalizeJob,
  parseFinalizePartJob,
  queueConnection,
  queueDepth,
  RedisOutage,
  scheduleAssemble,
  scheduleFinalize,
  scheduleParts,
  UnrecoverableError,
  Worker,
} from '@kpress/queue';
import { parseS3Url, Storage } from '@kpress/storage';
import { BatchFiles } from './job-check.js';
import { BatchWatch } from './finalize/batch-watch.js';
import { closeWithoutRedis } from './close-without-redis.js';
import {
  type FinalizeContext,
  finalizeAssemble,
  finalizeBatch,
  finalizePart,
} from './finalize/finalize.js';
import { JobsInHand } from './jobs-in-hand.js';
import { OutputWriter } from './output-writer.js';
import { type ProcessResult, processCompressJob } from './compress/processor.js';
import { recordKeyOf, writeRecord } from './record.js';

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
  /**
   * Port of the /metrics and /healthz server (0: any free port). Default
   * config.metricsPort (KPRESS_METRICS_PORT); undefined: no server (the metrics are still counted).
   */
  metricsPort?: number;
  /** Address of the metrics server. Default config.metricsHost (KPRESS_METRICS_HOST, 127.0.0.1). */
  metricsHost?: string;
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
  private readonly writer: OutputWriter;
  private readonly batches: BatchFiles;
  private readonly queue: KpressQueue;
  private readonly redis: Redis;
  private readonly tracker: BatchTracker;
  private readonly worker: Worker<KpressJobData>;
  private closing: Promise<void> | undefined;
  /** The worker's Prometheus metrics (see @kpress/metrics). */
  readonly metrics: WorkerMetrics;
  private metricsServer: MetricsServer | undefined;
  private readonly watch: BatchWatch;
  private readonly outage: RedisOutage;
  /** Jobs being processed now. */
  private readonly jobs = new JobsInHand();

  constructor(private readonly options: KpressWorkerOptions) {
    const config = options.config;
    const concurrency = options.concurrency ?? availableParallelism();
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.concurrency = concurrency;
    this.logger = options.logger ?? createLogger({ level: config.logLevel });
    this.storage = new Storage({
      config,
      ...(config.copyPartBytes === undefined ? {} : { copyPartBytes: config.copyPartBytes }),
    });
    this.writer = new OutputWriter({ storage: this.storage });
    this.batches = new BatchFiles({ storage: this.storage });
    this.pool = new CompressPool({
      threads: concurrency,
      ...(options.sharpConcurrency === undefined
        ? {}
        : { sharpConcurrency: options.sharpConcurrency }),
    });
    this.queue = createQueue(config);
    this.redis = createRedis(config.redisUrl);
    this.tracker = new BatchTracker(this.redis, config.queueName);
    this.watch = new BatchWatch({
      queue: this.queue,
      tracker: this.tracker,
      redis: this.redis,
      storage: this.storage,
      logger: this.logger,
      intervalMs: config.stalledIntervalMs,
    });
    this.metrics = createWorkerMetrics({ queueDepth: () => queueDepth(this.queue) });
    this.worker = new Worker<KpressJobData>(
      config.queueName,
      (job) => this.jobs.run(() => this.process(job)),
      {
        connection: queueConnection(config),
        concurrency,
        autorun: false,
        // a killed worker's jobs go back to waiting after about lockDuration + stalledInterval
        lockDuration: config.lockDurationMs,
        stalledInterval: config.stalledIntervalMs,
        // a job whose worker died holding it comes back once; the second death fails it (failDeadlyJob)
        maxStalledCount: 1,
        // finalize steps retry without end, KPRESS_FINALIZE_BACKOFF_MS doubling to at most _MAX_MS apart
        settings: {
          backoffStrategy: (attemptsMade: number, type?: string) =>
            type === FINALIZE_BACKOFF
              ? finalizeBackoffMs(attemptsMade, config.finalizeBackoff)
              : 2000,
        },
      },
    );
    this.worker.on('failed', (job, err) => {
      void this.onFailed(job, err);
    });
    this.outage = new RedisOutage({
      logger: this.logger,
      where: redactUrl(config.redisUrl),
    });
    // BullMQ prints an 'error' nobody listens to as a raw stack trace: every client reports here
    this.queue.on('error', (err) => this.onClientError(err, 'queue'));
    this.worker.on('error', (err) => {
      if (this.outage.report(err)) return;
      if (/^Missing key for job/.test(err.message)) {
        this.logger.error(
          { err: err.message, stage: 'redis' },
          'a job in hand is gone from Redis (Redis restarted without persistence or was flushed): its record in S3 is kept; rerun `kpress enqueue --batch <id>` to finish the batch',
        );
        return;
      }
      this.logger.error({ err: err.message, stage: 'worker' }, 'worker error');
    });
    this.watchRedis();
  }

  /**
   * Redis trouble is logged like S3 trouble: one line when an outage starts,
   * reminders at growing gaps, one line when it is back (see RedisOutage);
   * the clients reconnect on their own.
   */
  private watchRedis(): void {
    this.redis.on('error', (err) => this.onClientError(err, 'redis'));
    this.redis.on('close', () => {
      if (this.closing === undefined) this.outage.report(new Error('Connection is closed'));
    });
    this.redis.on('ready', () => {
      if (!this.outage.down) return;
      this.outage.recovered();
      this.logger.warn(
        { stage: 'redis' },
        'if Redis restarted empty, queued jobs are gone: rerun `kpress enqueue --batch <id>` to queue what has no record',
      );
    });
  }

  private onClientError(err: Error, client: string): void {
    if (this.outage.report(err)) return;
    this.logger.error({ err: err.message, stage: 'redis', client }, 'Redis error');
  }

  /** Starts taking jobs; resolves once connected to Redis. */
  async start(): Promise<void> {
    void this.worker
      .run()
      .catch((err: Error) => this.logger.error({ err: err.message }, 'worker stopped'));
    await this.worker.waitUntilReady();
    this.watch.start();
    const metricsPort = this.options.metricsPort ?? this.options.config.metricsPort;
    if (metricsPort !== undefined) {
      this.metricsServer = new MetricsServer({
        registry: this.metrics.registry,
        port: metricsPort,
        host: this.options.metricsHost ?? this.options.config.metricsHost,
        health: () => this.health(),
      });
      const port = await this.metricsServer.listen();
      this.logger.info(
        { stage: 'start', port },
        `metrics on http://${this.metricsServer.host}:${port}/metrics`,
      );
    }
    const deflate = deflateBackend();
    if (deflate.name === 'zlib') {
      // one line: the PNGs are still standard, only larger and slower to make
      this.logger.warn({ stage: 'start', deflate }, `deflating with zlib: ${deflate.reason}`);
    }
    this.logger.info(
      {
        stage: 'start',
        queue: this.options.config.queueName,
        concurrency: this.concurrency,
        deflate: `${deflate.name} ${deflate.version}`,
      },
      'worker ready',
    );
  }

  private async process(job: Job<KpressJobData>): Promise<unknown> {
    const finalizeContext: FinalizeContext = {
      storage: this.storage,
      queue: this.queue,
      tracker: this.tracker,
      logger: this.logger,
      maxRounds: this.options.config.finalizeRounds,
      reportWorst: this.options.config.reportWorst,
      reportLimits: {
        maxBytes: this.options.config.maxBytes,
        maxPixels: this.options.config.maxPixels,
      },
      maxWaiting: this.options.config.maxWaiting,
    };
    if (job.name === JOB_NAMES.finalize) {
      const data = parseFinalizeJob(job.data);
      await this.refuseForeign(data, job.name);
      return finalizeBatch(data, finalizeContext);
    }
    if (job.name === JOB_NAMES.finalizePart) {
      const data = parseFinalizePartJob(job.data);
      await this.refuseForeign(data, job.name);
      return finalizePart(data, finalizeContext);
    }
    if (job.name === JOB_NAMES.finalizeAssemble) {
      const data = parseFinalizeAssembleJob(job.data);
      await this.refuseForeign(data, job.name);
      return finalizeAssemble(data, finalizeContext);
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
    await this.refuseForeign(data, job.name);
    const result: ProcessResult = await processCompressJob(data, {
      storage: this.storage,
      pool: this.pool,
      writer: this.writer,
      maxBytes: this.options.config.maxBytes,
      maxPixels: this.options.config.maxPixels,
      logger: this.logger,
      // first delivery: no earlier attempt can have written the record
      checkRecord: job.attemptsStarted > 1 || job.stalledCounter > 0 || job.attemptsMade > 0,
    });
    if (!result.skipped) this.countJob(result);
    await this.settle(data.batchId, data.source, data.dest, job.id as string);
    if (result.row.status === 'failed' && !result.skipped) {
      // a bad input: its failed record is written; no retries
      throw new UnrecoverableError(result.row.error ?? 'failed');
    }
    return { status: result.row.status, timings: result.timings };
  }

  /**
   * Refuses (UnrecoverableError, logged) a job that its batch's batch.json does
   * not confirm, or whose source and destination overlap: nothing is read or
   * written for it, not even a record.
   */
  private async refuseForeign(
    data: Parameters<BatchFiles['refusal']>[0],
    name: string,
  ): Promise<void> {
    const refusal = await this.batches.refusal(data);
    if (refusal === undefined) return;
    this.logger.error(
      { batchId: data.batchId, key: data.key, job: name, stage: 'refused' },
      `job refused: ${refusal}`,
    );
    throw new UnrecoverableError(`job refused: ${refusal}`);
  }

  /**
   * A compress job whose workers died holding it twice (BullMQ's stall limit):
   * most likely the image takes more memory than the worker has. It gets a
   * failed record that says so, instead of going round again.
   */
  private async failDeadlyJob(job: Job<KpressJobData>, log: Logger): Promise<void> {
    const data = parseCompressJob(job.data);
    if ((await this.batches.refusal(data)) !== undefined) return;
    const src = parseS3Url(data.source);
    const dest = parseS3Url(data.dest);
    const recordKey = recordKeyOf(data.key, src.prefix, dest.prefix, data.batchId);
    if (await this.storage.exists(dest.bucket, recordKey)) return;
    const config = this.options.config;
    const reason = `the worker processing it died twice (${data.size} bytes; most likely out of memory: the slot budget is KPRESS_SLOT_MEMORY_MB=${config.slotMemoryMb}, pixel limit KPRESS_MAX_PIXELS=${config.maxPixels}); give workers more memory per slot or lower the limit`;
    const failed = failedOutcome({ key: data.key, originalBytes: data.size }, reason);
    await writeRecord(this.storage, dest.bucket, recordKey, { ...failed.row, ms: 0 });
    this.metrics.jobDone('failed');
    log.error({ size: data.size }, `failed: ${reason}`);
  }

  /** Counts a finished compress job in the metrics (stages the processor timed, bytes, outcome). */
  private countJob(result: ProcessResult): void {
    const t = result.timings;
    const row = result.row;
    const stages = [
      ['get', t.getMs],
      ['decode', t.decodeMs],
      ['quantize', t.quantizeMs],
      ['score', t.scoreMs],
      ['encode', t.encodeMs],
      ['put', row.status === 'failed' || row.status === 'skipped' ? undefined : t.writeMs],
      ['record', t.recordMs],
    ] as const;
    for (const [stage, ms] of stages) if (ms !== undefined) this.metrics.observeStageMs(stage, ms);
    this.metrics.jobDone(
      row.status,
      row.status === 'failed' || row.status === 'skipped'
        ? undefined
        : { in: row.originalBytes, out: row.outputBytes ?? 0 },
    );
  }

  /** For /healthz: ok while taking jobs with Redis connected; not ok once closing. */
  health(): { ok: boolean; state: string; redis: string; queue: string } {
    const state =
      this.closing !== undefined ? 'closing' : this.worker.isRunning() ? 'running' : 'stopped';
    const redis = this.redis.status;
    return {
      ok: state === 'running' && redis === 'ready',
      state,
      redis,
      queue: this.options.config.queueName,
    };
  }

  /** The metrics server's port, once started with one. */
  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
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
      faultPoint('settle.finalize-add', batchId);
      this.logger.info(
        { batchId, stage: 'finalize', jobId: id },
        'last job of the batch: finalize scheduled',
      );
    }
  }

  /**
   * Carries out the failure policy (failure-policy.ts) for a job BullMQ
   * failed: a finalize step lost with its workers is queued again; a compress
   * job that killed its workers gets a failed record; one that used its last
   * attempt on transient errors leaves no record (finalize re-queues it).
   */
  private async onFailed(job: Job<KpressJobData> | undefined, err: Error): Promise<void> {
    if (job === undefined) return;
    const data = job.data as Partial<{
      batchId: string;
      key: string;
      source: string;
      dest: string;
    }>;
    const log = this.logger.child({ batchId: data.batchId, key: data.key, stage: 'failed' });
    const action = failureAction(
      { name: job.name, attemptsMade: job.attemptsMade, attempts: job.opts.attempts },
      err,
    );
    const settle = async () => {
      if (data.batchId && data.source && data.dest && job.id) {
        await this.settle(data.batchId, data.source, data.dest, job.id);
      }
    };
    switch (action.kind) {
      case 'requeue-finalize-step':
        log.error(
          { err: err.message, job: job.name },
          'finalize step lost with its workers: queuing it again',
        );
        this.metrics.finalizeFailures.inc({ step: job.name });
        await this.requeueFinalizeStep(job).catch((e: Error) =>
          log.error({ err: e.message }, 'could not queue the finalize step again'),
        );
        return;
      case 'finalize-retrying':
        this.metrics.finalizeFailures.inc({ step: job.name });
        log.error(
          {
            err: err.message,
            job: job.name,
            attempt: job.attemptsMade,
            retryInMs: finalizeBackoffMs(job.attemptsMade, this.options.config.finalizeBackoff),
          },
          'finalize step failed: retrying (finalize steps never give up; fix the cause and it ends)',
        );
        return;
      case 'record-deadly-job':
        await this.failDeadlyJob(job, log)
          .then(settle)
          .catch((e: Error) =>
            log.error({ err: e.message }, 'could not record the job that killed its workers'),
          );
        return;
      case 'log':
        log.warn({ err: err.message, job: job.name }, 'job failed');
        return;
      case 'retry':
        this.metrics.jobDone('retried');
        log.warn({ err: err.message, attempt: job.attemptsMade }, 'attempt failed, will retry');
        return;
      case 'give-up':
        this.metrics.jobDone('failed');
        log.error(
          { err: err.message, attempts: action.attempts },
          'gave up after the last attempt; finalize will queue it again',
        );
        await settle().catch((e: Error) =>
          log.error({ err: e.message }, 'could not settle the job'),
        );
        return;
    }
  }

  /** Queues a finalize step again with the same data (its fixed id was removed when it failed). */
  private async requeueFinalizeStep(job: Job<KpressJobData>): Promise<void> {
    if (job.name === JOB_NAMES.finalize) {
      await scheduleFinalize(this.queue, this.tracker, parseFinalizeJob(job.data));
    } else if (job.name === JOB_NAMES.finalizePart) {
      await scheduleParts(this.queue, [parseFinalizePartJob(job.data)]);
    } else {
      await scheduleAssemble(this.queue, parseFinalizeAssembleJob(job.data));
    }
  }

  /**
   * Stops taking jobs, lets the jobs in hand finish, then closes pool, queue,
   * Redis and S3. Idempotent. Whatever Redis does it ends: once Redis has been
   * down for a while its clients are cut and the jobs in hand end without it
   * (see {@link closeWithoutRedis}).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.logger.info({ stage: 'close' }, 'closing: finishing the jobs in hand');
      const cut = closeWithoutRedis({
        outage: this.outage,
        jobs: this.jobs,
        logger: this.logger,
        cut: () => this.cutRedisClients(),
      });
      try {
        await Promise.race([this.closeClients(), cut.deadline]);
      } finally {
        cut.stop();
      }
      this.storage.close();
      await this.metricsServer?.close();
      this.logger.info({ stage: 'close' }, 'closed');
    })();
    return this.closing;
  }

  private async closeClients(): Promise<void> {
    await this.watch.close();
    await this.worker.close();
    await this.pool.close();
    await this.queue.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Cuts every Redis client: the jobs in hand await Redis through the
   * tracker's client and the queue's (finalize scheduling), and cutRedis
   * rejects what waits there, which a plain disconnect of a reconnecting
   * client never does.
   */
  private cutRedisClients(): void {
    void this.worker.disconnect().catch(() => {});
    void this.queue.disconnect().catch(() => {});
    void this.queue.getBackend().client.then(cutRedis, () => {});
    cutRedis(this.redis);
  }
}
