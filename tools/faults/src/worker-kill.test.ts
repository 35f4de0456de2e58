/**
 * A worker SIGKILLed in the middle of a batch: BullMQ's stalled-job check (short
 * locks through KPRESS_LOCK_DURATION_MS / KPRESS_STALLED_INTERVAL_MS) gives its
 * job to the other worker; the batch ends with one row per source and whole outputs.
 */
import { type ProcessHandle, uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { waitForObject } from './batch-check.js';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectCleanBatch, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('worker-kill on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-kill' });

  it('a SIGKILLed worker: its job in hand runs elsewhere, nothing lost or doubled, no half outputs', async () => {
    const files = await sampleVariants(30);
    await uploadFixtures(suite.s3.client, 'src', 'in/', files);
    const env = suite.env({ ...FAST_STALL_ENV, LOG_LEVEL: 'debug' });
    const [victim, survivor] = (await startWorkers(2, env)) as [ProcessHandle, ProcessHandle];
    const batch = 'kill-1';
    const run = kpress(
      ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch],
      env,
    );
    expect((await run.waitForExit()).code, run.stderr.join('\n')).toBe(0);

    // let the victim finish two images, then kill it as soon as it takes the next one in hand
    await victim.waitForLine(/"stage":"done"/);
    const done = () => jsonLines(victim.stderr).filter((l) => l.stage === 'done').length;
    while (done() < 2) await new Promise((r) => setTimeout(r, 20));
    const seen = jsonLines(victim.stderr).filter((l) => l.stage === 'codec').length;
    while (jsonLines(victim.stderr).filter((l) => l.stage === 'codec').length === seen) {
      await new Promise((r) => setTimeout(r, 5));
    }
    victim.kill('SIGKILL');
    expect(await victim.waitForExit()).toEqual({ code: null, signal: 'SIGKILL' });
    const logs = jsonLines(victim.stderr);
    const finished = new Set(logs.filter((l) => l.stage === 'done').map((l) => l.key));
    const inHand = logs
      .filter((l) => l.stage === 'codec' && !finished.has(l.key))
      .map((l) => l.key);
    expect(inHand.length).toBeGreaterThan(0);

    await waitForObject(suite.s3.client, 'dst', `out/_kpress/${batch}/summary.json`);
    const exits = await stopWorkers([survivor]);
    expect(exits[0]).toEqual({ code: 0, signal: null });

    const check = await checkSuiteBatch(suite, batch);
    expectCleanBatch(check, 30);
    // the job the victim held was done by the survivor
    for (const key of inHand) {
      expect(check.byKey.get(key as string)?.status).toMatch(/compressed|kept-original/);
      expect(
        jsonLines(survivor.stderr).some((l) => l.stage === 'done' && l.key === key),
        `survivor did ${key}`,
      ).toBe(true);
    }
  });
});
