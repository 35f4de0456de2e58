/**
 * jobsOver against a real BullMQ queue on real Redis: agrees with
 * getJobState for completed, failed, removed, never-added, waiting and
 * delayed jobs; BatchTracker.prune drops exactly the ids that are over.
 */
import { createRedis, type Redis } from '@kpress/config';
import { redisUrl, uniqueQueueName, removeQueueKeys } from '@kpress/testkit';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchTracker } from './batch-tracker.js';
import { createQueue, type KpressQueue, queueConnection } from './create-queue.js';
import { JOBS_OVER_CHUNK, jobsOver } from './finished-jobs.js';
import { jobIdFor } from './job-ids.js';
import { type CompressJob, JOB_NAMES } from './job-schemas.js';

const BATCH = 'b1';
let redis: Redis;
let queue: KpressQueue;
let name: string;

const data = (key: string): CompressJob => ({
  batchId: BATCH,
  source: 's3://src-bucket/in/',
  dest: 's3://dst-bucket/out/',
  key,
  size: 10,
  colors: 16,
  seed: 0,
});
const id = (key: string) => jobIdFor(BATCH, key);

/** Ids by the state they end up in. */
const ids = {
  completed: id('in/done.jpg'),
  failed: id('in/bad.jpg'),
  removed: id('in/removed.jpg'),
  neverAdded: id('in/never.jpg'),
  waiting: id('in/waiting.jpg'),
  delayed: id('in/later.jpg'),
};

beforeAll(async () => {
  redis = createRedis(redisUrl());
  name = uniqueQueueName('kpress-over');
  const config = { redisUrl: redisUrl(), queueName: name };
  queue = createQueue(config);
  const opts = { attempts: 1, removeOnComplete: false, removeOnFail: false };
  await queue.addBulk([
    {
      name: JOB_NAMES.compress,
      data: data('in/done.jpg'),
      opts: { ...opts, jobId: ids.completed },
    },
    { name: JOB_NAMES.compress, data: data('in/bad.jpg'), opts: { ...opts, jobId: ids.failed } },
  ]);
  // process exactly these two: one completes, one fails for good
  let seen = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(
      name,
      async (job) => {
        if (job.id === ids.failed) throw new Error('bad image');
        return 'ok';
      },
      { connection: queueConnection(config), autorun: false },
    );
    const done = () => {
      seen += 1;
      if (seen === 2) worker.close().then(resolve);
    };
    worker.on('completed', done);
    worker.on('failed', done);
    worker.run();
  });
  await finished;
  await queue.add(JOB_NAMES.compress, data('in/removed.jpg'), { jobId: ids.removed });
  await queue.remove(ids.removed);
  await queue.add(JOB_NAMES.compress, data('in/waiting.jpg'), { jobId: ids.waiting });
  await queue.add(JOB_NAMES.compress, data('in/later.jpg'), {
    jobId: ids.delayed,
    delay: 3_600_000,
  });
}, 60_000);

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  if (queue) await removeQueueKeys(queue.name);
});

describe('jobsOver', () => {
  it('says over for completed, failed, removed and unknown ids, not for waiting or delayed ones', async () => {
    const all = Object.values(ids);
    const states = await Promise.all(all.map((i) => queue.getJobState(i)));
    expect(states).toEqual(['completed', 'failed', 'unknown', 'unknown', 'waiting', 'delayed']);
    expect(await jobsOver(redis, queue, all)).toEqual([true, true, true, true, false, false]);
  });

  it('answers in order over more than one pipeline chunk', async () => {
    const many = Array.from({ length: JOBS_OVER_CHUNK * 2 + 3 }, (_, i) =>
      i % 2 === 0 ? ids.waiting : ids.completed,
    );
    const over = await jobsOver(redis, queue, many);
    expect(over).toHaveLength(many.length);
    expect(over.every((o, i) => o === (i % 2 === 1))).toBe(true);
  });

  it('answers nothing for no ids', async () => {
    expect(await jobsOver(redis, queue, [])).toEqual([]);
  });
});

describe('BatchTracker.prune with jobsOver', () => {
  it('drops exactly the pending ids whose job is over, in chunks', async () => {
    const tracker = new BatchTracker(redis, name);
    const filler = Array.from({ length: 2500 }, (_, i) => id(`in/gone-${i}.jpg`));
    await tracker.addPending(BATCH, [...Object.values(ids), ...filler]);
    const asked: number[] = [];
    const dropped = await tracker.prune(
      BATCH,
      (chunk) => {
        asked.push(chunk.length);
        return jobsOver(redis, queue, chunk);
      },
      500,
    );
    // filler ids were never added: unknown, so over
    expect(dropped).toBe(4 + filler.length);
    expect(await tracker.pending(BATCH)).toBe(2);
    expect(asked.length).toBeGreaterThan(1);
    expect(asked.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6 + filler.length);
    await tracker.clear(BATCH);
  });

  it('refuses a bad chunk and an answer of the wrong length', async () => {
    const tracker = new BatchTracker(redis, name);
    await expect(tracker.prune(BATCH, async () => [], 0)).rejects.toThrow(/chunk .* got 0/);
    await tracker.addPending(BATCH, [ids.waiting]);
    await expect(tracker.prune(BATCH, async () => [])).rejects.toThrow(/answered 0 values for 1/);
    await tracker.clear(BATCH);
  });
});
