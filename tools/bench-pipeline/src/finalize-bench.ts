/**
 * `pnpm bench:finalize`: the finalize alone, on Ceph RGW, with real `kpress
 * worker` processes: records finalized per second with 1 and 2 workers at
 * each size (BENCH_FINALIZE, default "20000,100000" records), the peak RSS
 * of the finalizing workers, and the serial listing rate. A benchmark, not
 * a test: it prints measured figures and writes bench-results/finalize.json.
 *
 * Each size: that many tiny sources in 100 folders (as a dataset of classes
 * is) and one record each (as a worker writes them), listing.json cut every
 * 5,000 keys (KPRESS_FINALIZE_RANGE_KEYS's unit, smaller than the default
 * 50,000 so that 20,000 records make 4 ranges), then a finalize is scheduled
 * and timed to summary.json. During each finalize the CPU seconds of the
 * workers, of Ceph's daemons and of Redis are counted (/proc), to show where
 * the machine's time goes. The listing is timed serially and fanned out
 * (KPRESS_LIST_CONCURRENCY 8, depth 2), alternately, twice each.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createRedis, loadConfig } from '@kpress/config';
import { startFaultProxy } from '@kpress/faults';
import { BatchTracker, createQueue, finalizeJobId } from '@kpress/queue';
import { listObjectsFanOut, Storage } from '@kpress/storage';
import {
  redisUrl,
  s3ClientFor,
  spawnProcess,
  startS3Server,
  uniqueQueueName,
} from '@kpress/testkit';
import pMap from 'p-map';
import { cpuSeconds, serverPids } from './cpu-time.js';
import { tinyRels, uploadTiny } from './dataset.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = `${root}apps/cli/dist/bin.js`;
const sizes = (process.env.BENCH_FINALIZE ?? '20000,100000').split(',').map(Number);
const RANGE_KEYS = 5000;
/** BENCH_CPU_PROF=<dir>: the workers write V8 CPU profiles there (open them in Chrome's DevTools). */
const profile = process.env.BENCH_CPU_PROF
  ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
  : [];
const say = (line: string) => process.stderr.write(`[bench:finalize] ${line}\n`);

/** Peak RSS of a live process, MB (VmHWM). */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Round trip added to every request of the "far" listing, ms: about AWS S3's from EC2 in-region. */
const FAR_RTT_MS = 20;

const s3 = await startS3Server({ kind: 'rgw', buckets: ['fin-src', 'fin-dst'] });
// the same RGW behind a proxy that holds every request FAR_RTT_MS: a store
// whose listing is latency-bound (as S3 is), not CPU-bound as loopback is
const far = await startFaultProxy({
  target: s3.endpoint,
  rates: { delay: 1 },
  delayMs: FAR_RTT_MS,
});
const farStorage = new Storage({ client: s3ClientFor(far.endpoint, s3.credentials) });
const results: Record<string, unknown>[] = [];
try {
  for (const n of sizes) {
    const src = `n${n}/`;
    say(`${n} sources and records on RGW`);
    const rels = tinyRels(n, 100);
    await uploadTiny(s3.client, 'fin-src', src, rels);
    const storage = new Storage({ client: s3.client });
    const listRates = {
      serial: [] as number[],
      fanned: [] as number[],
      farSerial: [] as number[],
      farFanned: [] as number[],
    };
    const boundaries: string[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const mode of ['serial', 'fanned', 'farSerial', 'farFanned'] as const) {
        const t0 = performance.now();
        let listed = 0;
        const via = mode.startsWith('far') ? farStorage : storage;
        const listing =
          mode === 'serial' || mode === 'farSerial'
            ? via.listObjects('fin-src', src)
            : listObjectsFanOut(via, 'fin-src', src, { concurrency: 8, depth: 2 });
        for await (const o of listing) {
          listed++;
          if (pass === 0 && mode === 'serial' && listed % RANGE_KEYS === 0)
            boundaries.push(o.key.slice(src.length));
        }
        if (listed !== n) throw new Error(`${mode} listing found ${listed} of ${n} objects`);
        listRates[mode].push(listed / ((performance.now() - t0) / 1000));
      }
    }
    const best = (xs: number[]) => Math.max(...xs);
    say(
      `listing: serial ${best(listRates.serial).toFixed(0)} keys/s, fanned out ${best(listRates.fanned).toFixed(0)} keys/s; with ${FAR_RTT_MS} ms round trips: ${best(listRates.farSerial).toFixed(0)} and ${best(listRates.farFanned).toFixed(0)} keys/s`,
    );
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
      await pMap(
        rels,
        async (rel) => {
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
        },
        { concurrency: 64 },
      );
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
        spawnProcess(process.execPath, [...profile, bin, 'worker', '--concurrency', '2'], { env }),
      );
      await Promise.all(procs.map((p) => p.waitForLine(/worker ready/)));
      const servers = serverPids();
      const watched = [...procs.map((p) => p.pid as number), ...servers.ceph, ...servers.redis];
      const cpuBefore = cpuSeconds(watched);
      const start = performance.now();
      await queue.add(
        'finalize',
        { batchId, source: `s3://fin-src/${src}`, dest: `s3://fin-dst/${dest}`, round: 0 },
        { jobId: finalizeJobId(batchId, 0), removeOnComplete: true },
      );
      while (!(await storage.exists('fin-dst', `${base}summary.json`)))
        await new Promise((r) => setTimeout(r, 50));
      const seconds = (performance.now() - start) / 1000;
      const cpuAfter = cpuSeconds(watched);
      const spent = (pids: number[]) =>
        pids.reduce((t, pid) => t + ((cpuAfter.get(pid) ?? 0) - (cpuBefore.get(pid) ?? 0)), 0);
      const cpu = {
        workers: spent(procs.map((p) => p.pid as number)),
        ceph: spent(servers.ceph),
        redis: spent(servers.redis),
      };
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
        cpuSeconds: cpu,
        machineCpuShare: (cpu.workers + cpu.ceph + cpu.redis) / (seconds * cpus().length),
        listPerSecond: {
          serial: best(listRates.serial),
          fannedOut: best(listRates.fanned),
          farSerial: best(listRates.farSerial),
          farFannedOut: best(listRates.farFanned),
        },
      };
      results.push(r);
      say(
        `${n} records, ${workers} worker(s): ${seconds.toFixed(1)} s, ${(n / seconds).toFixed(0)} records/s, peak RSS ${Math.max(...rss).toFixed(0)} MB, CPU s: workers ${cpu.workers.toFixed(1)}, ceph ${cpu.ceph.toFixed(1)}, redis ${cpu.redis.toFixed(1)}`,
      );
    }
    storage.close();
  }
} finally {
  farStorage.close();
  await far.close();
  await s3.close();
}

type Row = {
  records: number;
  workers: number;
  seconds: number;
  recordsPerSecond: number;
  peakRssMb: number;
  parts: number;
  cpuSeconds: { workers: number; ceph: number; redis: number };
  machineCpuShare: number;
  listPerSecond: { serial: number; fannedOut: number; farSerial: number; farFannedOut: number };
};
const rows = results as Row[];
const lines = [
  `kpress bench:finalize: node ${process.version}, ${cpus().length} CPUs, Ceph RGW on loopback (same cores)`,
  '',
  'records  workers  parts  seconds  records/s  vs 1 worker  peak RSS MB  CPU s: workers  ceph  redis  busy',
];
for (const r of rows) {
  const one = rows.find((x) => x.records === r.records && x.workers === 1) as Row;
  lines.push(
    [
      String(r.records).padStart(7),
      String(r.workers).padStart(8),
      String(r.parts).padStart(6),
      r.seconds.toFixed(1).padStart(8),
      r.recordsPerSecond.toFixed(0).padStart(10),
      `${(r.recordsPerSecond / one.recordsPerSecond).toFixed(2)}x`.padStart(12),
      r.peakRssMb.toFixed(0).padStart(12),
      r.cpuSeconds.workers.toFixed(1).padStart(15),
      r.cpuSeconds.ceph.toFixed(1).padStart(5),
      r.cpuSeconds.redis.toFixed(1).padStart(6),
      `${(r.machineCpuShare * 100).toFixed(0)}%`.padStart(5),
    ].join(' '),
  );
}
lines.push(
  '',
  `LIST keys/s: serial vs fanned out (8 in flight, depth 2, 100 folders), on loopback and with ${FAR_RTT_MS} ms round trips`,
  'records  loopback serial  fanned out          far serial  fanned out',
);
const ratio = (a: number, b: number) => `(${(a / b).toFixed(2)}x)`;
for (const r of rows.filter((x) => x.workers === 1)) {
  const l = r.listPerSecond;
  lines.push(
    [
      String(r.records).padStart(7),
      l.serial.toFixed(0).padStart(16),
      l.fannedOut.toFixed(0).padStart(11),
      ratio(l.fannedOut, l.serial).padStart(8),
      l.farSerial.toFixed(0).padStart(11),
      l.farFannedOut.toFixed(0).padStart(11),
      ratio(l.farFannedOut, l.farSerial).padStart(8),
    ].join(' '),
  );
}
lines.push(
  '',
  'CPU s: user + system seconds of the worker processes, of every Ceph daemon (radosgw, ceph-osd,',
  'ceph-mon) and of redis-server during the finalize; busy: their sum over wall time x CPUs.',
);
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(`${root}bench-results`, { recursive: true });
writeFileSync(
  `${root}bench-results/finalize.json`,
  `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
);
