import { randomBytes } from 'node:crypto';

/** REDIS_URL, or the default `redis://127.0.0.1:6379`. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL?.trim();
  return url ? url : 'redis://127.0.0.1:6379';
}

/**
 * A queue name no other test run uses: `<prefix>-<pid>-<time>-<random>`. Use it as
 * KPRESS_QUEUE, and obliterate the queue when the test ends.
 */
export function uniqueQueueName(prefix = 'kpress-test'): string {
  if (prefix.includes(':'))
    throw new RangeError(`queue name prefix ${JSON.stringify(prefix)} must not hold ":"`);
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
