/**
 * The setup every fault-suite test file shares: an S3 server (RGW or s3rver) with its
 * buckets, a unique queue name, Redis (the shared one, or a private
 * redis-server), the CLI-built check, the env a `kpress` process needs, and
 * the standard batch check under `s3://src/in/` -> `s3://dst/out/`.
 */
import {
  type RedisServer,
  type RedisServerOptions,
  redisUrl,
  type S3Server,
  type S3ServerKind,
  startRedisServer,
  startS3Server,
  uniqueQueueName,
} from '@kpress/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { type BatchCheck, checkBatch } from '../batch-check.js';
import { assertCliBuilt, obliterateQueue } from '../kpress-cli.js';

export interface FaultSuiteOptions {
  /** Which S3 server (`describe.each(testS3Kinds())` hands it over). */
  kind: S3ServerKind;
  /** Prefix for `uniqueQueueName`. */
  queuePrefix: string;
  /** Buckets created on the S3 server; default `['src', 'dst']`. */
  buckets?: string[];
  /**
   * Start a private redis-server (no persistence) with these options, closed
   * after the file; default none: the shared Redis at `redisUrl()`, whose queue
   * is obliterated after the file.
   */
  privateRedis?: RedisServerOptions;
}

/** Filled in by the `beforeAll` hook: read the fields inside tests and hooks only. */
export interface FaultSuite {
  readonly s3: S3Server;
  /** The private redis-server (throws when the suite uses the shared Redis). */
  readonly redis: RedisServer;
  readonly queue: string;
  readonly redisUrl: string;
  /** `s3.env` + `REDIS_URL` + `KPRESS_QUEUE`, then `extra` (which may override any of them). */
  env(extra?: Record<string, string>): Record<string, string>;
}

/**
 * Registers the file's `beforeAll` (CLI built, S3 started, private Redis
 * started) and `afterAll` (queue obliterated or private Redis closed, S3
 * closed). Hooks the file registers afterwards run after these on the way in
 * and before them on the way out (vitest's default `stack` hook order).
 */
export function useFaultSuite(options: FaultSuiteOptions): FaultSuite {
  const queue = uniqueQueueName(options.queuePrefix);
  let s3: S3Server | undefined;
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    assertCliBuilt();
    s3 = await startS3Server({ kind: options.kind, buckets: options.buckets ?? ['src', 'dst'] });
    if (options.privateRedis) redis = await startRedisServer(options.privateRedis);
  });
  afterAll(async () => {
    if (options.privateRedis) await redis?.close();
    else await obliterateQueue(redisUrl(), queue);
    await s3?.close();
  });
  const started = (): S3Server => {
    if (s3 === undefined)
      throw new Error('fault suite: S3 is not started yet (use it inside tests)');
    return s3;
  };
  const suite: FaultSuite = {
    get s3() {
      return started();
    },
    get redis() {
      if (redis === undefined) {
        throw new Error(
          `fault suite "${options.queuePrefix}": no private redis-server (privateRedis not set or not started yet)`,
        );
      }
      return redis;
    },
    queue,
    get redisUrl() {
      return options.privateRedis ? suite.redis.url : redisUrl();
    },
    env: (extra = {}) => ({
      ...started().env,
      REDIS_URL: suite.redisUrl,
      KPRESS_QUEUE: queue,
      ...extra,
    }),
  };
  return suite;
}

/** `checkBatch` for `s3://src/in/` compressed to `s3://dst/out/` as `batchId`. */
export function checkSuiteBatch(suite: FaultSuite, batchId: string): Promise<BatchCheck> {
  return checkBatch(suite.s3.client, {
    sourceBucket: 'src',
    sourcePrefix: 'in/',
    destBucket: 'dst',
    destPrefix: 'out/',
    batchId,
  });
}

/** `sources` objects, one row each, none lost or doubled, and a summary counting them all. */
export function expectOneRowEach(check: BatchCheck, sources: number): void {
  expect(check).toMatchObject({
    objects: sources,
    rows: sources,
    duplicates: 0,
    lost: 0,
    summaryTotal: sources,
  });
}

/** `expectOneRowEach`, and no failed row, bad output or extra row. */
export function expectCleanBatch(check: BatchCheck, sources: number): void {
  expectOneRowEach(check, sources);
  expect(check.failed, JSON.stringify(check.failed)).toEqual([]);
  expect(check.badOutputs).toEqual([]);
  expect(check.extra).toEqual([]);
}
