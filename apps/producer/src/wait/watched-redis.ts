import type { Config, Logger, Redis } from '@kpress/config';
import { connectRedis, type OutageLines } from '@kpress/queue';

/** A Redis client that reconnects on its own; `close()` ends it (and its outage logging). */
export interface WatchedRedis {
  readonly redis: Redis;
  close(): Promise<void>;
}

/** What `--wait` says of an outage (a person watches it). */
export const WAIT_OUTAGE_LINES: OutageLines = {
  down: (where) => `Redis connection to ${where} lost: reconnecting`,
  back: (where) => `Redis connection to ${where} is back`,
};

/**
 * Connects to Redis for a long wait (@kpress/queue connectRedis with
 * `reconnect`): one clear error naming the (redacted) URL when it does not
 * answer at first; after that it reconnects forever with backoff and logs
 * "Redis connection to <url> lost: reconnecting" and "... is back" once per
 * outage (through RedisOutage). Commands fail at once while it is down.
 */
export async function connectWatchedRedis(
  config: Pick<Config, 'redisUrl'>,
  logger: Logger,
  timeoutMs = 5000,
): Promise<WatchedRedis> {
  const redis = await connectRedis(config, {
    reconnect: true,
    logger,
    lines: WAIT_OUTAGE_LINES,
    timeoutMs,
  });
  return {
    redis,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
