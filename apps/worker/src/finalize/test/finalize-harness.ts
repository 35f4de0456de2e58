/**
 * What the finalize tests share: a real S3 server of one kind with two
 * buckets, a queue, a Redis client and a BatchTracker on a queue of their
 * own, started before the tests of a `describe` and stopped after them, and
 * the failed manifest row the tests write as a record.
 */
import { createLogger, createRedis, type Logger, loadConfig, type Redis } from '@kpress/config';
import type { ManifestRow } from '@kpress/manifest';
import { BatchTracker, createQueue, type KpressQueue } from '@kpress/queue';
import { Storage } from '@kpress/storage';
import {
  redisUrl,
  removeQueueKeys,
  type S3Server,
  startS3Server,
  type testS3Kinds,
  uniqueQueueName,
} from '@kpress/testkit';
import { afterAll, beforeAll } from 'vitest';
import type { FinalizeContext } from '../context.js';

/** The things a finalize test works with; filled in by the `beforeAll` of `finalizeHarness`. */
export interface FinalizeHarness {
  s3: S3Server;
  storage: Storage;
  queue: KpressQueue;
  redis: Redis;
  tracker: BatchTracker;
  ctx: FinalizeContext;
  logger: Logger;
  queueName: string;
}

/** Registers the harness's beforeAll and afterAll in the calling `describe`; its fields are set once beforeAll has run. */
export function finalizeHarness(
  kind: ReturnType<typeof testS3Kinds>[number],
  buckets: [string, string],
  queuePrefix: string,
): FinalizeHarness {
  const h = {
    queueName: uniqueQueueName(queuePrefix),
    logger: createLogger({ level: 'silent' }),
  } as FinalizeHarness;

  beforeAll(async () => {
    h.s3 = await startS3Server({ kind, buckets });
    const config = loadConfig({ ...h.s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: h.queueName });
    h.storage = new Storage({ client: h.s3.client });
    h.queue = createQueue(config);
    h.redis = createRedis(config.redisUrl);
    h.tracker = new BatchTracker(h.redis, h.queueName);
    h.ctx = { storage: h.storage, queue: h.queue, tracker: h.tracker, logger: h.logger };
  });

  afterAll(async () => {
    await h.queue?.obliterate({ force: true });
    await h.queue?.close();
    await h.redis?.quit();
    await removeQueueKeys(h.queueName);
    await h.s3?.close();
  });
  return h;
}

/** The failed row of a source that is "not an image", as the tests write it for a record. */
export function failedRow(key: string, originalBytes: number): ManifestRow {
  return {
    key,
    status: 'failed',
    originalBytes,
    outputKey: null,
    outputBytes: null,
    width: null,
    height: null,
    colors: null,
    psnr: null,
    ms: 1,
    error: `not an image: ${key}`,
  };
}
