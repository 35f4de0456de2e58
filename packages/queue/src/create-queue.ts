import { type Config, redisOptions } from '@kpress/config';
import { type ConnectionOptions, type DefaultJobOptions, Queue } from 'bullmq';
import type { JobName, KpressJobData } from './job-schemas.js';

/** The kpress queue: compress and finalize jobs. */
export type KpressQueue = Queue<KpressJobData, unknown, JobName>;

/**
 * Default options of every job: 5 attempts with exponential backoff from 2 s
 * (2, 4, 8, 16 s); completed jobs kept for at most 1 hour and 1000 jobs, failed
 * jobs for at most 24 hours and 10000 jobs, so Redis does not fill up (the
 * records in S3 are the truth, not Redis).
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 86_400, count: 10_000 },
};

/** Options of `createQueue`. */
export interface CreateQueueOptions {
  /** Queue name; default `config.queueName` (KPRESS_QUEUE). */
  name?: string;
  /** Merged over `DEFAULT_JOB_OPTIONS`; default none. */
  defaultJobOptions?: DefaultJobOptions;
}

/**
 * BullMQ connection options for `config.redisUrl` (use the same for a Worker:
 * `new Worker(name, fn, { connection: queueConnection(config) })`).
 */
export function queueConnection(config: Pick<Config, 'redisUrl'>): ConnectionOptions {
  // ioredis allows `retryStrategy: null`, BullMQ's type does not: ours is always a function
  const { retryStrategy, ...rest } = redisOptions(config.redisUrl);
  return { ...rest, retryStrategy: retryStrategy ?? undefined };
}

/** The kpress BullMQ queue; close it with `close()`. */
export function createQueue(
  config: Pick<Config, 'redisUrl' | 'queueName'>,
  options: CreateQueueOptions = {},
): KpressQueue {
  const name = options.name ?? config.queueName;
  if (name === '' || name.includes(':')) {
    throw new RangeError(`queue name ${JSON.stringify(name)} must be non-empty without ":"`);
  }
  const queue: KpressQueue = new Queue(name, {
    connection: queueConnection(config),
    defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...options.defaultJobOptions },
  });
  return queue;
}

/** Job states that count as not yet done. */
export const PENDING_STATES = [
  'waiting',
  'delayed',
  'active',
  'prioritized',
  'waiting-children',
] as const;

/** Jobs not yet finished: waiting + delayed + active + prioritized + waiting-children. */
export async function queueDepth(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(...PENDING_STATES);
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
