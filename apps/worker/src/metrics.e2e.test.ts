/**
 * Worker metrics and health over real things: a `kpress worker` child process
 * with KPRESS_METRICS_PORT, Redis, RGW and s3rver on loopback, real images.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@kpress/config';
import { createQueue, JOB_NAMES, jobIdFor, type KpressQueue } from '@kpress/queue';
import {
  freePort,
  type ProcessHandle,
  redisUrl,
  type S3Server,
  samplePath,
  spawnProcess,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
  testS3Kinds,
  removeQueueKeys,
} from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const BATCH = '20250101-000000-abcdef';

describe.each(testS3Kinds())('metrics.e2e on %s', (kind) => {
  let s3: S3Server;
  let queue: KpressQueue;
  let worker: ProcessHandle;
  const queueName = uniqueQueueName('kpress-metrics');

  /** A sample of the metric `line` (e.g. `kpress_jobs_total{outcome="failed"}`), or undefined. */
  function sample(text: string, line: string): number | undefined {
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.slice(line.length + 1));
  }

  async function scrapeUntil(base: string, done: (text: string) => boolean): Promise<string> {
    for (;;) {
      const text = await (await fetch(`${base}/metrics`)).text();
      if (done(text)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['src', 'dst'] });
    queue = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName }));
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await queue?.obliterate({ force: true });
    await queue?.close();
    await removeQueueKeys(queueName);
    await s3?.close();
  });

  describe('worker metrics and health (child process)', () => {
    it('counts jobs, bytes and stages on /metrics; /healthz 200, then 503 or closed after SIGTERM', async () => {
      const port = await freePort();
      worker = spawnProcess(process.execPath, [BIN, 'worker', '--concurrency', '1'], {
        env: {
          ...s3.env,
          REDIS_URL: redisUrl(),
          KPRESS_QUEUE: queueName,
          KPRESS_METRICS_PORT: String(port),
          LOG_LEVEL: 'info',
        },
      });
      await worker.waitForLine(/worker ready/);
      const base = `http://127.0.0.1:${port}`;

      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        ok: true,
        state: 'running',
        redis: 'ready',
        queue: queueName,
      });
      const before = await (await fetch(`${base}/metrics`)).text();
      expect(sample(before, 'kpress_jobs_total{outcome="compressed"}')).toBe(0);
      expect(before).toContain('process_resident_memory_bytes');
      expect(sample(before, 'kpress_queue_depth')).toBe(0);

      const keys = await uploadFixtures(s3.client, 'src', 'in/', {
        'chelsea.png': { path: samplePath('chelsea.png') },
        'bad.jpg': 'not a jpeg at all',
      });
      // workers run only jobs that their batch's batch.json confirms
      const batchFile = {
        version: 1,
        batchId: BATCH,
        source: 's3://src/in/',
        dest: 's3://dst/out/',
        options: { colors: 16, seed: 1 },
        createdAt: new Date().toISOString(),
      };
      await s3.client.send(
        new PutObjectCommand({
          Bucket: 'dst',
          Key: `out/_kpress/${BATCH}/batch.json`,
          Body: JSON.stringify(batchFile),
        }),
      );
      for (const key of keys) {
        await queue.add(
          JOB_NAMES.compress,
          {
            batchId: BATCH,
            source: 's3://src/in/',
            dest: 's3://dst/out/',
            key,
            size: 1,
            colors: 16,
            seed: 1,
          },
          { jobId: jobIdFor(BATCH, key) },
        );
      }
      const text = await scrapeUntil(
        base,
        (t) =>
          sample(t, 'kpress_jobs_total{outcome="compressed"}') === 1 &&
          sample(t, 'kpress_jobs_total{outcome="copied"}') === 1,
      );
      // bad.jpg is not an image: copied byte for byte (issue 26; it was a failed job)
      expect(sample(text, 'kpress_jobs_total{outcome="failed"}')).toBe(0);
      expect(sample(text, 'kpress_jobs_total{outcome="kept-original"}')).toBe(0);
      expect(sample(text, 'kpress_jobs_total{outcome="retried"}')).toBe(0);
      // bytes count both jobs: chelsea.png and bad.jpg's 17 bytes in, the palette PNG and the copy out
      const bad = 'not a jpeg at all'.length;
      expect(sample(text, 'kpress_bytes_in_total')).toBe(240512 + bad);
      const out = sample(text, 'kpress_bytes_out_total') ?? 0;
      expect(out).toBeGreaterThan(bad);
      expect(out).toBeLessThan(240512);
      expect(sample(text, 'kpress_stage_seconds_count{stage="get"}')).toBe(2);
      expect(sample(text, 'kpress_stage_seconds_count{stage="record"}')).toBe(2);
      expect(sample(text, 'kpress_stage_seconds_count{stage="put"}')).toBe(2);
      for (const stage of ['decode', 'quantize', 'score', 'encode']) {
        expect(sample(text, `kpress_stage_seconds_count{stage="${stage}"}`), stage).toBe(1);
      }

      worker.kill('SIGTERM');
      // From the signal on, /healthz stops saying 200: 503 while the worker closes,
      // then nothing listens (the signal arrives asynchronously: look until it has).
      let after: number | 'closed' = 200;
      while (after === 200) {
        after = await fetch(`${base}/healthz`).then(
          async (r) => {
            if (r.status === 503)
              expect(await r.json()).toMatchObject({ ok: false, state: 'closing' });
            else await r.body?.cancel();
            return r.status;
          },
          () => 'closed' as const,
        );
      }
      expect([503, 'closed']).toContain(after);
      expect(await worker.waitForExit()).toEqual({ code: 0, signal: null });
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    });
  });
});
