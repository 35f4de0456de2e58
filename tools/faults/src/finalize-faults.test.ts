/**
 * A finalize that cannot be lost, on both S3 servers, with real worker
 * processes and the real CLI: every worker SIGKILLed while the finalize's
 * parts run, and the batch still ends with the manifest a serial finalize
 * writes; S3 failing every finalize request for longer than the old five
 * attempts, and the finalize still ends once the fault clears; a lost
 * finalize job noticed by `enqueue --wait`'s watchdog.
 */
import { parseRow } from '@kpress/manifest';
import { createQueue, finalizeJobId } from '@kpress/queue';
import { createRedis, loadConfig } from '@kpress/config';
import { type ProcessHandle, uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBytes, listKeys, waitForObject } from './batch-check.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { jsonLines } from './log-lines.js';
import { sampleVariants } from './sample-variants.js';
import { useFaultSuite } from './test/fault-suite.js';

/** 8 photos and 32 files that are no image (fast failed rows): 40 sources. */
async function fixtures(): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = { ...(await sampleVariants(8)) };
  for (let i = 0; i < 32; i++)
    files[`notes/n${String(i).padStart(2, '0')}.txt`] = Buffer.from(`note ${i}`);
  return files;
}

const getText = async (client: Parameters<typeof getBytes>[0], bucket: string, key: string) =>
  (await getBytes(client, bucket, key)).toString('utf8');

async function until(
  what: string,
  ok: () => boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(testS3Kinds())('finalize-faults on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-fin' });
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: suite.s3.endpoint, seed: 7, delayMs: 250 });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** The manifest a serial finalize writes: every record, in key order, as its JSON line. */
  async function expectedManifest(prefix: string, batch: string): Promise<string> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const out = await suite.s3.client.send(
      new ListObjectsV2Command({ Bucket: 'dst', Prefix: `${prefix}_kpress/${batch}/records/` }),
    );
    const lines: string[] = [];
    for (const o of out.Contents ?? [])
      lines.push(await getText(suite.s3.client, 'dst', o.Key as string));
    return lines.join('');
  }

  it('every worker SIGKILLed while the parts run: new workers end it with the serial manifest', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'kill/', await fixtures());
    // 10 ranges; workers read S3 through the proxy, so that the finalize can be slowed
    const direct = suite.env({ ...FAST_STALL_ENV, KPRESS_FINALIZE_RANGE_KEYS: '4' });
    const slow = { ...direct, S3_ENDPOINT: proxy.endpoint };
    const first = await startWorkers(2, slow);
    const run = kpress(
      [
        'enqueue',
        's3://src/kill/',
        '--dest',
        's3://dst/kill-out/',
        '--batch',
        'fin-kill',
        '--wait',
      ],
      direct,
    );
    const logs = () => first.flatMap((w) => jsonLines(w.stderr));
    await until('the 40 images', () => logs().filter((l) => l.stage === 'done').length >= 40);
    // every S3 request of the finalize now waits 250 ms: its parts take seconds
    proxy.setRates({ delay: 1 });
    await until('the parts queued', () => logs().some((l) => l.msg === 'finalize: parts queued'));
    await new Promise((r) => setTimeout(r, 600));
    for (const w of first) w.kill('SIGKILL');
    await Promise.all(first.map((w) => w.waitForExit()));
    expect(
      await listKeys(suite.s3.client, 'dst', 'kill-out/_kpress/fin-kill/summary.json'),
    ).toEqual([]);
    proxy.setRates({});
    const second = await startWorkers(2, slow);
    const exit = await run.waitForExit();
    await stopWorkers(second);
    expect(exit.code, run.stderr.slice(-10).join('\n')).toBe(0);
    const manifest = await getText(
      suite.s3.client,
      'dst',
      'kill-out/_kpress/fin-kill/manifest.jsonl',
    );
    expect(manifest).toBe(await expectedManifest('kill-out/', 'fin-kill'));
    expect(
      manifest
        .trimEnd()
        .split('\n')
        .map((l) => parseRow(l).key),
    ).toHaveLength(40);
    // the new workers did finalize work the killed ones had started
    const secondLogs = second.flatMap((w) => jsonLines(w.stderr));
    expect(secondLogs.some((l) => l.msg === 'batch finalized')).toBe(true);
  }, 180_000);

  it('S3 failing every finalize request for longer than five attempts: it ends once S3 is back', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'flaky/', await fixtures());
    const direct = suite.env({
      ...FAST_STALL_ENV,
      KPRESS_FINALIZE_RANGE_KEYS: '8',
      KPRESS_FINALIZE_BACKOFF_MS: '100',
      KPRESS_FINALIZE_BACKOFF_MAX_MS: '800',
    });
    const workers = await startWorkers(2, { ...direct, S3_ENDPOINT: proxy.endpoint });
    const logs = () => workers.flatMap((w) => jsonLines(w.stderr));
    // the last image's settle schedules the finalize: fail S3 from then on
    const run = kpress(
      [
        'enqueue',
        's3://src/flaky/',
        '--dest',
        's3://dst/flaky-out/',
        '--batch',
        'fin-flaky',
        '--wait',
      ],
      direct,
    );
    await until('the 40 images', () => logs().filter((l) => l.stage === 'done').length >= 40);
    proxy.setRates({ internalError: 1 });
    const failures = () =>
      logs().filter((l) => l.msg?.toString().startsWith('finalize step failed')).length;
    await until('eight failed finalize attempts', () => failures() >= 8, 90_000);
    proxy.setRates({});
    const exit = await run.waitForExit();
    await stopWorkers(workers);
    expect(exit.code, run.stderr.slice(-10).join('\n')).toBe(0);
    expect(failures()).toBeGreaterThanOrEqual(8); // the old finalize gave up for good after 5
    const manifest = await getText(
      suite.s3.client,
      'dst',
      'flaky-out/_kpress/fin-flaky/manifest.jsonl',
    );
    expect(manifest).toBe(await expectedManifest('flaky-out/', 'fin-flaky'));
  }, 180_000);

  it('a lost finalize job: enqueue --wait notices the drained batch and schedules one', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'lost/', { 'a.txt': 'a', 'b.txt': 'b' });
    const env = suite.env(FAST_STALL_ENV);
    // the batch's images are done: records exist, the summary not
    const firstWorkers = await startWorkers(1, env);
    const once = kpress(
      [
        'enqueue',
        's3://src/lost/',
        '--dest',
        's3://dst/lost-out/',
        '--batch',
        'fin-lost',
        '--wait',
      ],
      env,
    );
    expect((await once.waitForExit()).code).toBe(0);
    await stopWorkers(firstWorkers);
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await suite.s3.client.send(
      new DeleteObjectCommand({ Bucket: 'dst', Key: 'lost-out/_kpress/fin-lost/summary.json' }),
    );

    // no worker: the rerun finds every record, schedules the finalize, and waits; the job is lost
    const config = loadConfig(env);
    const queue = createQueue(config);
    const redis = createRedis(config.redisUrl);
    let workers: ProcessHandle[] = [];
    try {
      const run = kpress(
        [
          'enqueue',
          's3://src/lost/',
          '--dest',
          's3://dst/lost-out/',
          '--batch',
          'fin-lost',
          '--wait',
        ],
        env,
      );
      await until(
        'the finalize job',
        async () => (await queue.getJob(finalizeJobId('fin-lost', 0))) !== undefined,
      );
      await (await queue.getJob(finalizeJobId('fin-lost', 0)))?.remove();
      workers = await startWorkers(1, env);
      const exit = await run.waitForExit();
      expect(exit.code, run.stderr.slice(-10).join('\n')).toBe(0);
      expect(run.stderr.join('\n')).toMatch(
        /no finalize is running and it has no summary: scheduled one/,
      );
      await waitForObject(suite.s3.client, 'dst', 'lost-out/_kpress/fin-lost/summary.json');
    } finally {
      await stopWorkers(workers);
      await queue.close();
      await redis.quit();
    }
  }, 120_000);
});
