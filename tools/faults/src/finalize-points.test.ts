/**
 * The finalize, failed at every Redis and S3 call on its path, one call at a
 * time (FINALIZE_FAULT_POINTS: finalize, parts, assemble, re-queue, give-up
 * records, and the settle that queues it): for each point, one batch where
 * that call fails once (it happened, then its caller sees an error) and one
 * where the worker process is SIGKILLed right after it. Real worker
 * processes read the plan (KPRESS_FAULT_PLAN) and a supervisor replaces a
 * killed one; real Redis, a real S3 server. Every batch must end with its
 * summary.json, every source exactly once in the manifest, counts that
 * agree, each row its own source's result and each record as the manifest
 * has it.
 *
 * Every batch is 4 sources in 2 finalize ranges (an image, two notes and a
 * note whose compress job is removed from the queue, as a Redis that lost
 * it would): the watchdog prunes the lost id, the first round re-queues the
 * note (or, in the give-up pool, gives it a failed record), and the next
 * round joins. All batches run at once on the same workers.
 *
 * In the normal test run: every point in both modes on one S3 server (RGW
 * when it is there). `pnpm test:chaos` (KPRESS_FAULTS_FULL=1): on both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, createRedis, FINALIZE_FAULT_POINTS, loadConfig } from '@kpress/config';
import { enqueue } from '@kpress/producer';
import { BatchTracker, createQueue, jobIdFor } from '@kpress/queue';
import {
  redisUrl,
  removeQueueKeys,
  type S3Server,
  startS3Server,
  testS3Kinds,
  uniqueQueueName,
  uploadFixtures,
} from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkRun,
  describeStuck,
  finishedBatches,
  type PoolName,
  pointRuns,
  WorkerPool,
  writePlan,
} from './finalize-points.js';
import { assertCliBuilt, FAST_STALL_ENV } from './kpress-cli.js';
import { sampleVariants } from './sample-variants.js';

const FULL = process.env.KPRESS_FAULTS_FULL === '1';
const kinds = testS3Kinds();
const servers = FULL ? kinds : kinds.includes('rgw') ? (['rgw'] as const) : kinds.slice(0, 1);

describe.each(servers)('the finalize failed at each of its calls, on %s', (kind) => {
  const queues: Record<PoolName, string> = {
    fail: uniqueQueueName('kpress-fp-f'),
    kill: uniqueQueueName('kpress-fp-k'),
    'give-up': uniqueQueueName('kpress-fp-g'),
  };
  let s3: S3Server | undefined;
  const started: WorkerPool[] = [];
  afterAll(async () => {
    for (const p of started) await p.stop().catch(() => {});
    for (const q of Object.values(queues)) await removeQueueKeys(q).catch(() => {});
    await s3?.close();
  });

  it('ends every batch whole, whichever call fails once or is followed by a SIGKILL', async () => {
    assertCliBuilt();
    const t0 = Date.now();
    s3 = await startS3Server({ kind, buckets: ['src', 'dst'] });
    // KPRESS_FAULT_POINTS=<regex>: only the points it matches (to look into one)
    const only = new RegExp(process.env.KPRESS_FAULT_POINTS ?? '.');
    const runs = pointRuns().filter((r) => only.test(r.point));
    const plan = writePlan(runs);
    const image = Object.values(await sampleVariants(1))[0] as Buffer;
    const files = { 'a-image.png': image, 'b.txt': 'b', 'c.txt': 'c', 'lost.txt': 'lost' };
    const env = (pool: PoolName) => ({
      ...(s3 as S3Server).env,
      ...FAST_STALL_ENV,
      REDIS_URL: redisUrl(),
      KPRESS_QUEUE: queues[pool],
      KPRESS_FINALIZE_RANGE_KEYS: '3',
      KPRESS_FINALIZE_BACKOFF_MS: '100',
      KPRESS_FINALIZE_BACKOFF_MAX_MS: '1000',
      KPRESS_FINALIZE_ROUNDS: pool === 'give-up' ? '0' : '3',
      KPRESS_FAULT_PLAN: plan.file,
      LOG_LEVEL: 'info',
    });

    // every batch queued before any worker runs; one job of each lost
    const logger = createLogger({ level: 'silent' });
    // enqueue's S3 client takes its credentials from the environment, as the CLI's does
    const saved = { ...process.env };
    Object.assign(process.env, s3.env);
    for (const pool of ['fail', 'kill', 'give-up'] as const) {
      const config = loadConfig(env(pool));
      const queue = createQueue(config);
      try {
        for (const run of runs.filter((r) => r.pool === pool)) {
          await uploadFixtures(s3.client, 'src', `${run.batchId}/`, files);
          await enqueue({
            source: `s3://src/${run.batchId}/`,
            dest: `s3://dst/${run.batchId}-out/`,
            batchId: run.batchId,
            // the fixed palette these fault batches were written for (the default is the target now)
            options: { colors: 16 },
            config,
            logger,
          });
          expect(await queue.remove(jobIdFor(run.batchId, `${run.batchId}/lost.txt`))).toBe(1);
        }
      } finally {
        await queue.close();
      }
    }
    for (const k of Object.keys(s3.env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    const queuedAt = Date.now();

    // one job per process where a SIGKILL may come: it ends only the step at the point
    const pools: Record<PoolName, WorkerPool> = {
      fail: new WorkerPool(env('fail'), 1, 4),
      kill: new WorkerPool(env('kill'), 4, 1),
      'give-up': new WorkerPool(env('give-up'), 1, 1),
    };
    for (const p of Object.values(pools)) {
      started.push(p);
      p.start();
    }
    const deadline = Date.now() + (FULL ? 480_000 : 300_000);
    let done = new Set<string>();
    while (done.size < runs.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      done = await finishedBatches(s3.client, 'dst');
    }
    const finishedAt = Date.now();
    const exits = [];
    for (const p of Object.values(pools)) exits.push(...(await p.stop()));
    const unfinished = runs.filter((r) => !done.has(r.batchId));
    const stuck: string[] = [];
    for (const run of unfinished) {
      const config = loadConfig(env(run.pool));
      const queue = createQueue(config);
      const redis = createRedis(config.redisUrl);
      try {
        const tracker = new BatchTracker(redis, config.queueName);
        const where = await describeStuck(queue, tracker, run.batchId, pools[run.pool].all);
        stuck.push(`(${run.point}, ${run.mode}) ${where}`);
      } finally {
        await queue.close();
        await redis.quit();
      }
    }
    expect(stuck, 'batches without summary.json').toEqual([]);

    // each fault fired, at the point it names (the trace lists every point reached)
    const notFired = runs.filter((r) => !existsSync(join(plan.dir, `${r.batchId}.fired`)));
    expect(
      notFired.map((r) => `${r.batchId} ${r.point}`),
      'faults that never fired',
    ).toEqual([]);
    const reached = new Set(
      readFileSync(join(plan.dir, 'trace.log'), 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[0]),
    );
    if (only.source === '.')
      expect(FINALIZE_FAULT_POINTS.filter((p) => !reached.has(p))).toEqual([]);
    const kills = runs.filter((r) => r.mode === 'kill').length;
    expect(pools.fail.killed + pools.kill.killed + pools['give-up'].killed).toBe(kills);
    expect(exits.filter((e) => e.code !== 0)).toEqual([]);

    const problems: string[] = [];
    for (const run of runs) {
      const r = await checkRun(s3.client, run, {
        sources: 4,
        lostKey: `${run.batchId}/lost.txt`,
        imageKey: `${run.batchId}/a-image.png`,
      });
      for (const p of r.problems) problems.push(`${run.batchId} (${run.point}, ${run.mode}): ${p}`);
    }
    expect(problems).toEqual([]);
    process.stdout.write(
      `finalize fault points on ${kind}: ${FINALIZE_FAULT_POINTS.length} points, ${runs.length} runs ` +
        `(${kills} SIGKILLs), queued in ${((queuedAt - t0) / 1000).toFixed(1)} s, ` +
        `all finished in ${((finishedAt - queuedAt) / 1000).toFixed(1)} s, ` +
        `${Object.values(pools).reduce((n, p) => n + p.all.length, 0)} worker processes\n`,
    );
  }, 600_000);
});
