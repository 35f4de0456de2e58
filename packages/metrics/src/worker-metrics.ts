import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** How a job ended, as counted by `kpress_jobs_total{outcome}`. */
export const JOB_OUTCOMES = [
  'compressed',
  'kept-original',
  'copied',
  'skipped',
  'failed',
  'retried',
] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** The stages timed by `kpress_stage_seconds{stage}`. */
export const STAGES = ['get', 'decode', 'quantize', 'score', 'encode', 'put', 'record'] as const;
export type Stage = (typeof STAGES)[number];

/** Buckets of `kpress_stage_seconds`: 1 ms to 2 min. */
export const STAGE_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/** Options of {@link createWorkerMetrics}. */
export interface WorkerMetricsOptions {
  /** Registry to register in. Default: a new one (never prom-client's global one). */
  registry?: Registry;
  /** Also collect prom-client's default process metrics (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
  /**
   * Read at each scrape for `kpress_queue_depth` (jobs waiting, delayed,
   * prioritized or active). Default none: the gauge is not exported.
   */
  queueDepth?: () => Promise<number>;
  /** Give up on `queueDepth` after this many ms; the scrape then reports -1. Default 2000. */
  queueDepthTimeoutMs?: number;
}

/** The counters, histograms and gauges a worker updates, in one registry. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** `kpress_jobs_total{outcome}` */
  readonly jobs: Counter<'outcome'>;
  /** `kpress_bytes_in_total`: source bytes read by jobs that did not fail. */
  readonly bytesIn: Counter;
  /** `kpress_bytes_out_total`: bytes written (PNG or copied original) by jobs that did not fail. */
  readonly bytesOut: Counter;
  /** `kpress_stage_seconds{stage}` */
  readonly stageSeconds: Histogram<'stage'>;
  /** `kpress_finalize_failures_total{step}`: finalize attempts that failed (each is retried, never given up). */
  readonly finalizeFailures: Counter<'step'>;
  /** Counts one finished job. */
  jobDone(outcome: JobOutcome, bytes?: { in: number; out: number }): void;
  /** Observes one stage's duration, in milliseconds (as the processor measures). */
  observeStageMs(stage: Stage, ms: number): void;
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`queue depth took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Creates the kpress worker metrics (see README for the names). */
export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = options.registry ?? new Registry();
  const depthTimeout = options.queueDepthTimeoutMs ?? 2000;
  if (!Number.isFinite(depthTimeout) || depthTimeout <= 0) {
    throw new RangeError(
      `queueDepthTimeoutMs must be a positive number, got ${options.queueDepthTimeoutMs}`,
    );
  }
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const { jobs, bytesIn, bytesOut } = jobCounters(registry);
  const stageSeconds = stageHistogram(registry);
  const finalizeFailures = finalizeFailureCounter(registry);
  if (options.queueDepth !== undefined) queueDepthGauge(registry, options.queueDepth, depthTimeout);
  return {
    registry,
    jobs,
    bytesIn,
    bytesOut,
    stageSeconds,
    finalizeFailures,
    jobDone(outcome, bytes) {
      if (!JOB_OUTCOMES.includes(outcome)) {
        throw new RangeError(`outcome must be one of ${JOB_OUTCOMES.join(', ')}, got ${outcome}`);
      }
      jobs.inc({ outcome });
      if (bytes !== undefined) {
        bytesIn.inc(bytes.in);
        bytesOut.inc(bytes.out);
      }
    },
    observeStageMs(stage, ms) {
      if (!STAGES.includes(stage)) {
        throw new RangeError(`stage must be one of ${STAGES.join(', ')}, got ${stage}`);
      }
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`stage ${stage}: ms must be a finite number >= 0, got ${ms}`);
      }
      stageSeconds.observe({ stage }, ms / 1000);
    },
  };
}

/** kpress_jobs_total (every outcome at 0 from the start), kpress_bytes_in_total, kpress_bytes_out_total. */
function jobCounters(registry: Registry) {
  const jobs = new Counter({
    name: 'kpress_jobs_total',
    help: 'Compress jobs by outcome (compressed, kept-original, copied, skipped, failed, retried)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of JOB_OUTCOMES) jobs.inc({ outcome }, 0);
  const bytesIn = new Counter({
    name: 'kpress_bytes_in_total',
    help: 'Source bytes of the jobs that did not fail or skip',
    registers: [registry],
  });
  const bytesOut = new Counter({
    name: 'kpress_bytes_out_total',
    help: 'Output bytes (palette PNG, kept original or copy) of the jobs that did not fail or skip',
    registers: [registry],
  });
  return { jobs, bytesIn, bytesOut };
}

/** kpress_stage_seconds. */
function stageHistogram(registry: Registry) {
  return new Histogram({
    name: 'kpress_stage_seconds',
    help: 'Seconds per stage of a compress job (get, decode, quantize, score, encode, put, record)',
    labelNames: ['stage'] as const,
    buckets: [...STAGE_BUCKETS],
    registers: [registry],
  });
}

/** kpress_finalize_failures_total, every step at 0 from the start. */
function finalizeFailureCounter(registry: Registry) {
  const finalizeFailures = new Counter({
    name: 'kpress_finalize_failures_total',
    help: 'Finalize attempts that failed, by step (finalize, finalize-part, finalize-assemble); each is retried with capped backoff',
    labelNames: ['step'] as const,
    registers: [registry],
  });
  for (const step of ['finalize', 'finalize-part', 'finalize-assemble'])
    finalizeFailures.inc({ step }, 0);
  return finalizeFailures;
}

/** kpress_queue_depth, read from `queueDepth` at each scrape; -1 when it fails or takes over `depthTimeout` ms. */
function queueDepthGauge(
  registry: Registry,
  queueDepth: () => Promise<number>,
  depthTimeout: number,
): void {
  new Gauge({
    name: 'kpress_queue_depth',
    help: 'Jobs waiting, delayed, prioritized or active in the queue; -1 when it could not be read',
    registers: [registry],
    async collect() {
      try {
        this.set(await timeout(queueDepth(), depthTimeout));
      } catch {
        this.set(-1);
      }
    },
  });
}
