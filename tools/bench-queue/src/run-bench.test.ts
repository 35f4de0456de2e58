import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './options.js';
import { countQueueKeys, runBench } from './run-bench.js';

const base = { ...DEFAULT_OPTIONS, progress: false, timeLimitSeconds: 120 };

describe('runBench on a real Redis', () => {
  it('enqueues, drains and removes every job, leaving no key behind', async () => {
    const r = await runBench({ ...base, jobs: 3_000, chunk: 1_000, workers: 2 });
    expect(r.waitingAfterEnqueue).toBe(3_000);
    expect(r.drain.completed).toBe(3_000);
    expect(r.keysLeft).toBe(0);
    expect(await countQueueKeys(base.redisUrl, r.queue)).toBe(0);
    // A waiting job holds a hash, a list entry and events: hundreds of bytes, not zero.
    expect(r.memory.bytesPerWaitingJob).toBeGreaterThan(200);
    expect(r.enqueue.commands.scriptCallsPerJob).toBeGreaterThan(0);
    expect(r.drain.commands.totalPerJob).toBeGreaterThan(r.drain.commands.scriptCallsPerJob);
    expect(r.drain.commands.redisCpuMicrosPerJob).toBeGreaterThan(0);
    expect(Number.isFinite(r.drain.commands.redisCeilingJobsPerSecond)).toBe(true);
  }, 120_000);

  it('cleans up when aborted part-way', async () => {
    const controller = new AbortController();
    const queues: string[] = [];
    const run = runBench({ ...base, jobs: 200_000, progress: true }, controller.signal, (line) => {
      const m = /^queue (\S+):/.exec(line);
      if (m) queues.push(m[1] as string);
      if (/enqueuing/.test(line)) setTimeout(() => controller.abort(), 50);
    });
    await expect(run).rejects.toThrow(/aborted during enqueue/);
    expect(queues).toHaveLength(1);
    expect(await countQueueKeys(base.redisUrl, queues[0] as string)).toBe(0);
  }, 120_000);

  it('refuses bad options before touching Redis', async () => {
    await expect(runBench({ ...base, jobs: -5 })).rejects.toThrow(/jobs .* got -5/);
  });
});
