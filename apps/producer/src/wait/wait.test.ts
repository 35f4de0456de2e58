import { Writable } from 'node:stream';
import { createLogger, createRedis, loadConfig } from '@kpress/config';
import { createQueue, queueDepth } from '@kpress/queue';
import {
  type RedisServer,
  type S3Server,
  startRedisServer,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
  testS3Kinds,
  removeQueueKeys,
} from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBatchFile } from '../enqueue/batch-files.js';
import { BatchMarker } from './batch-marker.js';
import { enqueue } from '../enqueue/enqueue.js';
import { rerunCommand, waitForBatch } from './wait.js';
import { connectWatchedRedis } from './watched-redis.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ pretty: false, destination: stream });
  const messages = () => lines.map((l) => String(JSON.parse(l).msg));
  return { logger, messages };
}

describe.each(testS3Kinds())('wait on %s', (kind) => {
  let s3: S3Server;
  let redis: RedisServer;

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['src', 'dst'] });
    redis = await startRedisServer();
    // enqueue and waitForBatch make their S3 clients from config + the SDK's credential chain
    process.env.AWS_ACCESS_KEY_ID = s3.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = s3.env.AWS_SECRET_ACCESS_KEY;
  });

  afterAll(async () => {
    await redis?.close();
    await s3?.close();
  });

  const configFor = (queue: string) =>
    loadConfig({ ...s3.env, REDIS_URL: redis.url, KPRESS_QUEUE: queue });

  describe('rerunCommand', () => {
    it('names source, destination, batch and every option', () => {
      const batch = {
        batchId: 'b1',
        source: 's3://a/in/',
        dest: 's3://b/out/',
        options: { colors: 32, seed: 7, quality: 40 },
      };
      expect(rerunCommand(batch)).toBe(
        'kpress enqueue s3://a/in/ --dest s3://b/out/ --batch b1 --colors 32 --seed 7 --quality 40 --effort 3 --wait',
      );
    });

    it('names the effort, --strip-metadata and the key list the batch was made with', () => {
      const batch = {
        batchId: 'b2',
        source: 's3://a/in/',
        dest: 's3://b/out/',
        options: { colors: 16, seed: 1, effort: 5, stripMetadata: true },
        keyList: { kind: 'inventory' as const, url: 's3://inv/manifest.json' },
      };
      expect(rerunCommand(batch)).toBe(
        'kpress enqueue s3://a/in/ --dest s3://b/out/ --batch b2 --colors 16 --seed 1 --effort 5 --strip-metadata --inventory s3://inv/manifest.json --wait',
      );
    });
  });

  describe('waitForBatch', () => {
    it('refuses a bad maxReenqueues, naming it', async () => {
      await expect(
        waitForBatch({ dest: 's3://dst/x/', batchId: 'b', maxReenqueues: -1 }),
      ).rejects.toThrow(/maxReenqueues must be an integer >= 0, got -1/);
    });

    it('re-enqueues a batch whose marker is gone, at most maxReenqueues times, then names the rerun command', async () => {
      const queueName = uniqueQueueName('kpress-wait');
      const config = configFor(queueName);
      await uploadFixtures(s3.client, 'src', 'lost/', {
        'a.txt': 'not an image',
        'b.txt': 'nor this',
      });
      const first = await enqueue({
        source: 's3://src/lost/',
        dest: 's3://dst/lost/',
        batchId: 'lost1',
        // the fixed palette the rerun command below spells (the default is the target now)
        options: { colors: 16 },
        config,
        logger: createLogger({ level: 'silent' }),
      });
      expect(first.enqueued).toBe(2);
      const admin = createRedis(redis.url);
      const queue = createQueue(config);
      try {
        const marker = new BatchMarker(admin, queueName);
        expect(await admin.exists(marker.key('lost1'))).toBe(1);
        // no worker runs: the batch can only end by losing Redis too often
        await admin.flushall(); // Redis loses everything, as a restart without persistence
        const { logger, messages } = sink();
        const waiting = waitForBatch({
          dest: 's3://dst/lost/',
          batchId: 'lost1',
          config,
          logger,
          pollMs: 20,
          maxReenqueues: 1,
        });
        const settled = waiting.then(
          () => undefined,
          (err: Error) => err,
        );
        // the first loss is repaired: the jobs and the marker are back
        const reenqueued = () => messages().some((m) => /re-enqueued it automatically/.test(m));
        while (!reenqueued()) await new Promise((r) => setTimeout(r, 10));
        expect(await admin.exists(marker.key('lost1'))).toBe(1);
        expect(await queueDepth(queue)).toBe(2);
        expect(messages().filter((m) => /re-enqueued it automatically \(1 of 1\)/.test(m))).toEqual(
          [
            "Redis lost the batch's queued jobs (restarted empty or flushed): re-enqueued it automatically (1 of 1): 2 queued again, 0 already done",
          ],
        );
        await admin.flushall(); // lost again: past the bound
        const err = await settled;
        expect(err).toBeInstanceOf(Error);
        expect(err?.message).toContain('after 1 automatic re-enqueue(s); gave up');
        expect(err?.message).toContain(
          'kpress enqueue s3://src/lost/ --dest s3://dst/lost/ --batch lost1 --colors 16 --seed 1 --effort 3 --wait',
        );
      } finally {
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
        await removeQueueKeys(queue.name);
        await admin.quit();
      }
    });

    it('returns the summary at once when summary.json exists, and clears the marker', async () => {
      const queueName = uniqueQueueName('kpress-wait');
      const config = configFor(queueName);
      const { Storage, batchFileKeys } = await import('@kpress/storage');
      const storage = new Storage({ config });
      const summary = {
        batchId: 'done1',
        source: 's3://src/none/',
        dest: 's3://dst/done/',
        colors: 16,
        startedAt: '2024-01-01T00:00:00.000Z',
        finishedAt: '2024-01-01T00:00:01.000Z',
        counts: {
          total: 0,
          compressed: 0,
          keptOriginal: 0,
          failed: 0,
          sourceDeleted: 0,
          qualityMissed: 0,
        },
        bytes: { original: 0, output: 0, saved: 0 },
        savedRatio: 0,
      };
      await openBatchFile(storage, 'dst', 'done/', {
        batchId: 'done1',
        source: 's3://src/none/',
        dest: 's3://dst/done/',
        options: { colors: 16, seed: 1 },
      });
      await storage.putJson('dst', batchFileKeys('done/', 'done1').summary, summary);
      storage.close();
      const admin = createRedis(redis.url);
      try {
        const marker = new BatchMarker(admin, queueName);
        await marker.set('done1');
        const got = await waitForBatch({
          dest: 's3://dst/done/',
          batchId: 'done1',
          config,
          logger: createLogger({ level: 'silent' }),
          maxReenqueues: 0,
        });
        expect(got.counts.total).toBe(0);
        expect(await admin.exists(marker.key('done1'))).toBe(0);
      } finally {
        await admin.quit();
      }
    });
  });

  describe('connectWatchedRedis', () => {
    it('reconnects after a Redis restart and says so once each way, with no password', async () => {
      const server = await startRedisServer({ password: 'pw-not-in-logs' });
      const { logger, messages } = sink();
      const watched = await connectWatchedRedis({ redisUrl: server.url }, logger);
      try {
        await watched.redis.set('k', '1');
        await server.restart();
        // commands fail at once while it is down, then work again without a new client
        let back = false;
        while (!back) {
          back = await watched.redis.ping().then(
            () => true,
            () => false,
          );
          if (!back) await new Promise((r) => setTimeout(r, 20));
        }
        expect(await watched.redis.get('k')).toBeNull(); // it came back empty
        expect(messages()).toEqual([
          `Redis connection to redis://:***@127.0.0.1:${server.port} lost: reconnecting`,
          `Redis connection to redis://:***@127.0.0.1:${server.port} is back`,
        ]);
      } finally {
        await watched.close();
        await server.close();
      }
    });

    it('names the redacted URL when Redis does not answer', async () => {
      const { logger } = sink();
      await expect(
        connectWatchedRedis({ redisUrl: 'redis://:secret-pw@127.0.0.1:1' }, logger, 500),
      ).rejects.toThrow(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: /);
    });
  });
});
