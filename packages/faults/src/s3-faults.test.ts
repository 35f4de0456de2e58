/**
 * S3 answering 503 SlowDown, 500 InternalError, dropping connections before the
 * request and in the middle of the response, and answering late: the producer
 * and two workers talk to S3 only through the fault proxy. Transient errors are
 * retried and never recorded as failed images.
 */
import {
  redisUrl,
  type S3Server,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
} from '@kpress/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkBatch } from './batch-check.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import {
  assertCliBuilt,
  FAST_STALL_ENV,
  kpress,
  obliterateQueue,
  startWorkers,
  stopWorkers,
} from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';

let s3: S3Server;
let proxy: FaultProxy;
const queue = uniqueQueueName('kpress-faults-s3');

beforeAll(async () => {
  assertCliBuilt();
  s3 = await startS3Server({ buckets: ['src', 'dst'] });
  proxy = await startFaultProxy({ target: s3.endpoint, seed: 42, delayMs: 200 });
});

afterAll(async () => {
  await proxy?.close();
  await obliterateQueue(redisUrl(), queue);
  await s3?.close();
});

it('the fault proxy answers errors, cuts connections and counts what it injected', async () => {
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  await uploadFixtures(s3.client, 'src', 'probe/', { 'x.bin': Buffer.alloc(4000, 7) });
  const direct = new S3Client({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  try {
    const get = async () => {
      const r = await direct.send(new GetObjectCommand({ Bucket: 'src', Key: 'probe/x.bin' }));
      return (await r.Body?.transformToByteArray())?.length;
    };
    proxy.setRates({ slowDown: 1 });
    await expect(get()).rejects.toMatchObject({ name: 'SlowDown' });
    proxy.setRates({ internalError: 1 });
    await expect(get()).rejects.toMatchObject({ name: 'InternalError' });
    proxy.setRates({ resetRequest: 1 });
    await expect(get()).rejects.toThrow();
    proxy.setRates({ resetResponse: 1 });
    await expect(get()).rejects.toThrow();
    proxy.setRates({});
    expect(await get()).toBe(4000);
    expect(proxy.counts).toMatchObject({ slowDown: 1, internalError: 1, resetRequest: 1 });
    expect(proxy.counts.resetResponse).toBe(1);
    expect(() => proxy.setRates({ delay: 1.5 })).toThrow(/rates.delay.*1.5/);
    expect(() => proxy.setRates({ delay: 0.6, slowDown: 0.6 })).toThrow(/sum/);
  } finally {
    direct.destroy();
  }
});

it('a batch through S3 faults completes with the right rows and no transient error as a failure', async () => {
  await uploadFixtures(s3.client, 'src', 'in/', await sampleVariants(40));
  proxy.setRates({
    slowDown: 0.06,
    internalError: 0.06,
    resetRequest: 0.04,
    resetResponse: 0.06,
    delay: 0.05,
  });
  const before = proxy.injected();
  const env = {
    ...s3.env,
    ...FAST_STALL_ENV,
    S3_ENDPOINT: proxy.endpoint,
    REDIS_URL: redisUrl(),
    KPRESS_QUEUE: queue,
  };
  const workers = await startWorkers(2, env, 2);
  const batch = 's3-faults';
  const run = kpress(
    ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch, '--wait', '--json'],
    env,
  );
  const exit = await Promise.race([
    run.waitForExit(),
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        const tail = (lines: string[]) => lines.slice(-15).join('\n');
        reject(
          new Error(
            `batch did not finish; enqueue:\n${tail(run.stderr)}\nworkers:\n${workers.map((w) => tail(w.stderr)).join('\n--\n')}`,
          ),
        );
      }, 120_000),
    ),
  ]);
  expect(exit.code, run.stderr.slice(-20).join('\n')).toBe(0);
  proxy.setRates({});
  const exits = await stopWorkers(workers);
  for (const e of exits) expect(e).toEqual({ code: 0, signal: null });

  const injected = proxy.injected() - before;
  expect(injected).toBeGreaterThan(20);
  const check = await checkBatch(s3.client, {
    sourceBucket: 'src',
    sourcePrefix: 'in/',
    destBucket: 'dst',
    destPrefix: 'out/',
    batchId: batch,
  });
  expect(check).toMatchObject({ objects: 40, rows: 40, duplicates: 0, lost: 0, summaryTotal: 40 });
  expect(check.failed).toEqual([]);
  expect(check.badOutputs).toEqual([]);
  expect(check.extra).toEqual([]);
  // no worker crashed on the way, and retries were logged as such, not as failed images
  const logs = workers.flatMap((w) => jsonLines(w.stderr));
  expect(logs.filter((l) => l.stage === 'done' && l.status === 'failed')).toEqual([]);
  console.log(
    `s3 faults: ${injected} injected (${JSON.stringify(proxy.counts)}), ` +
      `${logs.filter((l) => l.msg === 'attempt failed, will retry').length} job retries`,
  );
});
