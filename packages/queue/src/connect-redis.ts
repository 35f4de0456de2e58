import {
  type Config,
  createRedis,
  type Logger,
  type Redis,
  reconnectDelay,
  redactUrl,
} from '@kpress/config';
import { type OutageLines, RedisOutage } from './redis-outage.js';

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /**
   * false (default): one try, for a command that runs and ends (enqueue,
   * status, cancel): a request fails after one retry, and a lost connection
   * is not made again. true: for a long wait: reconnects forever with backoff
   * (100 ms doubling to 5 s), commands fail at once while it is down (no
   * offline queue, so a poll never hangs on them), and each outage is logged
   * through RedisOutage (one line when it starts, reminders, one when it is back).
   */
  reconnect?: boolean;
  /** Where a reconnecting client logs its outages (required with `reconnect`). */
  logger?: Logger;
  /** How the outage's first and last lines read. Default RedisOutage's. */
  lines?: OutageLines;
  /** How long the first connection may take, ms. Default 5000. */
  timeoutMs?: number;
}

/**
 * Connects to Redis and checks that it answers (PING): the one connect of
 * every command. When it does not answer, one clear error naming the
 * (redacted) URL and the cause, and nothing left open.
 */
export async function connectRedis(
  config: Pick<Config, 'redisUrl'>,
  options: ConnectRedisOptions = {},
): Promise<Redis> {
  const reconnect = options.reconnect === true;
  if (reconnect && options.logger === undefined) {
    throw new TypeError(
      'connectRedis: a logger is needed with reconnect: true (its outages are logged)',
    );
  }
  const where = redactUrl(config.redisUrl);
  const redis = createRedis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: options.timeoutMs ?? 5000,
    ...(reconnect
      ? { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: reconnectDelay }
      : { maxRetriesPerRequest: 1, retryStrategy: () => null }),
  });
  let lastError: NodeJS.ErrnoException | undefined;
  const remember = (err: NodeJS.ErrnoException) => {
    lastError = err;
  };
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const cause = lastError ?? (err as NodeJS.ErrnoException);
    throw new Error(`cannot reach Redis at ${where}: ${cause.code ?? cause.message}`);
  }
  if (reconnect) watchOutages(redis, where, options);
  return redis;
}

/** Logs the outages of a reconnecting client through RedisOutage; a quit is none. */
function watchOutages(redis: Redis, where: string, options: ConnectRedisOptions): void {
  const outage = new RedisOutage({
    logger: options.logger as Logger,
    where,
    ...(options.lines === undefined ? {} : { lines: options.lines }),
  });
  redis.on('error', (err) => outage.report(err));
  redis.on('close', () => {
    // after quit() or disconnect() the client is 'end' by now: not an outage
    setImmediate(() => {
      if (redis.status !== 'end') outage.report(new Error('Connection is closed.'));
    });
  });
  redis.on('ready', () => outage.recovered());
}
