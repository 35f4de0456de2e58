import { type Config, createRedis, type Redis, redactUrl } from '@kpress/config';
import { formatS3Url, type S3Location, StorageError, type Storage } from '@kpress/storage';

/**
 * Connects to Redis once, without retrying forever: one clear error naming
 * the (redacted) URL when it does not answer.
 */
export async function connectRedis(
  config: Pick<Config, 'redisUrl'>,
  timeoutMs = 5000,
): Promise<Redis> {
  const redis = createRedis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  let lastError: NodeJS.ErrnoException | undefined;
  redis.on('error', (err: NodeJS.ErrnoException) => {
    lastError = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const cause = lastError ?? (err as NodeJS.ErrnoException);
    const reason = cause.code ?? cause.message;
    throw new Error(`cannot reach Redis at ${redactUrl(config.redisUrl)}: ${reason}`);
  }
  return redis;
}

/** Turns a storage error on `what` into one line for a person. */
export function storageProblem(
  err: unknown,
  what: S3Location,
  role: 'source' | 'destination',
): Error {
  if (err instanceof StorageError) {
    const url = formatS3Url(what);
    if (err.code === 'NoSuchBucket')
      return new Error(`${role} bucket "${what.bucket}" does not exist (${url})`);
    if (err.code === 'AccessDenied') return new Error(`access denied to the ${role} ${url}`);
    return new Error(`cannot read the ${role} ${url}: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Checks that the source can be listed (the bucket exists and we may read it). */
export async function checkSource(storage: Storage, source: S3Location): Promise<void> {
  try {
    for await (const _ of storage.listObjects(source.bucket, source.prefix, { pageSize: 1 })) break;
  } catch (err) {
    throw storageProblem(err, source, 'source');
  }
}
