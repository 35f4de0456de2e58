import { redisUrl, uniqueQueueName, removeQueueKeys } from '@kpress/testkit';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createQueue,
  DEFAULT_JOB_OPTIONS,
  type KpressQueue,
  queueConnection,
  queueDepth,
} from './create-queue.js';
import { jobIdFor } from './job-ids.js';
import type { CompressJob } from './job-schemas.js';

const opened: KpressQueue[] = [];
afterEach(async () => {
  for (const q of opened.splice(0)) {
    await q.obliterate({ force: true });
    await q.close();
    await removeQueueKeys(q.name);
  }
});

function newQueue() {
  const q = createQueue({ redisUrl: redisUrl(), queueName: uniqueQueueName() });
  opened.push(q);
  return q;
}

const job = (key: string): CompressJob => ({
  batchId: 'b1',
  source: 's3://src-bucket/in/',
  dest: 's3://dst-bucket/out/',
  key,
  size: 10,
  colors: 16,
  seed: 0,
});

describe('createQueue', () => {
  it('uses the configured name and bounded default job options', async () => {
    const name = uniqueQueueName();
    const q = createQueue({ redisUrl: redisUrl(), queueName: name });
    opened.push(q);
    expect(q.name).toBe(name);
    const [added] = await q.addBulk([
      { name: 'compress', data: job('in/a.jpg'), opts: { jobId: jobIdFor('b1', 'in/a.jpg') } },
    ]);
    expect(added?.opts.attempts).toBe(5);
    expect(added?.opts.removeOnComplete).toEqual(DEFAULT_JOB_OPTIONS.removeOnComplete);
    expect(added?.opts.removeOnFail).toEqual(DEFAULT_JOB_OPTIONS.removeOnFail);
    expect(added?.opts.backoff).toEqual({ type: 'exponential', delay: 2000 });
  });

  it('refuses a queue name with ":"', () => {
    expect(() => createQueue({ redisUrl: redisUrl(), queueName: 'a:b' })).toThrow('"a:b"');
  });

  it('adds a job id once however often it is enqueued', async () => {
    const q = newQueue();
    const entries = ['in/a.jpg', 'in/b.jpg', 'in/a.jpg'].map((k) => ({
      name: 'compress' as const,
      data: job(k),
      opts: { jobId: jobIdFor('b1', k) },
    }));
    await q.addBulk(entries);
    await q.addBulk(entries);
    expect(await queueDepth(q)).toBe(2);
    expect(await q.getJob(jobIdFor('b1', 'in/b.jpg'))).toBeDefined();
  });
});

describe('queueDepth', () => {
  it('counts waiting, delayed and prioritized jobs, and drops as a worker completes them', async () => {
    const q = newQueue();
    await q.add('compress', job('in/w.jpg'));
    await q.add('compress', job('in/d.jpg'), { delay: 60_000 });
    await q.add('compress', job('in/p.jpg'), { priority: 5 });
    expect(await queueDepth(q)).toBe(3);
    const done: string[] = [];
    const worker = new Worker(
      q.name,
      async (j) => {
        done.push((j.data as CompressJob).key);
      },
      { connection: queueConnection({ redisUrl: redisUrl() }) },
    );
    try {
      while (done.length < 2) await new Promise((r) => setTimeout(r, 20));
      await worker.close();
      expect(done.sort()).toEqual(['in/p.jpg', 'in/w.jpg']);
      expect(await queueDepth(q)).toBe(1); // the delayed one
    } finally {
      await worker.close();
    }
  });
});
