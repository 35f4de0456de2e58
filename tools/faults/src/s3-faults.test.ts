/**
 * S3 answering 503 SlowDown, 500 InternalError, dropping connections before the
 * request and in the middle of the response, and answering late: the producer
 * and two workers talk to S3 only through the fault proxy. Transient errors are
 * retried and never recorded as failed images.
 */
import { uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectCleanBatch, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('s3-faults on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-s3' });
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: suite.s3.endpoint, seed: 42, delayMs: 200 });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('the fault proxy answers errors, cuts connections and counts what it injected', async () => {
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    await uploadFixtures(suite.s3.client, 'src', 'probe/', { 'x.bin': Buffer.alloc(4000, 7) });
    const direct = new S3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: suite.s3.credentials,
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
    await uploadFixtures(suite.s3.client, 'src', 'in/', await sampleVariants(40));
    proxy.setRates({
      slowDown: 0.06,
      internalError: 0.06,
      resetRequest: 0.04,
      resetResponse: 0.06,
      delay: 0.05,
    });
    const before = proxy.injected();
    const env = suite.env({ ...FAST_STALL_ENV, S3_ENDPOINT: proxy.endpoint });
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
    expectCleanBatch(await checkSuiteBatch(suite, batch), 40);
    // no worker crashed on the way, and retries were logged as such, not as failed images
    const logs = workers.flatMap((w) => jsonLines(w.stderr));
    expect(logs.filter((l) => l.stage === 'done' && l.status === 'failed')).toEqual([]);
    console.log(
      `s3 faults: ${injected} injected (${JSON.stringify(proxy.counts)}), ` +
        `${logs.filter((l) => l.msg === 'attempt failed, will retry').length} job retries`,
    );
  });
});
