import { toCliError } from '@kpress/cli-kit';
import type { Config, Redis } from '@kpress/config';
import type { BatchTracker, KpressQueue } from '@kpress/queue';
import type { Storage } from '@kpress/storage';

/** What the operator's commands (status, cancel, batches) talk to; `close()` ends it all. */
export interface QueueSession {
  readonly config: Config;
  readonly redis: Redis;
  readonly queue: KpressQueue;
  readonly tracker: BatchTracker;
  readonly storage: Storage;
  close(): Promise<void>;
}

/**
 * Connects to Redis (one clear error when it does not answer within 5 s) and
 * opens the queue and S3 clients. Loaded on use, so other commands start
 * without them.
 */
export async function openQueueSession(config: Config): Promise<QueueSession> {
  const [{ BatchTracker, connectRedis, createQueue }, { Storage }] = await Promise.all([
    import('@kpress/queue'),
    import('@kpress/storage'),
  ]);
  const redis = await connectRedis(config);
  const queue = createQueue(config);
  queue.on('error', () => {
    // connection trouble: the commands' own calls fail and say so
  });
  const storage = new Storage({ config });
  return {
    config,
    redis,
    queue,
    tracker: new BatchTracker(redis, config.queueName),
    storage,
    async close() {
      await queue.close().catch(() => {});
      await redis.quit().catch(() => redis.disconnect());
      storage.close();
    },
  };
}

/**
 * Runs `body` with a session, closed afterwards whatever happens; any error
 * (the connection's included) leaves as one `kpress:` line, exit 1.
 */
export async function withQueueSession<T>(
  config: Config,
  body: (session: QueueSession) => Promise<T>,
): Promise<T> {
  let session: QueueSession;
  try {
    session = await openQueueSession(config);
  } catch (err) {
    throw toCliError(err);
  }
  try {
    return await body(session);
  } catch (err) {
    throw toCliError(err);
  } finally {
    await session.close();
  }
}
