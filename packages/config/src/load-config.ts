import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { redact } from './redact.js';

/** Log levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Defaults of every variable (DESIGN.md names). */
export const CONFIG_DEFAULTS = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  AWS_REGION: 'us-east-1',
  KPRESS_QUEUE: 'kpress',
  /**
   * Memory one job slot may use, MiB: the default pixel limit is this over
   * BYTES_PER_PIXEL (3072 MiB: 12,582,912 pixels, a 12 MP camera photo; a
   * 24 MP one needs 6144). A worker needs about 150 MB plus `--concurrency`
   * times this.
   */
  KPRESS_SLOT_MEMORY_MB: 3072,
  /** 256 MiB: the largest object a worker will GET. */
  KPRESS_MAX_BYTES: 256 * 1024 * 1024,
  /** Jobs the producer keeps waiting at most before it pauses the listing. */
  KPRESS_MAX_WAITING: 100_000,
  /**
   * Source keys per finalize range: the finalize reads each range's records
   * in its own job, on any worker. 50,000 rows make manifest slices of about
   * 15-20 MB, above S3's 5 MiB part minimum, so joining them copies server-side.
   */
  KPRESS_FINALIZE_RANGE_KEYS: 50_000,
  /**
   * LIST requests the producer keeps in flight: it lists the source prefix
   * fanned out over its folders (1: one page after another).
   */
  KPRESS_LIST_CONCURRENCY: 8,
  /** Folder levels below the source prefix the listing fans out over (0: none). */
  KPRESS_LIST_DEPTH: 2,
  /** Address of the worker's metrics server: this machine only; containers set 0.0.0.0. */
  KPRESS_METRICS_HOST: '127.0.0.1',
  /** First wait before a failed finalize step runs again, ms; it doubles each time. */
  KPRESS_FINALIZE_BACKOFF_MS: 2000,
  /** Longest wait between finalize attempts, ms: a finalize never gives up, it retries this often. */
  KPRESS_FINALIZE_BACKOFF_MAX_MS: 300_000,
  /**
   * Finalize rounds that queue the sources without a record again before the
   * last round gives each a failed record (0: give up at once).
   */
  KPRESS_FINALIZE_ROUNDS: 3,
  /**
   * Worst-scored images the report shows as 1:1 crops (the finalize fetches
   * their sources and outputs; 0: none).
   */
  KPRESS_REPORT_WORST: 12,
  LOG_LEVEL: 'info' as LogLevel,
  /** BullMQ job lock, ms: a job whose worker stops renewing it for this long counts as stalled. */
  KPRESS_LOCK_DURATION_MS: 30_000,
  /** How often workers look for stalled jobs (of dead workers) and put them back, ms. */
  KPRESS_STALLED_INTERVAL_MS: 30_000,
} as const;

/**
 * Peak memory per decoded pixel of one job, bytes: the most one `kpress compress`
 * process grows by per added pixel, rounded up to leave room (`pnpm bench:memory`:
 * peak RSS at 1 to 24 MP, least squares). The SSIMULACRA 2.1 score holds most of
 * it: a prepared original takes ~92 bytes per pixel, ~140 when some pixel is
 * translucent. Measured: opaque photos (PNG at the target, --colors 256 or 16,
 * JPEG) 95-101 (12 MP: 1.3-1.4 GB), a 16-bit PNG 59, an RGBA cutout with a soft
 * edge 144-156, an alpha ramp (translucent all over) 207, random RGBA noise 236
 * (1 to 12 MP), the worst: 256 leaves 8% over it.
 */
export const BYTES_PER_PIXEL = 256;

/** sharp's own pixel limit (16383 x 16383): the most KPRESS_MAX_PIXELS can default to. */
export const SHARP_MAX_PIXELS = 268_402_689;

/** The pixel limit a slot memory budget allows: `floor(MiB * 2^20 / BYTES_PER_PIXEL)`, at most sharp's. */
export function pixelsForBudget(slotMemoryMb: number): number {
  return Math.min(SHARP_MAX_PIXELS, Math.floor((slotMemoryMb * 1024 * 1024) / BYTES_PER_PIXEL));
}

/**
 * kpress configuration, read from the environment by `loadConfig`. Each
 * default is written once, in CONFIG_DEFAULTS (by its variable's name).
 */
export interface Config {
  /** `REDIS_URL` (default: CONFIG_DEFAULTS). May hold a password: print it with `redactUrl`. */
  redisUrl: string;
  /** `S3_ENDPOINT`; unset means AWS. */
  s3Endpoint: string | undefined;
  /** `S3_FORCE_PATH_STYLE`; default true when `S3_ENDPOINT` is set, else false. */
  s3ForcePathStyle: boolean;
  /** `AWS_REGION` (default: CONFIG_DEFAULTS). */
  awsRegion: string;
  /** `KPRESS_QUEUE`: the BullMQ queue name (default: CONFIG_DEFAULTS). */
  queueName: string;
  /**
   * `KPRESS_MAX_PIXELS`: images with more pixels fail; default from the slot
   * memory budget (`pixelsForBudget(slotMemoryMb)`).
   */
  maxPixels: number;
  /** `KPRESS_SLOT_MEMORY_MB`: memory budget of one job slot, MiB (default: CONFIG_DEFAULTS). */
  slotMemoryMb: number;
  /** `KPRESS_MAX_BYTES`: largest object a worker will GET; a larger one is copied server-side (default: CONFIG_DEFAULTS). */
  maxBytes: number;
  /**
   * `KPRESS_COPY_PART_BYTES`: largest object a worker copies server-side with
   * one CopyObject; above it, a multipart copy in ranges of at most this
   * (Storage's `copyPartBytes`, 10 MiB to 5 GiB). Absent: 5 GiB, S3's limit.
   * Set only to test the multipart path.
   */
  copyPartBytes?: number;
  /** `KPRESS_MAX_WAITING`: jobs the producer keeps waiting at most (default: CONFIG_DEFAULTS). */
  maxWaiting: number;
  /** `KPRESS_FINALIZE_RANGE_KEYS`: source keys per finalize range, the producer cuts them (default: CONFIG_DEFAULTS). */
  finalizeRangeKeys: number;
  /**
   * `KPRESS_LIST_CONCURRENCY` / `KPRESS_LIST_DEPTH`: the producer's listing,
   * fanned out over the folders of the prefix down to `depth` levels with
   * `concurrency` LIST requests in flight (defaults: CONFIG_DEFAULTS).
   */
  listing: { concurrency: number; depth: number };
  /** `KPRESS_FINALIZE_BACKOFF_MS` / `_MAX_MS`: a failed finalize step waits base * 2^(n-1), at most max (defaults: CONFIG_DEFAULTS). */
  finalizeBackoff: { baseMs: number; maxMs: number };
  /** `KPRESS_FINALIZE_ROUNDS`: finalize rounds that re-queue sources without a record before giving up on them; default 3. */
  finalizeRounds: number;
  /** `KPRESS_REPORT_WORST`: worst-scored images shown as crops in report.html, 0..1000 (default: CONFIG_DEFAULTS; 0: none). */
  reportWorst: number;
  /** `KPRESS_METRICS_PORT`: worker metrics HTTP port; unset = no metrics server. */
  metricsPort: number | undefined;
  /** `KPRESS_METRICS_HOST`: address of the metrics server (default: CONFIG_DEFAULTS; containers set `0.0.0.0`). */
  metricsHost: string;
  /** `LOG_LEVEL` (default: CONFIG_DEFAULTS). */
  logLevel: LogLevel;
  /**
   * `KPRESS_LOCK_DURATION_MS`: BullMQ job lock; a killed worker's jobs are taken back
   * after at most this plus the stalled interval (default: CONFIG_DEFAULTS). Tests use ~2000.
   */
  lockDurationMs: number;
  /** `KPRESS_STALLED_INTERVAL_MS`: how often workers check for stalled jobs (default: CONFIG_DEFAULTS). */
  stalledIntervalMs: number;
}

const positiveInt = (max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'expected a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, 'expected a whole number >= 1')
        .max(max, `expected a whole number <= ${max}`),
    );

const wholeNumber = (max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().max(max, `expected a whole number <= ${max}`));

const booleanString = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], 'expected true or false'))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

function urlWith(protocols: readonly string[]) {
  return z.string().refine(
    (v) => {
      try {
        const u = new URL(v);
        return protocols.includes(u.protocol) && u.hostname !== '';
      } catch {
        return false;
      }
    },
    `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
}

const schema = z.object({
  REDIS_URL: urlWith(['redis:', 'rediss:']).default(CONFIG_DEFAULTS.REDIS_URL),
  S3_ENDPOINT: urlWith(['http:', 'https:']).optional(),
  S3_FORCE_PATH_STYLE: booleanString.optional(),
  AWS_REGION: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a region name such as us-east-1')
    .default(CONFIG_DEFAULTS.AWS_REGION),
  KPRESS_QUEUE: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
      'expected 1-100 letters, digits, ".", "_" or "-" (no ":"), starting with a letter or digit',
    )
    .default(CONFIG_DEFAULTS.KPRESS_QUEUE),
  KPRESS_MAX_PIXELS: positiveInt().optional(),
  KPRESS_SLOT_MEMORY_MB: positiveInt(1024 * 1024).default(CONFIG_DEFAULTS.KPRESS_SLOT_MEMORY_MB),
  KPRESS_MAX_BYTES: positiveInt().default(CONFIG_DEFAULTS.KPRESS_MAX_BYTES),
  KPRESS_COPY_PART_BYTES: positiveInt(5 * 1024 ** 3)
    .pipe(
      z
        .number()
        .min(
          10 * 1024 ** 2,
          `expected a whole number of bytes from ${10 * 1024 ** 2} (10 MiB) to ${5 * 1024 ** 3} (5 GiB)`,
        ),
    )
    .optional(),
  KPRESS_MAX_WAITING: positiveInt().default(CONFIG_DEFAULTS.KPRESS_MAX_WAITING),
  KPRESS_FINALIZE_RANGE_KEYS: positiveInt().default(CONFIG_DEFAULTS.KPRESS_FINALIZE_RANGE_KEYS),
  KPRESS_LIST_CONCURRENCY: positiveInt(1000).default(CONFIG_DEFAULTS.KPRESS_LIST_CONCURRENCY),
  KPRESS_LIST_DEPTH: wholeNumber(100).default(CONFIG_DEFAULTS.KPRESS_LIST_DEPTH),
  KPRESS_FINALIZE_BACKOFF_MS: positiveInt().default(CONFIG_DEFAULTS.KPRESS_FINALIZE_BACKOFF_MS),
  KPRESS_FINALIZE_BACKOFF_MAX_MS: positiveInt().default(
    CONFIG_DEFAULTS.KPRESS_FINALIZE_BACKOFF_MAX_MS,
  ),
  KPRESS_FINALIZE_ROUNDS: wholeNumber(1000).default(CONFIG_DEFAULTS.KPRESS_FINALIZE_ROUNDS),
  KPRESS_REPORT_WORST: wholeNumber(1000).default(CONFIG_DEFAULTS.KPRESS_REPORT_WORST),
  KPRESS_METRICS_PORT: z
    .string()
    .regex(/^[0-9]+$/, 'expected a port number 0-65535')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, 'expected a port number 0-65535'))
    .optional(),
  KPRESS_METRICS_HOST: z
    .string()
    .regex(/^[0-9A-Za-z.:_-]+$/, 'expected an address such as 127.0.0.1, 0.0.0.0 or ::')
    .default(CONFIG_DEFAULTS.KPRESS_METRICS_HOST),
  KPRESS_LOCK_DURATION_MS: positiveInt().default(CONFIG_DEFAULTS.KPRESS_LOCK_DURATION_MS),
  KPRESS_STALLED_INTERVAL_MS: positiveInt().default(CONFIG_DEFAULTS.KPRESS_STALLED_INTERVAL_MS),
  LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(', ')}`))
    .default(CONFIG_DEFAULTS.LOG_LEVEL),
});

type Variable = keyof typeof schema.shape;

/**
 * Reads and validates the configuration. Empty variables count as unset; values
 * are trimmed. Throws one `ConfigError` naming every invalid variable and its
 * (redacted) value.
 *
 * @param env the environment; default `process.env`
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Partial<Record<Variable, string>> = {};
  for (const name of Object.keys(schema.shape) as Variable[]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const seen = new Set<string>();
    const issues: ConfigIssue[] = [];
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      if (seen.has(variable)) continue;
      seen.add(variable);
      const raw = input[variable as Variable];
      issues.push({
        variable,
        value: raw === undefined ? undefined : redact(raw, env),
        message: issue.message,
      });
    }
    throw new ConfigError(issues);
  }
  const v = parsed.data;
  return {
    redisUrl: v.REDIS_URL,
    s3Endpoint: v.S3_ENDPOINT,
    s3ForcePathStyle: v.S3_FORCE_PATH_STYLE ?? v.S3_ENDPOINT !== undefined,
    awsRegion: v.AWS_REGION,
    queueName: v.KPRESS_QUEUE,
    maxPixels: v.KPRESS_MAX_PIXELS ?? pixelsForBudget(v.KPRESS_SLOT_MEMORY_MB),
    slotMemoryMb: v.KPRESS_SLOT_MEMORY_MB,
    maxBytes: v.KPRESS_MAX_BYTES,
    ...(v.KPRESS_COPY_PART_BYTES === undefined ? {} : { copyPartBytes: v.KPRESS_COPY_PART_BYTES }),
    maxWaiting: v.KPRESS_MAX_WAITING,
    finalizeRangeKeys: v.KPRESS_FINALIZE_RANGE_KEYS,
    listing: { concurrency: v.KPRESS_LIST_CONCURRENCY, depth: v.KPRESS_LIST_DEPTH },
    finalizeBackoff: {
      baseMs: v.KPRESS_FINALIZE_BACKOFF_MS,
      maxMs: Math.max(v.KPRESS_FINALIZE_BACKOFF_MS, v.KPRESS_FINALIZE_BACKOFF_MAX_MS),
    },
    finalizeRounds: v.KPRESS_FINALIZE_ROUNDS,
    reportWorst: v.KPRESS_REPORT_WORST,
    metricsPort: v.KPRESS_METRICS_PORT,
    metricsHost: v.KPRESS_METRICS_HOST,
    logLevel: v.LOG_LEVEL,
    lockDurationMs: v.KPRESS_LOCK_DURATION_MS,
    stalledIntervalMs: v.KPRESS_STALLED_INTERVAL_MS,
  };
}
