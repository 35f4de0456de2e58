/**
 * finalizeBatch against RGW and s3rver and Redis (no worker processes): a source
 * without a record is queued again under a new round; once every source has
 * a record the manifests hold exactly one row per source; after the last
 * round, still-missing sources become failed rows.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createLogger, createRedis, loadConfig } from '@kpress/config';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { BatchTracker, createQueue, jobIdFor, type KpressQueue } from '@kpress/queue';
import { Storage } from '@kpress/storage';
import {
  redisUrl,
  type S3Server,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
  testS3Kinds,
} from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizeBatch } from './finalize.js';
import { recordKeyOf, writeRecord } from './record.js';

describe.each(testS3Kinds())('finalize on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  let queue: KpressQueue;
  let redis: ReturnType<typeof createRedis>;
  let tracker: BatchTracker;
  const queueName = uniqueQueueName('kpress-finalize');
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['fin-src', 'fin-dst'] });
    const config = loadConfig({ ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName });
    storage = new Storage({ client: s3.client });
    queue = createQueue(config);
    redis = createRedis(config.redisUrl);
    tracker = new BatchTracker(redis, queueName);
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await redis?.quit();
    await s3?.close();
  });

  function row(key: string): ManifestRow {
    return {
      key,
      status: 'failed',
      originalBytes: 3,
      outputKey: null,
      outputBytes: null,
      width: null,
      height: null,
      colors: null,
      psnr: null,
      ms: 1,
      error: 'not an image',
    };
  }

  async function text(key: string): Promise<string> {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: 'fin-dst', Key: key }));
    return (r.Body as { transformToString(): Promise<string> }).transformToString();
  }

  describe('finalizeBatch', () => {
    it('re-queues sources without a record, then writes one row per source', async () => {
      const batchId = 'fin-a';
      const data = { batchId, source: 's3://fin-src/a/', dest: 's3://fin-dst/a-out/' };
      const keys = await uploadFixtures(s3.client, 'fin-src', 'a/', {
        x: 'x',
        'y z': 'y',
        'é+%': 'z',
      });
      await storage.putJson('fin-dst', `a-out/_kpress/${batchId}/batch.json`, {
        version: 1,
        batchId,
        source: data.source,
        dest: data.dest,
        options: { colors: 16, seed: 1 },
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      const [first, ...rest] = keys as [string, ...string[]];
      await writeRecord(
        storage,
        'fin-dst',
        recordKeyOf(first, 'a/', 'a-out/', batchId),
        row(first),
      );

      const ctx = { storage, queue, tracker, logger };
      const r1 = await finalizeBatch(data, ctx);
      expect(r1).toEqual({ kind: 'requeued', round: 1, missing: 2 });
      for (const key of rest) {
        expect(await queue.getJobState(`${jobIdFor(batchId, key)}.r1`)).toBe('waiting');
      }
      expect(await tracker.pending(batchId)).toBe(2);
      expect(await storage.exists('fin-dst', `a-out/_kpress/${batchId}/summary.json`)).toBe(false);

      for (const key of rest) {
        await writeRecord(storage, 'fin-dst', recordKeyOf(key, 'a/', 'a-out/', batchId), row(key));
      }
      const r2 = await finalizeBatch(data, ctx);
      expect(r2).toEqual({ kind: 'written', total: 3 });
      const lines = (await text(`a-out/_kpress/${batchId}/manifest.jsonl`)).trimEnd().split('\n');
      expect(lines.map((l) => parseRow(l).key)).toEqual(keys);
      const summary = JSON.parse(await text(`a-out/_kpress/${batchId}/summary.json`));
      expect(summary.counts).toEqual({
        total: 3,
        compressed: 0,
        keptOriginal: 0,
        failed: 3,
        sourceDeleted: 0,
      });
      expect(await finalizeBatch(data, ctx)).toEqual({ kind: 'already-done' });
    });

    it('after the last round, gives a failed row to each source still without a record', async () => {
      const batchId = 'fin-b';
      const data = { batchId, source: 's3://fin-src/b/', dest: 's3://fin-dst/b-out/' };
      const keys = await uploadFixtures(s3.client, 'fin-src', 'b/', { lost: 'q' });
      await storage.putJson('fin-dst', `b-out/_kpress/${batchId}/batch.json`, {
        version: 1,
        batchId,
        source: data.source,
        dest: data.dest,
        options: { colors: 16, seed: 1 },
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      const ctx = { storage, queue, tracker, logger, maxRounds: 0 };
      const r1 = await finalizeBatch(data, ctx);
      expect(r1.kind).toBe('requeued');
      const r2 = await finalizeBatch(data, ctx);
      expect(r2).toEqual({ kind: 'written', total: 1 });
      const [line] = (await text(`b-out/_kpress/${batchId}/manifest.jsonl`)).trimEnd().split('\n');
      expect(parseRow(line as string)).toMatchObject({ key: keys[0], status: 'failed' });
      expect(parseRow(line as string).error).toMatch(/no result after 1 round of attempts/);
    });
  });
});
