/**
 * `pnpm bench:finalize`: the finalize alone, on Ceph RGW, with real `kpress
 * worker` processes: records finalized per second with 1 and 2 workers at
 * each size (BENCH_FINALIZE, default "20000,100000" records), the peak RSS
 * of the finalizing workers, and the serial listing rate. A benchmark, not
 * a test: it prints measured figures and writes bench-results/finalize.json.
 *
 * Each size: that many tiny sources and one record each (as a worker writes
 * them), listing.json cut every 5,000 keys (KPRESS_FINALIZE_RANGE_KEYS's
 * unit, smaller than the default 50,000 so that 20,000 records make 4
 * ranges), then a finalize is scheduled and timed to summary.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createRedis, loadConfig } from '@kpress/config';
import { BatchTracker, createQueue, finalizeJobId } from '@kpress/queue';
import { Storage } from '@kpress/storage';
import { redisUrl, spawnProcess, startS3Server, uniqueQueueName } from '@kpress/testkit';
import { mapLimit, uploadTiny } from './dataset.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = `${root}apps/cli/dist/bin.js`;
const sizes = (process.env.BENCH_FINALIZE ?? '20000,100000').split(',').map(Number);
const RANGE_KEYS = 5000;
const say = (line: string) => process.stderr.write(`[bench:finalize] ${line}\n`);

/** Peak RSS of a live process, MB (VmHWM). */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const s3 = await startS3Server({ kind: 'rgw', buckets: ['fin-src', 'fin-dst'] });
const results: Record<string, unknown>[] = [];
try {
  for (const n of sizes) {
    const src = `n${n}/`;
    say(`${n} sources and records on RGW`);
    await uploadTiny(s3.client, 'fin-src', src, n);
    const t0 = performance.now();
    let listed = 0;
    const storage = new Storage({ client: s3.client });
    const boundaries: string[] = [];
    for await (const o of storage.listObjects('fin-src', src)) {
      listed++;
      if (listed % RANGE_KEYS === 0) boundaries.push(o.key.slice(src.length));
    }
    const listPerSecond = listed / ((performance.now() - t0) / 1000);
    for (const workers of [1, 2]) {
      const batchId = `fin-${n}-${workers}w`;
      const dest = `out-${n}-${workers}/`;
      const base = `${dest}_kpress/${batchId}/`;
      await storage.putJson('fin-dst', `${base}batch.json`, {
        version: 1,
        batchId,
        source: `s3://fin-src/${src}`,
        dest: `s3://fin-dst/${dest}`,
        options: { colors: 16, seed: 1 },
        createdAt: new Date().toISOString(),
      });
      const keys = Array.from({ length: n }, (_, i) => `obj-${String(i).padStart(6, '0')}.bin`);
      await mapLimit(keys, 64, async (rel) => {
        const row = {
          key: src + rel,
          status: 'failed',
          originalBytes: 14,
          outputKey: null,
          outputBytes: null,
          width: null,
          height: null,
          colors: null,
          psnr: null,
          ms: 1,
          error: 'not an image',
        };
        await s3.client.send(
          new PutObjectCommand({
            Bucket: 'fin-dst',
            Key: `${base}records/${rel}`,
            Body: `${JSON.stringify(row)}\n`,
          }),
        );
      });
      await storage.putJson('fin-dst', `${base}listing.json`, {
        total: n,
        enqueued: n,
        finishedAt: new Date().toISOString(),
        rangeBoundaries: boundaries,
      });
      const queueName = uniqueQueueName('kpress-bench-fin');
      const config = loadConfig({ ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName });
      const redis = createRedis(config.redisUrl);
      const queue = createQueue(config);
      const tracker = new BatchTracker(redis, queueName);
      await tracker.markListed(batchId);
      const env = {
        ...s3.env,
        REDIS_URL: redisUrl(),
        KPRESS_QUEUE: queueName,
        LOG_LEVEL: 'info',
        NODE_NO_WARNINGS: '1',
      };
      const procs = Array.from({ length: workers }, () =>
        spawnProcess(process.execPath, [bin, 'worker', '--concurrency', '2'], { env }),
      );
      await Promise.all(procs.map((p) => p.waitForLine(/worker ready/)));
      const start = performance.now();
      await queue.add(
        'finalize',
        { batchId, source: `s3://fin-src/${src}`, dest: `s3://fin-dst/${dest}`, round: 0 },
        { jobId: finalizeJobId(batchId, 0), removeOnComplete: true },
      );
      while (!(await storage.exists('fin-dst', `${base}summary.json`)))
        await new Promise((r) => setTimeout(r, 50));
      const seconds = (performance.now() - start) / 1000;
      const rss = procs.map((p) => peakRssMb(p.pid));
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.waitForExit()));
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
      const r = {
        records: n,
        workers,
        seconds,
        recordsPerSecond: n / seconds,
        peakRssMb: Math.max(...rss),
        parts: boundaries.length + 1,
        listPerSecond,
      };
      results.push(r);
      say(
        `${n} records, ${workers} worker(s): ${seconds.toFixed(1)} s, ${(n / seconds).toFixed(0)} records/s, peak RSS ${Math.max(...rss).toFixed(0)} MB`,
      );
    }
    storage.close();
  }
} finally {
  await s3.close();
}

const lines = [
  `kpress bench:finalize: node ${process.version}, ${cpus().length} CPUs, Ceph RGW on loopback (same cores)`,
  '',
  'records  workers  parts  seconds  records/s  vs 1 worker  peak RSS MB  serial LIST keys/s',
];
for (const r of results) {
  const one = results.find((x) => x.records === r.records && x.workers === 1) as {
    recordsPerSecond: number;
  };
  lines.push(
    [
      String(r.records).padStart(7),
      String(r.workers).padStart(8),
      String(r.parts).padStart(6),
      (r.seconds as number).toFixed(1).padStart(8),
      (r.recordsPerSecond as number).toFixed(0).padStart(10),
      `${((r.recordsPerSecond as number) / one.recordsPerSecond).toFixed(2)}x`.padStart(12),
      (r.peakRssMb as number).toFixed(0).padStart(12),
      (r.listPerSecond as number).toFixed(0).padStart(19),
    ].join(' '),
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(`${root}bench-results`, { recursive: true });
writeFileSync(
  `${root}bench-results/finalize.json`,
  `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
);
