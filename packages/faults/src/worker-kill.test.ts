/**
 * A worker SIGKILLed in the middle of a batch: BullMQ's stalled-job check (short
 * locks through KPRESS_LOCK_DURATION_MS / KPRESS_STALLED_INTERVAL_MS) gives its
 * job to the other worker; the batch ends with one row per source and whole outputs.
 */
import {
  type ProcessHandle,
  redisUrl,
  type S3Server,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
} from '@kpress/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkBatch, waitForObject } from './batch-check.js';
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
const queue = uniqueQueueName('kpress-faults-kill');

beforeAll(async () => {
  assertCliBuilt();
  s3 = await startS3Server({ buckets: ['src', 'dst'] });
});

afterAll(async () => {
  await obliterateQueue(redisUrl(), queue);
  await s3?.close();
});

it('a SIGKILLed worker: its job in hand runs elsewhere, nothing lost or doubled, no half outputs', async () => {
  const files = await sampleVariants(30);
  await uploadFixtures(s3.client, 'src', 'in/', files);
  const env = {
    ...s3.env,
    ...FAST_STALL_ENV,
    REDIS_URL: redisUrl(),
    KPRESS_QUEUE: queue,
    LOG_LEVEL: 'debug',
  };
  const [victim, survivor] = (await startWorkers(2, env)) as [ProcessHandle, ProcessHandle];
  const batch = 'kill-1';
  const run = kpress(['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch], env);
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
  const inHand = logs.filter((l) => l.stage === 'codec' && !finished.has(l.key)).map((l) => l.key);
  expect(inHand.length).toBeGreaterThan(0);

  await waitForObject(s3.client, 'dst', `out/_kpress/${batch}/summary.json`);
  const exits = await stopWorkers([survivor]);
  expect(exits[0]).toEqual({ code: 0, signal: null });

  const check = await checkBatch(s3.client, {
    sourceBucket: 'src',
    sourcePrefix: 'in/',
    destBucket: 'dst',
    destPrefix: 'out/',
    batchId: batch,
  });
  expect(check.objects).toBe(30);
  expect(check).toMatchObject({ rows: 30, duplicates: 0, lost: 0, summaryTotal: 30 });
  expect(check.extra).toEqual([]);
  expect(check.badOutputs).toEqual([]);
  expect(check.failed).toEqual([]);
  // the job the victim held was done by the survivor
  for (const key of inHand) {
    expect(check.byKey.get(key as string)?.status).toMatch(/compressed|kept-original/);
    expect(
      jsonLines(survivor.stderr).some((l) => l.stage === 'done' && l.key === key),
      `survivor did ${key}`,
    ).toBe(true);
  }
});
