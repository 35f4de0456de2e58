/**
 * `kpress enqueue --wait` while S3 answers nothing but 503 SlowDown for longer
 * than the SDK's own retries last: the wait says so, keeps looking, and
 * returns the summary once S3 answers again and the batch is done. Before,
 * one exhausted poll ended the command with exit 1 while the batch went on.
 */
import { uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForObject } from './batch-check.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectOneRowEach, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('wait-s3-faults on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-wait-s3' });
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: suite.s3.endpoint, seed: 7 });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('enqueue --wait rides out S3 errors that outlast the SDK retries', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', await sampleVariants(4));
    const base = suite.env();
    const batch = 'wait-s3-faults';
    // the producer talks to S3 through the proxy; the worker, started later, directly
    const run = kpress(
      ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch, '--wait', '--json'],
      { ...base, S3_ENDPOINT: proxy.endpoint },
    );
    await waitForObject(suite.s3.client, 'dst', `out/_kpress/${batch}/listing.json`, 60_000);
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

    expectOneRowEach(await checkSuiteBatch(suite, batch), 4);
  }, 150_000);
});
