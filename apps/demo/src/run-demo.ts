import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { createLogger, loadConfig } from '@kpress/config';
import { createProgressView, enqueue, waitForBatch, writeReport } from '@kpress/producer';
import { createQueue } from '@kpress/queue';
import { batchFileKeys, parseS3Url, Storage } from '@kpress/storage';
import { startS3Server, uploadFixtures } from '@kpress/testkit';
import { detail, say, verbosity } from '@kpress/cli';
import { DEMO_BUCKET, DEMO_DEST, DEMO_SOURCE, demoObjects } from './demo-objects.js';
import { ensureRedis } from './redis-check.js';
import { startWorkers } from './worker-processes.js';

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
    // The producer's S3 client in this process takes credentials from the SDK's
    // default chain (the environment first): point it at s3rver's fixed ones,
    // for this process only, and put back what was there when the demo ends.
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ] as const) {
      const before = process.env[name];
      const value = s3.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
      cleanups.push(async () => {
        if (before === undefined) delete process.env[name];
        else process.env[name] = before;
      });
    }
    cleanups.push(async () => {
      const q = createQueue(config);
      try {
        await q.obliterate({ force: true });
      } finally {
        await q.close();
      }
    });
    const objects = demoObjects();
    const keys = await uploadFixtures(
      s3.client,
      DEMO_BUCKET,
      parseS3Url(DEMO_SOURCE).prefix,
      objects,
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

    await writeReport({
      dest: DEMO_DEST,
      batchId: enqueued.batchId,
      format: 'table',
      config,
      out,
      width: Math.min((out as Partial<NodeJS.WriteStream>).columns ?? 100, 120),
    });

    const dir = join(outRoot, enqueued.batchId);
    await mkdir(dir, { recursive: true });
    const keysOf = batchFileKeys(parseS3Url(DEMO_DEST).prefix, enqueued.batchId);
    const storage = new Storage({ config });
    const files = {
      report: join(dir, 'report.html'),
      manifestJsonl: join(dir, 'manifest.jsonl'),
      manifestCsv: join(dir, 'manifest.csv'),
      summary: join(dir, 'summary.json'),
      workersLog: join(dir, 'workers.log'),
    };
    try {
      for (const [name, key] of [
        ['report', keysOf.report],
        ['manifestJsonl', keysOf.manifestJsonl],
        ['manifestCsv', keysOf.manifestCsv],
        ['summary', keysOf.summary],
      ] as const) {
        const bytes = await storage.getObject(DEMO_BUCKET, key, { maxBytes: 512 * 1024 * 1024 });
        await writeFile(files[name], bytes);
      }
    } finally {
      storage.close();
    }
    const codes = await stopWorkers();
    detail(`workers exited with ${codes.join(', ')}`);
    if (codes.some((c) => c !== 0)) {
      say(`a worker did not exit cleanly (exit codes ${codes.join(', ')}): see workers.log`);
    }
    await rename(pendingLog, files.workersLog);
    const rel = (p: string) => {
      const r = relative(process.cwd(), p);
      return r === '' || r.startsWith('..') ? p : r;
    };
    out.write(
      `\n${summary.counts.total} objects: ${summary.counts.compressed} compressed, ${summary.counts.keptOriginal} kept original, ${summary.counts.failed} failed (on purpose)\n` +
        `report:   ${rel(files.report)}\n` +
        `manifest: ${rel(files.manifestJsonl)} (and manifest.csv, summary.json, workers.log beside it)\n`,
    );
    return { batchId: enqueued.batchId, queue, files, workerExitCodes: codes };
  } finally {
    for (const c of cleanups) {
      await c().catch((err: Error) => say(`cleanup: ${err.message}`));
    }
    say('shut down: workers stopped, demo queue removed, S3 server closed');
  }
}
