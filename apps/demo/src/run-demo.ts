import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type Config, createLogger, loadConfig } from '@kpress/config';
import { createProgressView, enqueue, waitForBatch, writeReport } from '@kpress/producer';
import { createQueue } from '@kpress/queue';
import { batchFileKeys, parseS3Url, Storage } from '@kpress/storage';
import { startS3Server, uploadFixtures } from '@kpress/testkit';
import { detail, say, verbosity } from '@kpress/cli';
import { DEMO_BUCKET, DEMO_DEST, DEMO_SOURCE, demoObjects } from './demo-objects.js';
import { ensureRedis } from './redis-check.js';
import { startWorkers } from './worker-processes.js';

/** A finished batch's summary.json, as waitForBatch returns it. */
type Summary = Awaited<ReturnType<typeof waitForBatch>>;

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Directory that receives `<batch>/report.html`, the manifests, summary.json and workers.log. Default `.kpress-demo` (in the working directory). */
  outDir?: string;
  /** Worker processes. Default 2. */
  workers?: number;
  /** Palette size (--colors). Default: the image options' default, 16. */
  colors?: number;
  /** Environment (REDIS_URL is read from it). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Aborts the demo (everything started is still shut down). */
  signal?: AbortSignal;
  /** Where the table and the report path go. Default process.stdout. */
  out?: Writable;
}

/** What the demo produced. */
export interface DemoResult {
  batchId: string;
  queue: string;
  /** Absolute paths of the local copies. */
  files: {
    report: string;
    manifestJsonl: string;
    manifestCsv: string;
    summary: string;
    workersLog: string;
  };
  /** Workers' exit codes after SIGTERM (0 each when they closed cleanly). */
  workerExitCodes: (number | null)[];
}

/**
 * The whole pipeline on the bundled samples, with nothing but Redis: an
 * in-process S3 server (s3rver) on a free loopback port, the samples plus two
 * bad files uploaded, `workers` worker processes on a queue of its own, the
 * batch enqueued and waited for with progress, the savings table printed, the
 * report and manifests copied to `<outDir>/<batch>/`; then everything is shut
 * down (workers SIGTERM, queue obliterated, S3 server closed).
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const env = options.env ?? process.env;
  const out = options.out ?? process.stdout;
  const workers = options.workers ?? 2;
  const base = loadConfig(env);
  await ensureRedis(base.redisUrl);

  const queue = `kpress-demo-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const s3 = await startS3Server({ buckets: [DEMO_BUCKET] });
  cleanups.push(() => s3.close());
  try {
    detail(`S3 server (s3rver) on ${s3.endpoint}, queue ${queue}`);
    const childEnv: Record<string, string> = { ...s3.env, KPRESS_QUEUE: queue };
    const config = loadConfig({ ...env, ...childEnv });
    cleanups.push(...useS3Credentials(s3.env));
    cleanups.push(() => obliterateQueue(config));
    const keys = await uploadFixtures(
      s3.client,
      DEMO_BUCKET,
      parseS3Url(DEMO_SOURCE).prefix,
      demoObjects(),
    );
    say(
      `uploaded ${keys.length} objects to ${DEMO_SOURCE} (in-process S3 on ${s3.endpoint}), two of them bad on purpose`,
    );
    options.signal?.throwIfAborted();

    const outRoot = resolve(options.outDir ?? '.kpress-demo');
    await mkdir(outRoot, { recursive: true });
    const pendingLog = join(outRoot, `workers-${queue}.log`);
    const pool = await startWorkers({ count: workers, env: childEnv, logFile: pendingLog });
    let exits: (number | null)[] | undefined;
    const stopWorkers = async () => {
      exits ??= (await pool.close()).map((e) => e.code);
      return exits;
    };
    cleanups.unshift(stopWorkers);
    say(`${workers} workers ready on queue ${queue}`);
    options.signal?.throwIfAborted();

    const { enqueued, summary } = await enqueueAndWait(config, options);

    await writeReport({
      dest: DEMO_DEST,
      batchId: enqueued.batchId,
      format: 'table',
      config,
      out,
      width: Math.min((out as Partial<NodeJS.WriteStream>).columns ?? 100, 120),
    });

    const files = await copyBatchFiles(config, join(outRoot, enqueued.batchId), enqueued.batchId);
    const codes = await stopWorkers();
    detail(`workers exited with ${codes.join(', ')}`);
    if (codes.some((c) => c !== 0)) {
      say(`a worker did not exit cleanly (exit codes ${codes.join(', ')}): see workers.log`);
    }
    await rename(pendingLog, files.workersLog);
    out.write(endLines(summary, files));
    return { batchId: enqueued.batchId, queue, files, workerExitCodes: codes };
  } finally {
    for (const c of cleanups) {
      await c().catch((err: Error) => say(`cleanup: ${err.message}`));
    }
    say('shut down: workers stopped, demo queue removed, S3 server closed');
  }
}

/**
 * Points this process's S3 credentials (the SDK's default chain reads the
 * environment first) at s3rver's fixed ones, for the producer's client;
 * returns the cleanups that put back what was there.
 */
function useS3Credentials(s3Env: Record<string, string>): (() => Promise<unknown>)[] {
  const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
  return names.map((name) => {
    const before = process.env[name];
    const value = s3Env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    return async () => {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    };
  });
}

/** Copies the batch's report, manifests and summary into `dir`; returns where they (and workers.log) go. */
async function copyBatchFiles(
  config: Config,
  dir: string,
  batchId: string,
): Promise<DemoResult['files']> {
  await mkdir(dir, { recursive: true });
  const keysOf = batchFileKeys(parseS3Url(DEMO_DEST).prefix, batchId);
  const files = {
    report: join(dir, 'report.html'),
    manifestJsonl: join(dir, 'manifest.jsonl'),
    manifestCsv: join(dir, 'manifest.csv'),
    summary: join(dir, 'summary.json'),
    workersLog: join(dir, 'workers.log'),
  };
  const storage = new Storage({ config });
  try {
    for (const name of ['report', 'manifestJsonl', 'manifestCsv', 'summary'] as const) {
      const bytes = await storage.getObject(DEMO_BUCKET, keysOf[name], {
        maxBytes: 512 * 1024 * 1024,
      });
      await writeFile(files[name], bytes);
    }
  } finally {
    storage.close();
  }
  return files;
}

/** The demo's last lines: the counts, and where the report and manifest are (relative when below here). */
function endLines(summary: Summary, files: DemoResult['files']): string {
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r === '' || r.startsWith('..') ? p : r;
  };
  const c = summary.counts;
  return (
    `\n${c.total} objects: ${c.compressed} compressed, ${c.keptOriginal} kept original, ${c.copied} copied byte for byte (on purpose: not images kpress compresses), ${c.failed} failed\n` +
    `report:   ${rel(files.report)}\n` +
    `manifest: ${rel(files.manifestJsonl)} (and manifest.csv, summary.json, workers.log beside it)\n`
  );
}

/** Removes the demo's queue and everything of it from Redis. */
async function obliterateQueue(config: Config): Promise<void> {
  const q = createQueue(config);
  try {
    await q.obliterate({ force: true });
  } finally {
    await q.close();
  }
}

/** Enqueues the demo batch and waits for it, with a progress bar. */
async function enqueueAndWait(config: Config, options: DemoOptions) {
  // The producer's info lines would repeat what the demo says: warnings only, unless --verbose.
  const logger = createLogger({ level: verbosity() === 'verbose' ? 'debug' : 'warn' });
  const enqueued = await enqueue({
    source: DEMO_SOURCE,
    dest: DEMO_DEST,
    // absent: the default palette (@kpress/core resolveImageOptions)
    options: { colors: options.colors },
    config,
    logger,
  });
  say(`batch ${enqueued.batchId}: ${enqueued.total} objects queued`);
  const view = createProgressView();
  const summary = await waitForBatch({
    dest: DEMO_DEST,
    batchId: enqueued.batchId,
    config,
    pollMs: 250,
    onProgress: (p) => view.update(p),
    ...(options.signal ? { signal: options.signal } : {}),
  }).finally(() => view.stop());
  return { enqueued, summary };
}
