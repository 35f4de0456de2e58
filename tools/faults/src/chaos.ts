/**
 * `pnpm chaos`: a soak of the whole pipeline under faults (not part of CI).
 * A batch of a few hundred small images; worker processes SIGKILLed at random
 * and restarted; the private Redis SIGKILLed and restarted empty once, then the
 * batch enqueued again; S3 faults injected by the proxy throughout. Prints what
 * survived and exits 1 unless nothing is lost, duplicated or broken.
 *
 * Environment: CHAOS_IMAGES (default 300), CHAOS_WORKERS (3), CHAOS_SEED (7),
 * CHAOS_DEADLINE_S (270).
 */
import type { ProcessHandle } from '@kpress/testkit';
import { startRedisServer, startS3Server, uniqueQueueName, uploadFixtures } from '@kpress/testkit';
import { checkBatch, getBytes } from './batch-check.js';
import { startFaultProxy } from './fault-proxy.js';
import { assertCliBuilt, FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { mulberry32 } from './prng.js';
import { sampleVariants } from './sample-variants.js';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`${name} must be a whole number >= 1, got ${raw}`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  assertCliBuilt();
  const images = intEnv('CHAOS_IMAGES', 300);
  const workerCount = intEnv('CHAOS_WORKERS', 3);
  const seed = intEnv('CHAOS_SEED', 7);
  const deadline = Date.now() + intEnv('CHAOS_DEADLINE_S', 270) * 1000;
  const started = Date.now();
  const random = mulberry32(seed);
  const say = (text: string) =>
    process.stdout.write(`[chaos ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);

  const s3 = await startS3Server({ buckets: ['src', 'dst'] });
  const redis = await startRedisServer();
  const proxy = await startFaultProxy({
    target: s3.endpoint,
    seed,
    delayMs: 150,
    rates: {
      slowDown: 0.03,
      internalError: 0.03,
      resetRequest: 0.02,
      resetResponse: 0.03,
      delay: 0.02,
    },
  });
  const env = {
    ...s3.env,
    ...FAST_STALL_ENV,
    S3_ENDPOINT: proxy.endpoint,
    REDIS_URL: redis.url,
    KPRESS_QUEUE: uniqueQueueName('kpress-chaos'),
    LOG_LEVEL: 'info',
  };
  const batch = 'chaos';
  const enqueueArgs = ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch];
  const summaryKey = `out/_kpress/${batch}/summary.json`;
  let workers: ProcessHandle[] = [];
  const retired: ProcessHandle[] = [];
  let kills = 0;
  let redisRestarts = 0;
  let enqueues = 0;
  try {
    say(`making ${images} images`);
    await uploadFixtures(s3.client, 'src', 'in/', await sampleVariants(images));
    workers = await startWorkers(workerCount, env);
    say(`${workerCount} workers ready; enqueuing through the fault proxy`);
    const enqueue = async () => {
      enqueues++;
      const run = kpress(enqueueArgs, env);
      const exit = await run.waitForExit();
      if (exit.code !== 0) say(`enqueue exited ${exit.code}: ${run.stderr.slice(-2).join(' | ')}`);
    };
    await enqueue();

    const done = () =>
      [...workers, ...retired].flatMap((w) => jsonLines(w.stderr)).filter((l) => l.stage === 'done')
        .length;
    const finished = async () => {
      try {
        await getBytes(s3.client, 'dst', summaryKey);
        return true;
      } catch {
        return false;
      }
    };
    let nextKill = Date.now() + 1500;
    let lastProgress = Date.now();
    let lastDone = 0;
    while (!(await finished())) {
      if (Date.now() > deadline) {
        say('deadline reached without summary.json');
        break;
      }
      if (redisRestarts === 0 && done() >= images / 3) {
        say(`Redis SIGKILLed and restarted empty after ${done()} images`);
        await redis.restart();
        redisRestarts++;
        await sleep(1000);
        await enqueue();
        say('batch enqueued again');
      }
      if (Date.now() >= nextKill && workers.length > 0) {
        const i = Math.floor(random() * workers.length);
        const victim = workers[i] as ProcessHandle;
        victim.kill('SIGKILL');
        await victim.waitForExit();
        retired.push(victim);
        kills++;
        const [fresh] = await startWorkers(1, env);
        workers[i] = fresh as ProcessHandle;
        say(`worker ${i} SIGKILLed and restarted (${kills} kills, ${done()} images done)`);
        nextKill = Date.now() + 1500 + random() * 3000;
      }
      if (done() > lastDone) {
        lastDone = done();
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 45_000) {
        // what an operator does when a batch stalls: enqueue it again
        say('no progress for 45 s: enqueuing the batch again');
        await enqueue();
        lastProgress = Date.now();
      }
      await sleep(200);
    }
    const exits = await stopWorkers(workers);
    const badExits = exits.filter((e) => e.code !== 0).length;
    const check = await checkBatch(s3.client, {
      sourceBucket: 'src',
      sourcePrefix: 'in/',
      destBucket: 'dst',
      destPrefix: 'out/',
      batchId: batch,
    }).catch((err: Error) => {
      say(`no manifest to check: ${err.message}`);
      return undefined;
    });
    const c = proxy.counts;
    const lines = [
      `objects:                   ${check?.objects ?? '?'}`,
      `rows:                      ${check?.rows ?? 0}`,
      `duplicates:                ${check?.duplicates ?? '?'}`,
      `lost:                      ${check?.lost ?? '?'}`,
      `failed (with reason):      ${check?.failed.length ?? '?'}${
        check?.failed
          .slice(0, 5)
          .map((f) => `\n    ${f.key}: ${f.error}`)
          .join('') ?? ''
      }`,
      `bad outputs:               ${check?.badOutputs.length ?? '?'}`,
      `summary counts.total:      ${check?.summaryTotal ?? 'missing'}`,
      `transient errors survived: ${proxy.injected()} (503 SlowDown ${c.slowDown}, 500 ${c.internalError}, reset before request ${c.resetRequest}, reset mid-response ${c.resetResponse}, delayed ${c.delay}; of ${c.requests} requests)`,
      `worker SIGKILLs:           ${kills}`,
      `Redis restarts (empty):    ${redisRestarts}`,
      `enqueue runs:              ${enqueues}`,
      `workers exiting non-zero on SIGTERM at the end: ${badExits}`,
      `elapsed:                   ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ];
    const warnings = new Map<string, number>();
    for (const l of [...workers, ...retired].flatMap((w) => jsonLines(w.stderr))) {
      if ((l.level as number) < 40) continue;
      const what = `${l.msg}${
        l.err
          ? `: ${String(l.err)
              .replace(/[0-9a-f]{24}/g, '<id>')
              .slice(0, 90)}`
          : ''
      }`;
      warnings.set(what, (warnings.get(what) ?? 0) + 1);
    }
    lines.push('worker warnings and errors (count, message):');
    for (const [what, n] of [...warnings].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      lines.push(`  ${String(n).padStart(4)}  ${what}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    const ok =
      check !== undefined &&
      check.lost === 0 &&
      check.duplicates === 0 &&
      check.rows === check.objects &&
      check.objects === images &&
      check.extra.length === 0 &&
      check.badOutputs.length === 0 &&
      check.failed.length === 0 &&
      check.summaryTotal === images &&
      badExits === 0;
    process.stdout.write(ok ? 'chaos: OK\n' : 'chaos: FAILED\n');
    return ok ? 0 : 1;
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await proxy.close();
    await redis.close();
    await s3.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`chaos: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
