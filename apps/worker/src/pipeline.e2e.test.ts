/**
 * The whole pipeline over real things: Ceph RGW and s3rver over HTTP on loopback, Redis,
 * and kpress child processes (`node apps/cli/dist/bin.js enqueue|worker|report`),
 * each test on its own KPRESS_QUEUE.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { compressImage } from '@kpress/codec';
import { KPRESS_VERSION, loadConfig } from '@kpress/config';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { createQueue } from '@kpress/queue';
import {
  type ProcessHandle,
  redisUrl,
  type S3Server,
  samplePath,
  spawnProcess,
  startS3Server,
  uniqueQueueName,
  uploadFixtures,
  testS3Kinds,
  removeQueueKeys,
} from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const SRC = 'src-bkt';
const DST = 'dst-bkt';

describe.each(testS3Kinds())('pipeline.e2e on %s', (kind) => {
  let s3: S3Server;
  let animatedGif: Buffer;

  function env(queue: string): Record<string, string> {
    return { ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queue, LOG_LEVEL: 'info' };
  }

  function kpress(args: string[], queue: string): ProcessHandle {
    return spawnProcess(process.execPath, [BIN, ...args], { env: env(queue) });
  }

  async function get(bucket: string, key: string): Promise<Buffer> {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(
      await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  async function obliterate(queueName: string): Promise<void> {
    const queue = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: queueName }));
    await queue.obliterate({ force: true });
    await queue.close();
    await removeQueueKeys(queueName);
  }

  async function startWorkers(n: number, queue: string): Promise<ProcessHandle[]> {
    const workers = Array.from({ length: n }, () =>
      kpress(['worker', '--concurrency', '2'], queue),
    );
    await Promise.all(workers.map((w) => w.waitForLine(/worker ready/)));
    return workers;
  }

  async function stopWorkers(workers: ProcessHandle[]): Promise<void> {
    for (const w of workers) w.kill('SIGTERM');
    const exits = await Promise.all(workers.map((w) => w.waitForExit()));
    for (const [i, e] of exits.entries()) {
      expect(e, `worker ${i} stderr:\n${workers[i]?.stderr.slice(-5).join('\n')}`).toEqual({
        code: 0,
        signal: null,
      });
    }
  }

  beforeAll(async () => {
    if (!existsSync(BIN))
      throw new Error(`${BIN} is missing: build @kpress/cli first (pnpm turbo run build)`);
    s3 = await startS3Server({ kind, buckets: [SRC, DST] });
    const red = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const blue = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#00f' } })
      .png()
      .toBuffer();
    animatedGif = await sharp([red, blue], { join: { animated: true } })
      .gif()
      .toBuffer();
  });

  afterAll(async () => {
    await s3?.close();
  });

  /** Source objects of the main batch: name under `in/` -> body. */
  function sources() {
    return {
      'astronaut.jpg': { path: samplePath('astronaut.jpg') },
      'chelsea.png': { path: samplePath('chelsea.png') },
      'coffee.jpg': { path: samplePath('coffee.jpg') },
      'broken-truncated.jpg': { path: samplePath('broken-truncated.jpg') },
      'notes.txt': 'not an image, just text\n',
      'deep/dir with space/café + 100%.jpg': { path: samplePath('coffee.jpg') },
      'deep/ünï cödé #1.png': { path: samplePath('chelsea.png') },
      'anim.gif': animatedGif,
      cat: { path: samplePath('chelsea.png') },
      'cat.png': { path: samplePath('chelsea.png') },
    };
  }

  describe('kpress pipeline (S3 + Redis + worker processes)', () => {
    it('compresses a mixed batch with two workers: one row per object, byte-exact outputs, reruns add nothing', async () => {
      const queue = uniqueQueueName('kpress-e2e');
      const files = sources();
      const keys = await uploadFixtures(s3.client, SRC, 'in/', files);
      const workers = await startWorkers(2, queue);
      try {
        const batch = 'e2e-main';
        const run = kpress(
          [
            'enqueue',
            `s3://${SRC}/in/`,
            '--dest',
            `s3://${DST}/out/`,
            '--batch',
            batch,
            '--colors',
            '16',
            '--wait',
            '--json',
          ],
          queue,
        );
        const exit = await run.waitForExit();
        expect(exit.code, run.stderr.join('\n')).toBe(0);
        const summary = JSON.parse(run.stdout.at(-1) ?? '{}');
        expect(summary.batchId).toBe(batch);
        expect(summary.counts.total).toBe(keys.length);

        const manifest = (await get(DST, `out/_kpress/${batch}/manifest.jsonl`)).toString('utf8');
        const rows: ManifestRow[] = manifest.trimEnd().split('\n').map(parseRow);
        expect(rows.map((r) => r.key).sort()).toEqual([...keys].sort());
        const byKey = new Map(rows.map((r) => [r.key, r]));
        expect(
          summary.counts.compressed +
            summary.counts.keptOriginal +
            summary.counts.copied +
            summary.counts.failed,
        ).toBe(keys.length);
        expect(summary.counts.failed).toBe(rows.filter((r) => r.status === 'failed').length);

        // compressed: palette PNGs whose bytes are what the codec encodes, sizes as recorded
        const compressed = rows.filter((r) => r.status === 'compressed');
        expect(compressed.map((r) => r.key).sort()).toEqual(
          [
            'in/astronaut.jpg',
            'in/cat.png',
            'in/chelsea.png',
            'in/coffee.jpg',
            'in/deep/dir with space/café + 100%.jpg',
            'in/deep/ünï cödé #1.png',
          ].sort(),
        );
        for (const row of compressed) {
          const out = await get(DST, row.outputKey as string);
          expect(out.byteLength).toBe(row.outputBytes);
          expect(out.readUInt8(25), `${row.key}: PNG colour type`).toBe(3);
          const meta = await sharp(out).metadata();
          expect(meta.format).toBe('png');
          expect([meta.width, meta.height]).toEqual([row.width, row.height]);
          // the same image with the same provenance chunks: byte for byte what the worker wrote
          const again = await compressImage(await get(SRC, row.key), {
            colors: 16,
            seed: 1,
            provenance: {
              software: `kpress ${KPRESS_VERSION}`,
              facts: {
                batch,
                source: row.key,
                sourceSha256: row.sha256 as string,
                colors: 16,
                seed: 1,
                effort: 3,
                kpressVersion: KPRESS_VERSION,
              },
            },
          });
          expect(Buffer.compare(again.png, out), `${row.key}: bytes differ from the codec's`).toBe(
            0,
          );
          expect(row.outputBytes).toBeLessThan(row.originalBytes);
        }
        expect(byKey.get('in/coffee.jpg')?.outputKey).toBe('out/coffee.jpg.png');
        expect(byKey.get('in/deep/dir with space/café + 100%.jpg')?.outputKey).toBe(
          'out/deep/dir with space/café + 100%.jpg.png',
        );

        // kept original: the animated GIF, byte for byte, with the reason
        const anim = byKey.get('in/anim.gif');
        expect(anim?.status).toBe('kept-original');
        expect(anim?.error).toBeTruthy();
        for (const row of rows.filter((r) => r.status === 'kept-original')) {
          expect(
            Buffer.compare(await get(DST, row.outputKey as string), await get(SRC, row.key)),
          ).toBe(0);
        }

        // copied (issue 26; these were failed rows): the damaged JPEG and the text file,
        // byte for byte under their own names, with the reason
        const copied = rows.filter((r) => r.status === 'copied');
        expect(copied.map((r) => r.key).sort()).toEqual([
          'in/broken-truncated.jpg',
          'in/notes.txt',
        ]);
        for (const row of copied) {
          expect(row.outputKey).toBe(row.key.replace(/^in\//, 'out/'));
          expect(row.error?.length).toBeGreaterThan(5);
          expect(
            Buffer.compare(await get(DST, row.outputKey as string), await get(SRC, row.key)),
          ).toBe(0);
        }
        expect(summary.counts.copied).toBe(2);

        // failed rows carry reasons a person understands: only the clash is left failed
        const failed = rows.filter((r) => r.status === 'failed');
        expect(failed.map((r) => r.key).sort()).toEqual(['in/cat']);
        for (const row of failed) expect(row.error?.length).toBeGreaterThan(5);
        expect(byKey.get('in/cat')?.error).toContain('in/cat.png');

        // the CSV has the same rows, the report exists, `report --format json` is the summary
        const csv = (await get(DST, `out/_kpress/${batch}/manifest.csv`)).toString('utf8');
        expect(csv.trimEnd().split('\n')).toHaveLength(keys.length + 1);
        expect((await get(DST, `out/_kpress/${batch}/report.html`)).toString('utf8')).toMatch(
          /<html/i,
        );
        const report = kpress(
          ['report', `s3://${DST}/out/`, '--batch', batch, '--format', 'json'],
          queue,
        );
        expect((await report.waitForExit()).code).toBe(0);
        expect(JSON.parse(report.stdout.join('\n'))).toEqual(summary);
        const table = kpress(['report', `s3://${DST}/out/`, '--batch', batch], queue);
        expect((await table.waitForExit()).code, table.stderr.join('\n')).toBe(0);
        expect(table.stdout.join('\n')).toMatch(/Copied\s+2 objects/);
        expect(table.stdout.join('\n')).toContain('in/cat');

        // a second enqueue of the finished batch queues nothing
        const again = kpress(
          // the batch's own options (a rerun with the new default, target 80, is another batch)
          [
            'enqueue',
            `s3://${SRC}/in/`,
            '--dest',
            `s3://${DST}/out/`,
            '--batch',
            batch,
            '--colors',
            '16',
            '--json',
          ],
          queue,
        );
        expect((await again.waitForExit()).code).toBe(0);
        expect(JSON.parse(again.stdout.at(-1) ?? '{}')).toMatchObject({
          finished: true,
          enqueued: 0,
        });

        // after losing the summary and manifests, a rerun skips every object (all have records)
        // and the finalize writes exactly one row per object again
        for (const f of ['summary.json', 'manifest.jsonl', 'manifest.csv', 'report.html']) {
          await s3.client.send(
            new DeleteObjectCommand({ Bucket: DST, Key: `out/_kpress/${batch}/${f}` }),
          );
        }
        const rerun = kpress(
          [
            'enqueue',
            `s3://${SRC}/in/`,
            '--dest',
            `s3://${DST}/out/`,
            '--batch',
            batch,
            '--colors',
            '16',
            '--wait',
            '--json',
          ],
          queue,
        );
        expect((await rerun.waitForExit()).code, rerun.stderr.join('\n')).toBe(0);
        const enqueued = rerun.stderr
          .map((l) => (l.startsWith('{') ? JSON.parse(l) : {}))
          .find((l) => l.msg === 'batch enqueued');
        expect(enqueued).toMatchObject({ total: keys.length, enqueued: 0, skipped: keys.length });
        const rows2 = (await get(DST, `out/_kpress/${batch}/manifest.jsonl`))
          .toString('utf8')
          .trimEnd()
          .split('\n');
        expect(rows2.map((l) => parseRow(l).key).sort()).toEqual([...keys].sort());
        expect(JSON.parse(rerun.stdout.at(-1) ?? '{}').counts).toEqual(summary.counts);

        // a rerun with other options is refused, naming the difference
        const other = kpress(
          [
            'enqueue',
            `s3://${SRC}/in/`,
            '--dest',
            `s3://${DST}/out/`,
            '--batch',
            batch,
            '--colors',
            '8',
          ],
          queue,
        );
        expect((await other.waitForExit()).code).toBe(1);
        expect(other.stderr.join('\n')).toMatch(
          /batch e2e-main exists with different settings.*--colors 16/,
        );
      } finally {
        await stopWorkers(workers);
        await obliterate(queue);
      }
    }, 180_000);

    it('keeps queues apart: a batch on one KPRESS_QUEUE is never seen by workers of another', async () => {
      const mine = uniqueQueueName('kpress-e2e-a');
      const theirs = uniqueQueueName('kpress-e2e-b');
      await uploadFixtures(s3.client, SRC, 'iso/', {
        'a.jpg': { path: samplePath('coffee.jpg') },
        'b.png': { path: samplePath('chelsea.png') },
      });
      const workers = await startWorkers(1, theirs);
      try {
        const run = kpress(
          [
            'enqueue',
            `s3://${SRC}/iso/`,
            '--dest',
            `s3://${DST}/iso-out/`,
            '--batch',
            'iso',
            '--json',
          ],
          mine,
        );
        expect((await run.waitForExit()).code, run.stderr.join('\n')).toBe(0);
        expect(JSON.parse(run.stdout.at(-1) ?? '{}')).toMatchObject({ total: 2, enqueued: 2 });
        const a = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: mine }));
        const b = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: theirs }));
        try {
          // the other queue's worker is running; ours has no worker, so both jobs stay waiting
          await workers[0]?.waitForLine(/worker ready/);
          expect(await a.getWaitingCount()).toBe(2);
          expect(await b.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({
            waiting: 0,
            active: 0,
            completed: 0,
            failed: 0,
          });
        } finally {
          await a.close();
          await b.close();
        }
      } finally {
        await stopWorkers(workers);
        await obliterate(mine);
        await obliterate(theirs);
      }
    }, 60_000);

    it('refuses a bad URL, an overlapping destination, missing buckets and unreachable Redis with one line and exit 1', async () => {
      const queue = uniqueQueueName('kpress-e2e-bad');
      onTestFinished(() => removeQueueKeys(queue).then(() => {}));
      const cases: [string[], RegExp][] = [
        [
          ['enqueue', 's3://Bad_Bucket/x/', '--dest', `s3://${DST}/y/`],
          /bucket name "Bad_Bucket" is invalid/,
        ],
        [['enqueue', `s3://${SRC}/in/`, '--dest', `s3://${SRC}/in/out/`], /overlaps the source/],
        [
          ['enqueue', 's3://no-such-bucket/x/', '--dest', `s3://${DST}/y/`],
          /source bucket "no-such-bucket" does not exist/,
        ],
        [
          ['enqueue', `s3://${SRC}/in/`, '--dest', 's3://no-such-dest/y/'],
          /destination bucket "no-such-dest" does not exist/,
        ],
      ];
      for (const [args, pattern] of cases) {
        const p = kpress(args, queue);
        const exit = await p.waitForExit();
        expect(exit.code, args.join(' ')).toBe(1);
        expect(p.stderr).toHaveLength(1);
        expect(p.stderr[0]).toMatch(pattern);
        expect(p.stdout).toEqual([]);
      }
      const noRedis = spawnProcess(
        process.execPath,
        [BIN, 'enqueue', `s3://${SRC}/in/`, '--dest', `s3://${DST}/z/`],
        {
          env: { ...env(queue), REDIS_URL: 'redis://user:hunter2@127.0.0.1:1' },
        },
      );
      expect((await noRedis.waitForExit()).code).toBe(1);
      expect(noRedis.stderr).toHaveLength(1);
      expect(noRedis.stderr[0]).toMatch(/cannot reach Redis at redis:\/\/user:\*+@127\.0\.0\.1:1/);
      expect(noRedis.stderr.join('\n')).not.toContain('hunter2');
    }, 60_000);
  });
});
