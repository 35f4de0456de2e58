import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from './redact.js';

/** Reconnect delay for the n-th attempt: 100 ms doubling up to 5 s, with jitter. */
export function reconnectDelay(times: number): number {
  const base = Math.min(100 * 2 ** Math.max(0, times - 1), 5000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/**
 * ioredis options from a `redis://` or `rediss://` (TLS) URL:
 * `redis://[user[:password]@]host[:port][/db]`. Sets
 * `maxRetriesPerRequest: null` (BullMQ workers require it) and a reconnect
 * strategy with exponential backoff (100 ms doubling to 5 s, jittered, forever).
 * Throws a `TypeError` naming the (redacted) URL when it is not valid.
 */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`REDIS_URL "${redactUrl(url)}" is not a valid URL`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new TypeError(
      `REDIS_URL "${redactUrl(url)}" must start with redis:// or rediss://, not ${u.protocol}//`,
    );
  }
  if (u.hostname === '') throw new TypeError(`REDIS_URL "${redactUrl(url)}" has no host`);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^[0-9]+$/.test(dbText)) {
    throw new TypeError(
      `REDIS_URL "${redactUrl(url)}" has database "${dbText}": expected a number such as /0`,
    );
  }
  // URL keeps IPv6 hosts in brackets; ioredis wants them bare
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port: u.port === '' ? 6379 : Number(u.port),
    db: dbText === '' ? 0 : Number(dbText),
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelay,
  };
  if (u.username !== '') options.username = decodeURIComponent(u.username);
  if (u.password !== '') options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = { servername: host };
  return options;
}

/**
 * A new ioredis client for `url` (see `redisOptions`); `overrides` win over the
 * derived options. Close it with `quit()` (or `disconnect()`).
 */
export function createRedis(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptions(url), ...overrides });
}
