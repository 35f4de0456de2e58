import {
  type Config,
  createRedis,
  type Logger,
  type Redis,
  reconnectDelay,
  redactUrl,
} from '@kpress/config';

/** A Redis client that reconnects on its own; `close()` ends it (and its outage logging). */
export interface WatchedRedis {
  readonly redis: Redis;
  close(): Promise<void>;
}

/**
 * Connects to Redis for a long wait: one clear error naming the (redacted)
 * URL when it does not answer at first; after that it reconnects forever with
 * backoff (100 ms doubling to 5 s) and logs "Redis connection to <url> lost:
 * reconnecting" and "... is back" once per outage. Commands fail at once while
 * it is down (no offline queue), so a caller's poll never hangs on them.
 */
export async function connectWatchedRedis(
  config: Pick<Config, 'redisUrl'>,
  logger: Logger,
  timeoutMs = 5000,
): Promise<WatchedRedis> {
  const where = redactUrl(config.redisUrl);
  const redis = createRedis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  });
  let lastError: NodeJS.ErrnoException | undefined;
  redis.on('error', (err: NodeJS.ErrnoException) => {
    lastError = err; // an outage is reported once by 'close' below
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const cause = lastError ?? (err as NodeJS.ErrnoException);
    throw new Error(`cannot reach Redis at ${where}: ${cause.code ?? cause.message}`);
  }
  let lost = false;
  let closing = false;
  redis.on('close', () => {
    if (lost || closing) return;
    lost = true;
    logger.warn({ stage: 'redis' }, `Redis connection to ${where} lost: reconnecting`);
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.warn({ stage: 'redis' }, `Redis connection to ${where} is back`);
  });
  return {
    redis,
    async close() {
      closing = true;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
