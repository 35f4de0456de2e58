/**
 * `kpress enqueue --wait` while Redis is SIGKILLed and restarted empty in the
 * middle of the batch (private redis-server, no persistence): the waiting
 * command reconnects, sees that the batch's marker key is gone (Redis lost
 * the jobs), re-enqueues the batch by itself and exits 0 with the full
 * summary; the manifest has one row per source.
 */
import { uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectCleanBatch, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('redis-restart-wait on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-wait', privateRedis: {} });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('enqueue --wait rides out Redis restarted empty mid-batch: re-enqueues by itself, exits 0, nothing lost', async () => {
    const sources = 40;
    await uploadFixtures(suite.s3.client, 'src', 'in/', await sampleVariants(sources));
    const env = suite.env(FAST_STALL_ENV);
    const workers = await startWorkers(2, env);
    const batch = 'redis-restart-wait';
    const waiting = kpress(
      ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch, '--wait', '--json'],
      env,
    );
    const done = () =>
      workers.flatMap((w) => jsonLines(w.stderr)).filter((l) => l.stage === 'done').length;
    while (done() < 8 && waiting.child.exitCode === null) await sleep(10);
    expect(waiting.child.exitCode, waiting.stderr.slice(-5).join('\n')).toBeNull();
    await suite.redis.restart(); // SIGKILL, then a new empty server on the same port
    const doneAtRestart = done();
    expect(doneAtRestart).toBeLessThan(sources);

    // nobody reruns anything: the waiting command finishes the batch on its own
    const exit = await waiting.waitForExit();
    const tail = waiting.stderr.slice(-10).join('\n');
    expect(exit, tail).toEqual({ code: 0, signal: null });
    const summary = JSON.parse(waiting.stdout.at(-1) ?? '{}');
    expect(summary.counts.total).toBe(sources);
    expect(summary.counts.failed).toBe(0);

    const said = jsonLines(waiting.stderr).map((l) => String(l.msg ?? ''));
    expect(said.filter((m) => /re-enqueued it automatically \(1 of 3\)/.test(m))).toHaveLength(1);
    expect(said.some((m) => /Redis connection to .* lost: reconnecting/.test(m))).toBe(true);
    expect(said.some((m) => /Redis connection to .* is back/.test(m))).toBe(true);
    expect(waiting.stderr.join('\n')).not.toMatch(/redis:\/\/[^\s*]*:[^\s*@]+@/);
    expect(done()).toBeGreaterThan(doneAtRestart);

    const exits = await stopWorkers(workers);
    for (const e of exits) expect(e).toEqual({ code: 0, signal: null });
    expectCleanBatch(await checkSuiteBatch(suite, batch), sources);
    console.log(
      `enqueue --wait through a Redis restart: ${doneAtRestart}/${sources} done before the restart; said: ${said.filter((m) => /Redis/.test(m)).join(' | ')}`,
    );
  });
});
