/** Options of one queue-only load test run. */
export interface BenchOptions {
  /** Jobs to enqueue and drain. Default 100,000; at most `MAX_JOBS`. */
  jobs: number;
  /** Jobs per `addBulk` call. Default 1,000 (the producer's chunk). */
  chunk: number;
  /** No-op workers that drain the queue, each with its own connection. Default 2. */
  workers: number;
  /** Concurrency of each worker. Default 50. */
  concurrency: number;
  /** Wall-clock limit for the whole run, in seconds; past it the run stops and cleans up. Default 1,800. */
  timeLimitSeconds: number;
  /** Redis to load. Default `REDIS_URL`, else redis://127.0.0.1:6379. */
  redisUrl: string;
  /** Print progress lines to stderr. Default true. */
  progress: boolean;
}

/** Hard bound on `jobs`: 5 million waiting jobs is ~4.3 GB of Redis. */
export const MAX_JOBS = 5_000_000;

export const DEFAULT_OPTIONS: BenchOptions = {
  jobs: 100_000,
  chunk: 1_000,
  workers: 2,
  concurrency: 50,
  timeLimitSeconds: 1_800,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  progress: true,
};

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`bench-queue: ${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

/** Checks every field, naming the bad option and value. */
export function validateOptions(options: BenchOptions): BenchOptions {
  positiveInt('jobs', options.jobs, MAX_JOBS);
  positiveInt('chunk', options.chunk, 100_000);
  positiveInt('workers', options.workers, 64);
  positiveInt('concurrency', options.concurrency, 10_000);
  positiveInt('timeLimitSeconds', options.timeLimitSeconds, 24 * 3600);
  if (!/^rediss?:\/\//.test(options.redisUrl)) {
    throw new TypeError(
      `bench-queue: redisUrl must start with redis:// or rediss://, got "${options.redisUrl}"`,
    );
  }
  return options;
}

const FLAGS: Record<string, keyof BenchOptions> = {
  '--jobs': 'jobs',
  '--chunk': 'chunk',
  '--workers': 'workers',
  '--concurrency': 'concurrency',
  '--time-limit': 'timeLimitSeconds',
  '--redis-url': 'redisUrl',
};

/** Parses `--jobs N --chunk N --workers N --concurrency N --time-limit S --redis-url U --quiet`. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_OPTIONS };
  const record = options as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (arg === '--quiet') {
      options.progress = false;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const field = FLAGS[flag as string];
    if (!field) throw new TypeError(`bench-queue: unknown argument "${arg}"`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new TypeError(`bench-queue: ${flag} needs a value`);
    if (field === 'redisUrl') {
      record[field] = raw;
    } else {
      const n = Number(raw.replaceAll('_', ''));
      if (Number.isNaN(n))
        throw new RangeError(`bench-queue: ${flag} must be a number, got "${raw}"`);
      record[field] = n;
    }
  }
  return validateOptions(options);
}
