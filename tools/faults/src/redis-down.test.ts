/**
 * A worker whose Redis does not answer: it logs one structured line per
 * outage (not a stack trace per reconnect), keeps trying, and on SIGTERM exits
 * 0 well inside its 120 s grace period, whether Redis was down from the start
 * or died under the jobs in hand. The records those jobs wrote are kept: with
 * Redis back (empty), enqueuing the batch again finishes it with one row each.
 */
import { freePort, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { FAST_STALL_ENV, kpress, startWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectOneRowEach, useFaultSuite } from './test/fault-suite.js';

/** The Kubernetes grace period the worker's deployment gives (infra/k8s/worker-deployment.yaml). */
const GRACE_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exit code and how long after `start` the process exited. */
async function exitAfter(w: ReturnType<typeof kpress>, start: number) {
  const exit = await w.waitForExit();
  return { ...exit, ms: Date.now() - start };
}

describe.each(testS3Kinds())('redis-down on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-redis-down', privateRedis: {} });

  it('Redis down from the start: one structured line, then SIGTERM exits 0', async () => {
    const env = suite.env({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const worker = kpress(['worker', '--concurrency', '1'], env);
    await worker.waitForLine(/does not answer/);
    await sleep(4000); // ioredis retries about 15 times in this while
    const sigterm = Date.now();
    worker.kill('SIGTERM');
    const exit = await exitAfter(worker, sigterm);
    expect(exit.code, worker.stderr.slice(-5).join('\n')).toBe(0);
    expect(exit.ms).toBeLessThan(GRACE_MS);
    // every line is a JSON log line; Redis is mentioned once (no reminder within 10 s)
    expect(worker.stderr.filter((l) => !l.startsWith('{'))).toEqual([]);
    const redisLines = jsonLines(worker.stderr).filter((l) => l.stage === 'redis');
    expect(redisLines.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /^Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)/,
      ),
    ]);
    expect(jsonLines(worker.stderr).at(-1)?.msg).toBe('closed');
    console.log(`worker without Redis: exit 0 ${exit.ms} ms after SIGTERM`);
  });

  it('Redis dies under the jobs in hand: SIGTERM exits 0; the batch finishes once Redis is back', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', await sampleVariants(30));
    const env = suite.env(FAST_STALL_ENV);
    const [worker] = await startWorkers(1, env, 2);
    if (worker === undefined) throw new Error('no worker');
    const batch = 'redis-down';
    const args = ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch];
    const first = kpress(args, env);
    expect((await first.waitForExit()).code, first.stderr.join('\n')).toBe(0);
    const done = () => jsonLines(worker.stderr).filter((l) => l.stage === 'done').length;
    while (done() < 4) await sleep(10);
    await suite.redis.kill();
    await worker.waitForLine(/does not answer/);
    const sigterm = Date.now();
    worker.kill('SIGTERM');
    const exit = await exitAfter(worker, sigterm);
    expect(exit.code, worker.stderr.slice(-8).join('\n')).toBe(0);
    expect(exit.ms).toBeLessThan(GRACE_MS);
    expect(worker.stderr.filter((l) => !l.startsWith('{'))).toEqual([]);
    const msgs = jsonLines(worker.stderr).map((l) => l.msg);
    expect(msgs).toContain(
      'Redis is down: closing without it; the jobs in hand keep their S3 records and go back to the queue at its stall check',
    );
    // what the jobs in hand awaited of Redis failed at the cut: they ended, the safety net was not needed
    expect(msgs).not.toContain('jobs in hand did not end without Redis: leaving them');
    const doneBefore = done();
    expect(doneBefore).toBeLessThan(30);

    // Redis back, empty: the same enqueue queues what has no record, and a new worker ends it
    await suite.redis.restart();
    const [second] = await startWorkers(1, env, 2);
    const again = kpress([...args, '--wait', '--json'], env);
    const end = await again.waitForExit();
    expect(end.code, again.stderr.slice(-10).join('\n')).toBe(0);
    expect(JSON.parse(again.stdout.at(-1) ?? '{}').counts.total).toBe(30);
    second?.kill('SIGTERM');
    expect((await second?.waitForExit())?.code).toBe(0);
    const check = await checkSuiteBatch(suite, batch);
    expectOneRowEach(check, 30);
    expect(check.failed, JSON.stringify(check.failed)).toEqual([]);
    expect(check.badOutputs).toEqual([]);
    console.log(
      `worker whose Redis died: ${doneBefore} done, exit 0 ${exit.ms} ms after SIGTERM; the rest after Redis came back`,
    );
  });
});
