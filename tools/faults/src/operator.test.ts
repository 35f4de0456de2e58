/**
 * The operator's commands against a live batch (real CLI processes, real Redis
 * and S3): `status` shows progress, workers and the stalled jobs of a killed
 * worker; `cancel` stops the batch without losing anything; `batches` lists
 * the destination's batches with their state; `enqueue` resumes the cancelled
 * batch and `report --batch latest` reads it.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { testS3Kinds, uploadFixtures } from '@kpress/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FAST_STALL_ENV, kpress, startWorkers } from './kpress-cli.js';
import { largeVariants, sampleVariants } from './sample-variants.js';
import { checkSuiteBatch, expectCleanBatch, useFaultSuite } from './test/fault-suite.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SOURCES = 24;

describe.each(testS3Kinds())('operator commands on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-operator' });

  /** Runs `kpress <args>`, expects exit 0, returns stdout lines. */
  async function run(args: string[], env: Record<string, string>): Promise<string[]> {
    const p = kpress(args, env);
    const exit = await p.waitForExit();
    expect(exit.code, `${args.join(' ')}: ${p.stderr.join('\n')}`).toBe(0);
    return p.stdout;
  }
  const statusOf = async (batch: string, env: Record<string, string>) => {
    const [line] = await run(['status', '--batch', batch, '--json'], env);
    const [s] = JSON.parse(line ?? '[]');
    return s;
  };

  it('status, a killed worker, cancel, batches, resume and report --batch latest', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', await largeVariants(SOURCES));
    const env = suite.env(FAST_STALL_ENV);
    const batch = 'operator-1';
    const args = ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch];
    await run([...args, '--colors', '256', '--effort', '5'], env);

    // queued, no worker yet
    let s = await statusOf(batch, env);
    expect(s).toMatchObject({
      batchId: batch,
      source: 's3://src/in/',
      dest: 's3://dst/out/',
      state: 'running',
      listed: SOURCES,
      done: 0,
      queued: SOURCES,
      active: 0,
      stalled: 0,
      failed: 0,
      workers: 0,
      finalize: 'waits for the last job',
    });
    const all = await run(['status'], env);
    expect(all.slice(0, 2)).toEqual([
      `batch ${batch}  s3://src/in/ -> s3://dst/out/  running`,
      `  listed ${SOURCES}, done 0, queued ${SOURCES}, active 0, failed 0`,
    ]);
    expect(all).toContain('  no worker is connected to the queue: start one with `kpress worker`');

    // a worker does some, then dies holding a job: status says it is stalled
    // debug logs: "compressing" says a job is in the pool (hundreds of ms at 256 colours, effort 5)
    const [worker] = await startWorkers(1, { ...env, LOG_LEVEL: 'debug' }, 1);
    if (worker === undefined) throw new Error('no worker');
    const seen = (msg: string) => worker.stderr.filter((l) => l.includes(msg)).length;
    // two done (the first one's record is settled in Redis too), and the third in the pool
    while (seen('"stage":"done"') < 2 || seen('"msg":"compressing"') < 3) await sleep(5);
    worker.kill('SIGKILL');
    await worker.waitForExit();
    for (s = await statusOf(batch, env); s.stalled === 0 || s.workers > 0; ) {
      await sleep(200);
      s = await statusOf(batch, env);
    }
    expect(s).toMatchObject({
      state: 'running',
      active: 1,
      stalled: 1,
      workers: 0,
      stalledBackInS: 1,
    });
    expect(s.done).toBeGreaterThan(0);
    expect(s.done + s.queued + s.active).toBe(SOURCES);
    expect(s.ratePerS).toBeGreaterThan(0);
    expect(s.etaS).toBeGreaterThan(0);
    const text = (await run(['status', '--batch', batch], env)).join('\n');
    expect(text).toContain(
      'stalled 1 (held by a worker that stopped answering: back in the queue within 1 s)',
    );

    // cancel: the queued jobs go, nothing in S3 is lost, and a new worker does nothing for it
    const doneAtCancel = s.done as number;
    const [said] = await run(['cancel', '--batch', batch, '--json'], env);
    const cancel = JSON.parse(said ?? '{}');
    expect(cancel.removed + cancel.inHand).toBe(SOURCES - doneAtCancel);
    expect(cancel.resume).toBe(
      `kpress enqueue s3://src/in/ --dest s3://dst/out/ --batch ${batch} --colors 256 --seed 1 --effort 5 --wait`,
    );
    const [idle] = await startWorkers(1, env, 1);
    await sleep(2500);
    s = await statusOf(batch, env);
    expect(s).toMatchObject({ state: 'cancelled', queued: 0, done: doneAtCancel });
    expect(s.cancelledAt).toEqual(expect.any(String));
    const listed = await run(['batches', 's3://dst/out/'], env);
    expect(listed).toEqual([
      expect.stringMatching(new RegExp(`^${batch}  \\S+  cancelled  s3://src/in/ --colors 256`)),
    ]);

    // resume: enqueue with the batch's arguments finishes it, watched by status --watch
    const resume = kpress([...args, '--colors', '256', '--effort', '5', '--wait'], env);
    while ((await statusOf(batch, env)).state === 'cancelled') await sleep(100);
    const watch = kpress(['status', '--batch', batch, '--watch', '--interval', '1', '--json'], env);
    expect((await resume.waitForExit()).code, resume.stderr.join('\n')).toBe(0);
    const watched = await watch.waitForExit();
    expect(watched.code, watch.stderr.join('\n')).toBe(0);
    expect(JSON.parse(watch.stdout.at(-1) ?? '[]')[0]).toMatchObject({
      state: 'finished',
      done: SOURCES,
      finalize: 'done',
    });
    idle?.kill('SIGTERM');
    expect((await idle?.waitForExit())?.code).toBe(0);
    expect(await run(['batches', 's3://dst/out/'], env)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${batch}  \\S+  finished  s3://src/in/ .*  ${SOURCES} objects, .* -> .* \\(saved \\d+\\.\\d%\\), 0 failed$`,
        ),
      ),
    ]);
    const report = await run(
      ['report', 's3://dst/out/', '--batch', 'latest', '--format', 'json'],
      env,
    );
    expect(JSON.parse(report.join('\n'))).toMatchObject({
      batchId: batch,
      counts: { total: SOURCES },
    });
    expectCleanBatch(await checkSuiteBatch(suite, batch), SOURCES);
    // nothing of it left in the registry: status has no batch under way
    expect(await run(['status'], env)).toEqual([`no batch under way on queue ${suite.queue}`]);
  });

  it('cancel while enqueue is still queuing (held back by KPRESS_MAX_WAITING): enqueue stops, then resumes', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'slow/', await sampleVariants(12));
    // no worker: the queue fills to 4 and the enqueue waits for room
    const env = suite.env({ ...FAST_STALL_ENV, KPRESS_MAX_WAITING: '4' });
    const batch = 'cancel-listing';
    const args = ['enqueue', 's3://src/slow/', '--dest', 's3://dst/slow/', '--batch', batch];
    const first = kpress(args, env);
    let s = await statusOf(batch, env).catch(() => undefined);
    while (s?.queued !== 4) {
      await sleep(100);
      s = await statusOf(batch, env).catch(() => undefined);
    }
    expect(s).toMatchObject({ state: 'listing', queued: 4 });
    const [said] = await run(['cancel', '--batch', batch, '--json'], env);
    expect(JSON.parse(said ?? '{}')).toMatchObject({ removed: 4, inHand: 0 });
    const stopped = await first.waitForExit();
    expect(stopped.code).toBe(1);
    expect(first.stderr.join('\n')).toMatch(
      /batch cancel-listing was cancelled \(kpress cancel\) while this enqueue was queuing it: stopped after 4 jobs; run the same enqueue again to resume/,
    );
    expect(await statusOf(batch, env)).toMatchObject({ state: 'cancelled', queued: 0, active: 0 });
    // the same enqueue resumes it
    const [worker] = await startWorkers(1, env, 1);
    await run([...args, '--wait'], env);
    worker?.kill('SIGTERM');
    expect((await worker?.waitForExit())?.code).toBe(0);
    expect(await run(['batches', 's3://dst/slow/'], env)).toEqual([
      expect.stringMatching(
        /^cancel-listing {2}\S+ {2}finished {2}s3:\/\/src\/slow\/ .* {2}12 objects, /,
      ),
    ]);
  });

  it('status, batches and cancel with Redis down: one line naming it, exit 1', async () => {
    const env = suite.env({ REDIS_URL: 'redis://127.0.0.1:1' });
    for (const args of [['status'], ['cancel', '--batch', 'x']]) {
      const p = kpress(args, env);
      expect((await p.waitForExit()).code).toBe(1);
      expect(p.stderr).toEqual(['kpress: cannot reach Redis at redis://127.0.0.1:1: ECONNREFUSED']);
    }
    // batches reads S3; without Redis it says what it cannot know
    const b = kpress(['batches', 's3://dst/nothing/'], env);
    expect((await b.waitForExit()).code).toBe(0);
    expect(b.stdout).toEqual(['no batches']);
  });

  it('status and cancel of a batch that is not under way: one line, exit 1', async () => {
    const env = suite.env();
    for (const args of [
      ['status', '--batch', 'no-such-batch'],
      ['cancel', '--batch', 'no-such-batch'],
    ]) {
      const p = kpress(args, env);
      expect((await p.waitForExit()).code).toBe(1);
      expect(p.stderr).toEqual([
        expect.stringMatching(/^kpress: batch no-such-batch is not under way on queue /),
      ]);
    }
  });

  it('enqueue --dither: recorded in batch.json and the PNGs, named by the rerun, refused without it', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'dith/', await sampleVariants(3));
    const env = suite.env(FAST_STALL_ENV);
    const [worker] = await startWorkers(1, env, 1);
    const args = ['enqueue', 's3://src/dith/', '--dest', 's3://dst/dith/', '--batch', 'dith-1'];
    await run([...args, '--dither', '--colors', '8', '--wait'], env);
    const listed = await run(['batches', 's3://dst/dith/'], env);
    expect(listed[0]).toMatch(
      /^dith-1 {2}\S+ {2}finished {2}s3:\/\/src\/dith\/ --colors 8 --seed 1 --effort 3 --dither {2}3 objects/,
    );
    const png = await suite.s3.client.send(
      new GetObjectCommand({ Bucket: 'dst', Key: 'dith/v0001.png' }),
    );
    const bytes = Buffer.from(
      await (png.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const facts = JSON.parse(
      ((await sharp(bytes).metadata()).comments ?? []).find((c) => c.keyword === 'kpress')?.text ??
        '{}',
    );
    expect(facts).toMatchObject({ colors: 8, dither: 'floyd-steinberg' });
    expect(png.Metadata).toMatchObject({
      'kpress-colors': '8',
      'kpress-dither': 'floyd-steinberg',
    });
    const without = kpress([...args, '--colors', '8'], env);
    expect((await without.waitForExit()).code).toBe(1);
    expect(without.stderr.join('\n')).toMatch(/exists with different settings \(.* --dither\)/);
    worker?.kill('SIGTERM');
    expect((await worker?.waitForExit())?.code).toBe(0);
  });
});
