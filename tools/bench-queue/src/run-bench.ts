import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type BenchOptions, validateOptions } from './options.js';
import { commandCalls, diffCalls, redisCpuSeconds, totalCalls, usedMemory } from './redis-info.js';
import { syntheticJob } from './synthetic-job.js';

/** Redis commands of one phase, divided by the jobs of that phase. */
export interface CommandFigures {
  /** Every command Redis ran (commands inside Lua scripts included), per job. */
  totalPerJob: number;
  /** EVALSHA/EVAL/FCALL calls (client round trips into BullMQ's scripts), per job. */
  scriptCallsPerJob: number;
  /** The ten most frequent commands, calls per job. */
  top: Array<{ command: string; perJob: number }>;
  /** Redis CPU (user + sys) per job, in microseconds: what bounds one Redis, whatever the clients. */
  redisCpuMicrosPerJob: number;
  /** `1e6 / redisCpuMicrosPerJob`: jobs/s one Redis core could sustain for this phase alone. */
  redisCeilingJobsPerSecond: number;
}

export interface BenchResult {
  queue: string;
  jobs: number;
  redisVersion: string;
  waitingAfterEnqueue: number;
  enqueue: { seconds: number; jobsPerSecond: number; commands: CommandFigures };
  drain: { seconds: number; jobsPerSecond: number; completed: number; commands: CommandFigures };
  memory: {
    baselineBytes: number;
    afterEnqueueBytes: number;
    bytesPerWaitingJob: number;
    afterDrainBytes: number;
    /** `bull:<queue>:events`, a stream BullMQ trims to ~10,000 entries: not per-job state. */
    eventsStreamBytes: number;
    /** `afterDrain - baseline - eventsStream`: what completed jobs left behind. */
    residualBytes: number;
    returnedToBaseline: boolean;
  };
  /** Keys left under `bull:<queue>:` after obliteration (0 when clean). */
  keysLeft: number;
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

function figures(calls: Map<string, number>, jobs: number, cpuSeconds: number): CommandFigures {
  let scripts = 0;
  for (const [cmd, n] of calls) if (SCRIPT_COMMANDS.has(cmd)) scripts += n;
  const top = [...calls.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([command, n]) => ({ command, perJob: n / jobs }));
  const redisCpuMicrosPerJob = (cpuSeconds * 1e6) / jobs;
  return {
    totalPerJob: totalCalls(calls) / jobs,
    scriptCallsPerJob: scripts / jobs,
    top,
    redisCpuMicrosPerJob,
    redisCeilingJobsPerSecond: redisCpuMicrosPerJob > 0 ? 1e6 / redisCpuMicrosPerJob : Infinity,
  };
}

async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * Enqueues `jobs` synthetic kpress jobs into a fresh, uniquely named BullMQ
 * queue, measures enqueue rate and Redis memory per waiting job, drains them
 * with no-op workers (`removeOnComplete`), measures completion rate and Redis
 * commands per job, checks memory returns to baseline, and obliterates the
 * queue. The queue is removed on every path out, error and abort included.
 */
export async function runBench(
  input: BenchOptions,
  signal?: AbortSignal,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<BenchResult> {
  const options = validateOptions({ ...input });
  const say = options.progress ? log : () => {};
  const deadline = Date.now() + options.timeLimitSeconds * 1000;
  const check = (where: string) => {
    if (signal?.aborted) throw new Error(`bench-queue: aborted during ${where}`);
    if (Date.now() > deadline) {
      throw new Error(
        `bench-queue: time limit of ${options.timeLimitSeconds} s reached during ${where}`,
      );
    }
  };

  const name = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const batchId = `b${randomBytes(6).toString('hex')}`;
  const admin = new Redis(options.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  const queueConn = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, {
    connection: queueConn,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  const workers: Worker[] = [];
  const workerConns: Redis[] = [];
  let keysLeft = -1;
  let result: BenchResult;
  try {
    await admin.connect();
    const server = await admin.info('server');
    const redisVersion = /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown';
    await queue.waitUntilReady();

    // --- enqueue ---------------------------------------------------------
    const baselineBytes = usedMemory(await admin.info('memory'));
    const statsBeforeEnqueue = commandCalls(await admin.info('commandstats'));
    const cpuBeforeEnqueue = redisCpuSeconds(await admin.info('cpu'));
    say(`queue ${name}: enqueuing ${options.jobs} jobs in chunks of ${options.chunk}`);
    const t0 = performance.now();
    let nextReport = 100_000;
    for (let start = 0; start < options.jobs; start += options.chunk) {
      check('enqueue');
      const end = Math.min(options.jobs, start + options.chunk);
      const chunk = [];
      for (let i = start; i < end; i++) chunk.push(syntheticJob(batchId, i));
      await queue.addBulk(chunk);
      if (end >= nextReport) {
        say(`  enqueued ${end}`);
        nextReport += 100_000;
      }
    }
    const enqueueSeconds = (performance.now() - t0) / 1000;
    const statsAfterEnqueue = commandCalls(await admin.info('commandstats'));
    const cpuAfterEnqueue = redisCpuSeconds(await admin.info('cpu'));
    const afterEnqueueBytes = usedMemory(await admin.info('memory'));
    const waitingAfterEnqueue = await queue.getWaitingCount();
    say(
      `  ${options.jobs} enqueued in ${enqueueSeconds.toFixed(1)} s; ${waitingAfterEnqueue} waiting`,
    );

    // --- drain -----------------------------------------------------------
    let completed = 0;
    let failed = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const statsBeforeDrain = commandCalls(await admin.info('commandstats'));
    const cpuBeforeDrain = redisCpuSeconds(await admin.info('cpu'));
    const t1 = performance.now();
    for (let w = 0; w < options.workers; w++) {
      const conn = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      workerConns.push(conn);
      const worker = new Worker(name, async () => undefined, {
        connection: conn,
        concurrency: options.concurrency,
      });
      worker.on('completed', () => {
        completed++;
        if (completed % 100_000 === 0) say(`  completed ${completed}`);
        if (completed + failed >= waitingAfterEnqueue) resolveDone();
      });
      worker.on('failed', () => {
        failed++;
        if (completed + failed >= waitingAfterEnqueue) resolveDone();
      });
      worker.on('error', (err) => say(`  worker error: ${err.message}`));
      workers.push(worker);
    }
    if (waitingAfterEnqueue === 0) resolveDone();
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        try {
          check(`drain (${completed} completed)`);
        } catch (err) {
          reject(err);
        }
      }, 250);
    });
    try {
      await Promise.race([done, watchdog]);
    } finally {
      clearInterval(timer);
    }
    const drainSeconds = (performance.now() - t1) / 1000;
    await Promise.all(workers.map((w) => w.close()));
    workers.length = 0;
    const statsAfterDrain = commandCalls(await admin.info('commandstats'));
    const cpuAfterDrain = redisCpuSeconds(await admin.info('cpu'));
    if (failed > 0) throw new Error(`bench-queue: ${failed} no-op jobs failed`);
    say(`  ${completed} completed in ${drainSeconds.toFixed(1)} s`);

    // --- memory back to baseline? ------------------------------------------
    const afterDrainBytes = usedMemory(await admin.info('memory'));
    const eventsKey = `bull:${name}:events`;
    const eventsStreamBytes = Number((await admin.memory('USAGE', eventsKey)) ?? 0);
    const residualBytes = afterDrainBytes - baselineBytes - eventsStreamBytes;
    const peak = afterEnqueueBytes - baselineBytes;
    // Other clients share this Redis: allow 4 MiB or 1% of the peak as noise.
    const returnedToBaseline = residualBytes < Math.max(4 * 1024 * 1024, peak * 0.01);

    result = {
      queue: name,
      jobs: options.jobs,
      redisVersion,
      waitingAfterEnqueue,
      enqueue: {
        seconds: enqueueSeconds,
        jobsPerSecond: options.jobs / enqueueSeconds,
        commands: figures(
          diffCalls(statsBeforeEnqueue, statsAfterEnqueue),
          options.jobs,
          cpuAfterEnqueue - cpuBeforeEnqueue,
        ),
      },
      drain: {
        seconds: drainSeconds,
        jobsPerSecond: completed / drainSeconds,
        completed,
        commands: figures(
          diffCalls(statsBeforeDrain, statsAfterDrain),
          Math.max(1, completed),
          cpuAfterDrain - cpuBeforeDrain,
        ),
      },
      memory: {
        baselineBytes,
        afterEnqueueBytes,
        bytesPerWaitingJob: peak / options.jobs,
        afterDrainBytes,
        eventsStreamBytes,
        residualBytes,
        returnedToBaseline,
      },
      keysLeft,
    };
  } finally {
    await Promise.allSettled(workers.map((w) => w.close(true)));
    try {
      await queue.obliterate({ force: true, count: 5_000 });
    } catch (err) {
      say(`  obliterate failed (${(err as Error).message}); deleting bull:${name}:* by SCAN`);
    }
    await queue.close().catch(() => {});
    try {
      if (admin.status !== 'ready') await admin.connect().catch(() => {});
      await deleteKeys(admin, `bull:${name}:*`);
      keysLeft = await countKeys(admin, `bull:${name}:*`);
    } finally {
      for (const c of [...workerConns, queueConn]) c.disconnect();
      admin.disconnect();
    }
  }
  return { ...result, keysLeft };
}

/** `BenchResult` keys left is measured in `finally`; this reads it after the run. */
export async function countQueueKeys(redisUrl: string, queue: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    return await countKeys(redis, `bull:${queue}:*`);
  } finally {
    redis.disconnect();
  }
}
