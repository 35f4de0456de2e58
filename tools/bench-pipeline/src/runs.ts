import { readFileSync } from 'node:fs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig } from '@kpress/config';
import { createQueue } from '@kpress/queue';
import {
  type ProcessHandle,
  redisUrl,
  type S3Server,
  spawnProcess,
  uniqueQueueName,
} from '@kpress/testkit';
import { doneLines, type ThroughputFigures, throughput } from './stats.js';

export interface RunContext {
  s3: S3Server;
  /** `node <bin.js>` of the kpress CLI. */
  bin: string;
}

function env(ctx: RunContext, queue: string): Record<string, string> {
  return {
    ...ctx.s3.env,
    REDIS_URL: redisUrl(),
    KPRESS_QUEUE: queue,
    LOG_LEVEL: 'info',
    NODE_NO_WARNINGS: '1',
  };
}

function kpress(
  ctx: RunContext,
  queue: string,
  args: string[],
  nodeFlags: readonly string[] = [],
): ProcessHandle {
  return spawnProcess(process.execPath, [...nodeFlags, ctx.bin, ...args], { env: env(ctx, queue) });
}

async function obliterate(queueName: string): Promise<void> {
  const queue = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName }));
  await queue.obliterate({ force: true });
  await queue.close();
}

async function mustExit(p: ProcessHandle, what: string): Promise<void> {
  const e = await p.waitForExit();
  if (e.code !== 0)
    throw new Error(`${what} exited with ${e.code ?? e.signal}: ${p.stderr.slice(-3).join(' | ')}`);
}

/**
 * One batch over `prefix` processed by `workers` worker processes of
 * `concurrency` slots each: enqueue --wait from start to summary.json.
 */
export async function runBatch(
  ctx: RunContext,
  opts: { workers: number; concurrency: number; source: string; dest: string; images: number },
): Promise<ThroughputFigures & { workers: number; concurrency: number; wallSeconds: number }> {
  const queue = uniqueQueueName('kpress-bench');
  const procs = Array.from({ length: opts.workers }, () =>
    kpress(ctx, queue, ['worker', '--concurrency', String(opts.concurrency)]),
  );
  try {
    await Promise.all(procs.map((w) => w.waitForLine(/worker ready/, 60_000)));
    const startedAt = Date.now();
    const run = kpress(ctx, queue, [
      'enqueue',
      opts.source,
      '--dest',
      opts.dest,
      '--wait',
      '--json',
    ]);
    await mustExit(run, 'enqueue --wait');
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const lines = doneLines(procs.flatMap((w) => w.stderr));
    if (lines.length !== opts.images) {
      throw new Error(
        `expected ${opts.images} finished jobs in the worker logs, found ${lines.length}`,
      );
    }
    return {
      workers: opts.workers,
      concurrency: opts.concurrency,
      wallSeconds,
      ...throughput(lines, startedAt, opts.workers * opts.concurrency),
    };
  } finally {
    for (const w of procs) w.kill('SIGTERM');
    await Promise.all(procs.map((w) => w.waitForExit()));
    await obliterate(queue);
  }
}

/** Peak resident set (VmHWM) of a live process in bytes, or undefined once it is gone. */
function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ProducerFigures {
  objects: number;
  /** The producer process, start to exit. */
  seconds: number;
  /** One plain listing of the same prefix by this process (what the S3 server alone costs). */
  listSeconds: number;
  enqueuedPerSecond: number;
  peakRssBytes: number;
  /** Node flags the producer ran with (none: V8's default heap sizing). */
  nodeFlags: string[];
}

/**
 * Node flags that bound the producer's V8 heap: old space 64 MB, semi-spaces
 * 2 MB. With V8's defaults the old space grows to ~110 MB of promoted garbage
 * (listing pages and addBulk chunks that outlive a scavenge) before its first
 * mark-compact, so peak RSS measures GC timing rather than what the producer
 * holds (live heap after a full GC: ~23 MB at 1,000 and 20,000 objects alike).
 * Under this bound the run must still finish: it would die with "heap out of
 * memory" if anything grew with the object count.
 */
export const BOUNDED_HEAP_FLAGS: readonly string[] = [
  '--max-old-space-size=64',
  '--max-semi-space-size=2',
];

/** The producer (`kpress enqueue`, no workers) as a child process over `source`: its rate and peak RSS. */
export async function runProducer(
  ctx: RunContext,
  opts: {
    source: string;
    dest: string;
    objects: number;
    /** Node flags for the producer process; default none. */
    nodeFlags?: readonly string[];
    /** Also time a plain listing of `source` first (`listSeconds`, else NaN). Default true. */
    timeListing?: boolean;
  },
): Promise<ProducerFigures> {
  const nodeFlags = [...(opts.nodeFlags ?? [])];
  const queue = uniqueQueueName('kpress-bench-producer');
  const listSeconds =
    (opts.timeListing ?? true) ? await listOnlySeconds(ctx, opts.source) : Number.NaN;
  try {
    const started = Date.now();
    const p = kpress(
      ctx,
      queue,
      ['enqueue', opts.source, '--dest', opts.dest, '--json'],
      nodeFlags,
    );
    let peak = 0;
    const timer = setInterval(() => {
      if (p.pid !== undefined) peak = Math.max(peak, peakRss(p.pid) ?? 0);
    }, 20);
    try {
      await mustExit(p, 'enqueue');
    } finally {
      clearInterval(timer);
    }
    const seconds = (Date.now() - started) / 1000;
    const result = JSON.parse(p.stdout.at(-1) ?? '{}') as { enqueued?: number };
    if (result.enqueued !== opts.objects) {
      throw new Error(`the producer queued ${result.enqueued} jobs, expected ${opts.objects}`);
    }
    return {
      objects: opts.objects,
      seconds,
      listSeconds,
      enqueuedPerSecond: opts.objects / seconds,
      peakRssBytes: peak,
      nodeFlags,
    };
  } finally {
    await obliterate(queue);
  }
}

/** Seconds to list `source` (s3://bucket/prefix/) page by page, doing nothing else. */
async function listOnlySeconds(ctx: RunContext, source: string): Promise<number> {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(source);
  if (!m) throw new TypeError(`not an s3:// URL: ${source}`);
  const started = Date.now();
  let token: string | undefined;
  do {
    const page = await ctx.s3.client.send(
      new ListObjectsV2Command({ Bucket: m[1], Prefix: m[2], ContinuationToken: token }),
    );
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return (Date.now() - started) / 1000;
}
