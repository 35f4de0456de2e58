/**
 * Redis killed (SIGKILL, no persistence) and restarted empty in the middle of a
 * batch: the workers stay alive, reconnect on their own and say so; enqueuing
 * the same batch again finishes it with nothing lost or doubled.
 */
import { uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectOneRowEach, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('redis-restart on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-redis', privateRedis: {} });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('Redis restarted empty mid-batch: workers reconnect, a second enqueue finishes the batch', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', await sampleVariants(40));
    const env = suite.env(FAST_STALL_ENV);
    const workers = await startWorkers(2, env);
    const batch = 'redis-restart';
    const args = ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch];
    const first = kpress(args, env);
    expect((await first.waitForExit()).code, first.stderr.join('\n')).toBe(0);

    const done = () =>
      workers.flatMap((w) => jsonLines(w.stderr)).filter((l) => l.stage === 'done').length;
    while (done() < 8) await sleep(10);
    await suite.redis.restart(); // SIGKILL, then a new empty server on the same port
    const doneAtRestart = done();
    expect(doneAtRestart).toBeLessThan(40);
    await sleep(1500);
    for (const w of workers) expect(w.child.exitCode, w.stderr.slice(-5).join('\n')).toBeNull();

    const again = kpress([...args, '--wait', '--json'], env);
    const exit = await again.waitForExit();
    expect(exit.code, again.stderr.slice(-10).join('\n')).toBe(0);
    const summary = JSON.parse(again.stdout.at(-1) ?? '{}');
    expect(summary.counts.total).toBe(40);

    // the same processes did the rest, after Redis came back
    for (const w of workers) expect(w.child.exitCode).toBeNull();
    expect(done()).toBeGreaterThan(doneAtRestart);
    const logs = workers.flatMap((w) => jsonLines(w.stderr));
    // each worker says it lost Redis and that it is back (ioredis reconnects on its own)
    for (const w of workers) {
      const msgs = jsonLines(w.stderr)
        .filter((l) => l.stage === 'redis')
        .map((l) => l.msg ?? '');
      expect(msgs.some((m) => /Redis at .* does not answer/.test(m))).toBe(true);
      expect(msgs.some((m) => /is back/.test(m))).toBe(true);
    }
    const complaints = logs.filter((l) => l.stage === 'redis');
    const exits = await stopWorkers(workers);
    for (const e of exits) expect(e).toEqual({ code: 0, signal: null });

    const check = await checkSuiteBatch(suite, batch);
    expectOneRowEach(check, 40);
    expect(check.failed, JSON.stringify(check.failed)).toEqual([]);
    expect(check.badOutputs).toEqual([]);
    console.log(
      `redis restart: ${doneAtRestart} done before, logged: ${[...new Set(complaints.map((l) => `${l.msg}${l.err ? `: ${String(l.err).slice(0, 60)}` : ''}`))].join(' | ')}`,
    );
  });
});
