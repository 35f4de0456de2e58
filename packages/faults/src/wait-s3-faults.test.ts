/**
 * `kpress enqueue --wait` while S3 answers nothing but 503 SlowDown for longer
 * than the SDK's own retries last: the wait says so, keeps looking, and
 * returns the summary once S3 answers again and the batch is done. Before,
 * one exhausted poll ended the command with exit 1 while the batch went on.
 */
import {
  redisUrl,
  type S3Server,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
} from '@kpress/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkBatch, waitForObject } from './batch-check.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import {
  assertCliBuilt,
  kpress,
  obliterateQueue,
  startWorkers,
  stopWorkers,
} from './kpress-cli.js';
import { sampleVariants } from './sample-variants.js';

let s3: S3Server;
let proxy: FaultProxy;
const queue = uniqueQueueName('kpress-faults-wait-s3');

beforeAll(async () => {
  assertCliBuilt();
  s3 = await startS3Server({ buckets: ['src', 'dst'] });
  proxy = await startFaultProxy({ target: s3.endpoint, seed: 7 });
});

afterAll(async () => {
  await proxy?.close();
  await obliterateQueue(redisUrl(), queue);
  await s3?.close();
});

it('enqueue --wait rides out S3 errors that outlast the SDK retries', async () => {
  await uploadFixtures(s3.client, 'src', 'in/', await sampleVariants(4));
  const base = { ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queue };
  const batch = 'wait-s3-faults';
  // the producer talks to S3 through the proxy; the worker, started later, directly
  const run = kpress(
    ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch, '--wait', '--json'],
    { ...base, S3_ENDPOINT: proxy.endpoint },
  );
  await waitForObject(s3.client, 'dst', `out/_kpress/${batch}/listing.json`, 60_000);
  proxy.setRates({ slowDown: 1 });
  await run.waitForLine(/S3 did not answer this time/, 60_000);
  proxy.setRates({});

  const workers = await startWorkers(1, base);
  const exit = await run.waitForExit();
  expect(exit.code, run.stderr.slice(-20).join('\n')).toBe(0);
  const summary = JSON.parse(run.stdout.join('\n'));
  expect(summary.counts.total).toBe(4);
  expect(await stopWorkers(workers)).toEqual([{ code: 0, signal: null }]);
  expect(proxy.counts.slowDown).toBeGreaterThan(0);

  const check = await checkBatch(s3.client, {
    sourceBucket: 'src',
    sourcePrefix: 'in/',
    destBucket: 'dst',
    destPrefix: 'out/',
    batchId: batch,
  });
  expect(check).toMatchObject({ objects: 4, rows: 4, duplicates: 0, lost: 0, summaryTotal: 4 });
}, 150_000);
