import type { RedisOutage } from '@kpress/queue';
import type { JobsInHand } from './jobs-in-hand.js';

/** Options of {@link closeWithoutRedis}. */
export interface CloseWithoutRedisOptions {
  /** The worker's view of Redis: how long it has been down. */
  outage: Pick<RedisOutage, 'downForMs'>;
  /** The jobs in hand, whose end the deadline waits for after the cut. */
  jobs: Pick<JobsInHand, 'size' | 'none'>;
  /** Where the two warnings go. */
  logger: { warn(fields: object, message: string): void };
  /** Cuts every Redis client, so that what waits on Redis fails at once. */
  cut: () => void;
  /** How long Redis must have been down before the cut. Default {@link REDIS_DOWN_CLOSE_MS}. */
  downMs?: number;
  /** How long the jobs in hand get after the cut. Default {@link CUT_CLOSE_MS}. */
  graceMs?: number;
  /** How often Redis is looked at. Default 200 ms. */
  pollMs?: number;
}

/** How long a closing worker waits for a Redis that is down before it cuts its clients. */
export const REDIS_DOWN_CLOSE_MS = 3000;
/** How long a closing worker gives the jobs in hand after cutting Redis (an S3 call still under way). */
export const CUT_CLOSE_MS = 10_000;

/**
 * While a worker closes, makes sure Redis cannot keep it from ending: once
 * Redis has been down for `downMs`, cuts the clients (the jobs in hand keep
 * their S3 records; the stall check hands them out again) and `deadline`
 * resolves as soon as the jobs in hand have ended (what they await of Redis
 * now fails at once), or `graceMs` after the cut. While Redis answers it does
 * nothing, and the worker's ordinary close wins the race with `deadline`.
 * `stop()` ends the watch.
 */
export function closeWithoutRedis(options: CloseWithoutRedisOptions): {
  deadline: Promise<void>;
  stop(): void;
} {
  const { outage, jobs, logger, cut } = options;
  const downMs = options.downMs ?? REDIS_DOWN_CLOSE_MS;
  const graceMs = options.graceMs ?? CUT_CLOSE_MS;
  let poll: NodeJS.Timeout | undefined;
  let late: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    poll = setInterval(() => {
      if (outage.downForMs() < downMs) return;
      clearInterval(poll);
      logger.warn(
        { stage: 'close', downS: Math.round(outage.downForMs() / 1000) },
        'Redis is down: closing without it; the jobs in hand keep their S3 records and go back to the queue at its stall check',
      );
      cut();
      if (jobs.size === 0) {
        resolve();
        return;
      }
      void jobs.none().then(() => resolve());
      late = setTimeout(() => {
        logger.warn({ stage: 'close' }, 'jobs in hand did not end without Redis: leaving them');
        resolve();
      }, graceMs);
    }, options.pollMs ?? 200);
  });
  return {
    deadline,
    stop: () => {
      clearInterval(poll);
      clearTimeout(late);
    },
  };
}
