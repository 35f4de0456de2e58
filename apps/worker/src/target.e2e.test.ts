/**
 * The perceptual target end to end (issue 25), over real things: Ceph RGW and
 * s3rver over HTTP, Redis, and kpress child processes (enqueue, worker). A
 * batch with the default options stores no output below SSIMULACRA 2.1 80 by
 * kpress's own score, and keeps the rest as originals with their reasons; a
 * batch.json written before the target existed resumes as the fixed palette
 * it was made with.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { decode } from '@kpress/codec';
import { loadConfig } from '@kpress/config';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { createQueue } from '@kpress/queue';
import { ssimulacra2 } from '@kpress/ssimulacra2';
import {
  type ProcessHandle,
  redisUrl,
  removeQueueKeys,
  type S3Server,
  samplePath,
  spawnProcess,
  startS3Server,
  testS3Kinds,
  uniqueQueueName,
  uploadFixtures,
} from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const SRC = 'src-bkt';
const DST = 'dst-bkt';

describe.each(testS3Kinds())('target.e2e on %s', (kind) => {
  let s3: S3Server;

  function kpress(args: string[], queue: string): ProcessHandle {
    return spawnProcess(process.execPath, [BIN, ...args], {
      env: { ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queue, LOG_LEVEL: 'info' },
    });
  }

  async function get(bucket: string, key: string): Promise<Buffer> {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(
      await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  async function rowsOf(prefix: string, batch: string): Promise<ManifestRow[]> {
    const text = (await get(DST, `${prefix}_kpress/${batch}/manifest.jsonl`)).toString('utf8');
    return text.trimEnd().split('\n').map(parseRow);
  }

  /** kpress's own score of a stored PNG: its decoded samples against the decoded source. */
  async function storedScore(source: Buffer, png: Buffer): Promise<number> {
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    return ssimulacra2(await decode(source), {
      data,
      width: info.width,
      height: info.height,
      channels: info.channels as 3 | 4,
    });
  }

  async function withWorker(queue: string, body: () => Promise<void>): Promise<void> {
    const worker = kpress(['worker', '--concurrency', '2'], queue);
    await worker.waitForLine(/worker ready/);
    try {
      await body();
    } finally {
      worker.kill('SIGTERM');
      expect(await worker.waitForExit()).toEqual({ code: 0, signal: null });
      const q = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: queue }));
      await q.obliterate({ force: true });
      await q.close();
      await removeQueueKeys(queue);
    }
  }

  beforeAll(async () => {
    if (!existsSync(BIN))
      throw new Error(`${BIN} is missing: build @kpress/cli first (pnpm turbo run build)`);
    s3 = await startS3Server({ kind, buckets: [SRC, DST] });
  });

  afterAll(async () => {
    await s3?.close();
  });

  it('the default batch stores nothing below 80 by its own score, and keeps the rest as originals with reasons', async () => {
    const queue = uniqueQueueName('kpress-target');
    const keys = await uploadFixtures(s3.client, SRC, 'photos/', {
      'astronaut.png': { path: samplePath('astronaut.png') },
      'chelsea.png': { path: samplePath('chelsea.png') },
      'coffee.png': { path: samplePath('coffee.png') },
      'coffee.jpg': { path: samplePath('coffee.jpg') },
    });
    await withWorker(queue, async () => {
      const run = kpress(
        ['enqueue', `s3://${SRC}/photos/`, '--dest', `s3://${DST}/t/`, '--batch', 'dflt', '--wait'],
        queue,
      );
      expect((await run.waitForExit()).code, run.stderr.join('\n')).toBe(0);
      const batchJson = JSON.parse((await get(DST, 't/_kpress/dflt/batch.json')).toString('utf8'));
      expect(batchJson.options).toMatchObject({ target: 80, colors: 256 });
      const rows = await rowsOf('t/', 'dflt');
      expect(rows.map((r) => r.key).sort()).toEqual([...keys].sort());
      const compressed = rows.filter((r) => r.status === 'compressed');
      expect(compressed.length).toBeGreaterThan(0);
      for (const row of compressed) {
        const out = await get(DST, row.outputKey as string);
        const score = await storedScore(await get(SRC, row.key), out);
        expect(score, row.key).toBeGreaterThanOrEqual(80);
        expect(row.ssimulacra2).toBe(Math.round(score * 100) / 100);
        const head = await s3.client.send(
          new GetObjectCommand({ Bucket: DST, Key: row.outputKey as string }),
        );
        expect(head.Metadata?.['kpress-target'], row.key).toBe('80');
      }
      const kept = rows.filter((r) => r.status === 'kept-original');
      expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
      // astronaut: 79.6 at 256 colours: no palette serves it at 80
      const astronaut = kept.find((r) => r.key === 'photos/astronaut.png');
      expect(astronaut?.error).toMatch(
        /^best SSIMULACRA 2\.1 score 7\d\.\d\d \(256 colours(, dithered)?\) is below the target 80$/,
      );
      for (const row of kept) {
        expect(row.ssimulacra2, row.key).toBeNull();
        expect(row.error, row.key).toMatch(/below the target 80|not smaller than the original/);
        expect(
          Buffer.compare(await get(DST, row.outputKey as string), await get(SRC, row.key)),
        ).toBe(0);
      }
    });
  }, 180_000);

  it('a batch.json written before the target existed resumes as its fixed palette', async () => {
    const queue = uniqueQueueName('kpress-target-old');
    await uploadFixtures(s3.client, SRC, 'old/', {
      'chelsea.png': { path: samplePath('chelsea.png') },
      'coffee.jpg': { path: samplePath('coffee.jpg') },
    });
    // exactly what enqueue wrote before issue 25 for a default batch (no target key)
    const old = {
      version: 1,
      batchId: 'old',
      source: `s3://${SRC}/old/`,
      dest: `s3://${DST}/o/`,
      options: { colors: 16, seed: 1, effort: 3 },
      createdAt: '2026-12-01T10:00:00.000Z',
      kpressVersion: '0.1.0',
    };
    await s3.client.send(
      new PutObjectCommand({
        Bucket: DST,
        Key: 'o/_kpress/old/batch.json',
        Body: JSON.stringify(old),
        ContentType: 'application/json',
      }),
    );
    await withWorker(queue, async () => {
      // today's default (target 80) is another batch: refused, naming the flags that resume it
      const plain = kpress(
        ['enqueue', `s3://${SRC}/old/`, '--dest', `s3://${DST}/o/`, '--batch', 'old'],
        queue,
      );
      expect((await plain.waitForExit()).code).toBe(1);
      expect(plain.stderr.join('\n')).toMatch(
        /batch old exists with different settings \(.* --colors 16 --seed 1 --effort 3\); this run asked for .*--target 80 --colors 256/,
      );
      const resume = kpress(
        [
          'enqueue',
          `s3://${SRC}/old/`,
          '--dest',
          `s3://${DST}/o/`,
          '--batch',
          'old',
          '--colors',
          '16',
          '--wait',
        ],
        queue,
      );
      expect((await resume.waitForExit()).code, resume.stderr.join('\n')).toBe(0);
      const rows = await rowsOf('o/', 'old');
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.status, row.key).toBe('compressed');
        expect(row.colors, row.key).toBeLessThanOrEqual(16);
        const out = await get(DST, row.outputKey as string);
        const facts = JSON.parse(
          (await sharp(out).metadata()).comments?.find((c) => c.keyword === 'kpress')?.text ?? '{}',
        );
        expect(facts).toMatchObject({ colors: 16, seed: 1, effort: 3 });
        expect(facts).not.toHaveProperty('target');
      }
      // batch.json is as it was
      expect(JSON.parse((await get(DST, 'o/_kpress/old/batch.json')).toString('utf8'))).toEqual(
        old,
      );
    });
  }, 180_000);
});
