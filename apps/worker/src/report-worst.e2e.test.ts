/**
 * The report's worst cases over real things: Ceph RGW and s3rver, Redis and
 * kpress child processes. A batch finalized by a worker with
 * KPRESS_REPORT_WORST=3 shows exactly the three compressed rows with the
 * lowest SSIMULACRA 2.1 scores (ties by key) as 1:1 crops fetched from S3,
 * and `kpress report` lists them under the score histogram. A finalize
 * whose assemble fails after its commit, and whose retry finds one output
 * gone, still ends: the page says that crop could not be made, and the other
 * crops, made again from S3, are those of a run without a fault.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '@kpress/config';
import { parseRow } from '@kpress/manifest';
import { createQueue } from '@kpress/queue';
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
const SRC = 'worst-src';
const DST = 'worst-dst';
const N = 3;

describe.each(testS3Kinds())('report worst cases on %s', (kind) => {
  let s3: S3Server;
  const queue = uniqueQueueName('kpress-worst');

  function kpress(args: string[], extra: Record<string, string> = {}): ProcessHandle {
    return spawnProcess(process.execPath, [BIN, ...args], {
      env: { ...s3.env, REDIS_URL: redisUrl(), KPRESS_QUEUE: queue, LOG_LEVEL: 'info', ...extra },
    });
  }

  async function get(key: string): Promise<Buffer> {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: DST, Key: key }));
    return Buffer.from(
      await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  /** The worst-case figures of a page: key and crop (data URI, or null with the note shown instead). */
  function figures(html: string): { key: string; crop: string | null; body: string }[] {
    return [
      ...html.matchAll(
        /<figure class="worst"><figcaption><span class="key">([^<]*)<\/span>(.*?)<\/figure>/g,
      ),
    ].map((m) => ({
      key: m[1] ?? '',
      body: m[2] ?? '',
      crop:
        /<img class="crop" src="(data:image\/png;base64,[A-Za-z0-9+/=]+)"/.exec(m[2] ?? '')?.[1] ??
        null,
    }));
  }

  async function photos(prefix: string): Promise<void> {
    const small = await sharp(samplePath('chelsea.png')).resize(120, 80).png().toBuffer();
    await uploadFixtures(s3.client, SRC, prefix, {
      'astronaut.jpg': { path: samplePath('astronaut.jpg') },
      'chelsea.png': { path: samplePath('chelsea.png') },
      'coffee.jpg': { path: samplePath('coffee.jpg') },
      'coffee.png': { path: samplePath('coffee.png') },
      'small.png': small,
      'notes.txt': 'not an image\n',
    });
  }

  function enqueue(batch: string, from: string, to: string): ProcessHandle {
    return kpress([
      'enqueue',
      `s3://${SRC}/${from}`,
      '--dest',
      `s3://${DST}/${to}`,
      '--batch',
      batch,
      '--colors',
      '8',
      '--wait',
      '--json',
    ]);
  }

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [SRC, DST] });
  });

  afterAll(async () => {
    const q = createQueue(loadConfig({ REDIS_URL: redisUrl(), KPRESS_QUEUE: queue }));
    await q.obliterate({ force: true });
    await q.close();
    await removeQueueKeys(queue);
    await s3?.close();
  });

  it(`shows the ${N} lowest-scored compressed rows as 1:1 crops, and the table lists them`, async () => {
    // a small copy (under the crop side), photos, and a text object (copied, never a worst case)
    await photos('in/');
    const worker = kpress(['worker', '--concurrency', '2'], { KPRESS_REPORT_WORST: String(N) });
    await worker.waitForLine(/worker ready/);
    try {
      const batch = 'worst-1';
      const run = enqueue(batch, 'in/', 'out/');
      expect((await run.waitForExit()).code, run.stderr.join('\n')).toBe(0);

      const rows = (await get(`out/_kpress/${batch}/manifest.jsonl`))
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map(parseRow);
      const scored = rows
        .filter((r) => r.status === 'compressed' && typeof r.ssimulacra2 === 'number')
        .sort(
          (a, b) =>
            (a.ssimulacra2 as number) - (b.ssimulacra2 as number) || (a.key < b.key ? -1 : 1),
        );
      expect(scored.length).toBeGreaterThan(N);
      const worst = scored.slice(0, N);

      const html = (await get(`out/_kpress/${batch}/report.html`)).toString('utf8');
      const figures = [
        ...html.matchAll(/<figure class="worst"><figcaption><span class="key">([^<]*)<\/span>/g),
      ];
      expect(figures.map((m) => m[1])).toEqual(worst.map((r) => r.key));
      const crops = [
        ...html.matchAll(
          /<img class="crop" src="data:image\/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"/g,
        ),
      ];
      expect(crops).toHaveLength(N);
      for (const [i, m] of crops.entries()) {
        const row = worst[i];
        const png = await sharp(Buffer.from(m[1] ?? '', 'base64')).metadata();
        const w = Math.min(192, row?.width ?? 0);
        const h = Math.min(192, row?.height ?? 0);
        // original and output side by side, each at 1:1 (the whole image when smaller)
        expect([png.width, png.height]).toEqual([2 * w + 4, h]);
        expect([Number(m[2]), Number(m[3])]).toEqual([2 * w + 4, h]);
        expect(html).toContain(`SSIMULACRA 2.1 ${Number(row?.ssimulacra2).toFixed(2)} · 8 colours`);
      }
      expect(html).not.toContain('the crop could not be made');

      const table = kpress(['report', `s3://${DST}/out/`, '--batch', batch]);
      expect((await table.waitForExit()).code, table.stderr.join('\n')).toBe(0);
      const text = table.stdout.join('\n');
      expect(text).toContain('Scores');
      expect(text).toMatch(/ 0–30 +\d+/);
      expect(text).toContain('Lowest scores');
      for (const r of worst)
        expect(text).toContain(
          `${(r.ssimulacra2 as number).toFixed(2).padStart(8)}       8  ${r.key}`,
        );
    } finally {
      worker.kill('SIGTERM');
      await worker.waitForExit();
    }
  }, 240_000);
  it('a finalize retried after a fault, one output gone, ends with a note and the same other crops', async () => {
    await photos('again/');
    const dir = mkdtempSync(join(tmpdir(), 'kpress-worst-faults-'));
    const plan = join(dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({ dir, faults: { 'worst-2': { point: 'assemble.finish', mode: 'fail' } } }),
    );
    const worker = kpress(['worker', '--concurrency', '2'], {
      KPRESS_REPORT_WORST: String(N),
      KPRESS_FAULT_PLAN: plan,
      KPRESS_FINALIZE_BACKOFF_MS: '3000',
    });
    await worker.waitForLine(/worker ready/);
    try {
      const clean = enqueue('worst-3', 'again/', 'clean/');
      expect((await clean.waitForExit()).code, clean.stderr.join('\n')).toBe(0);
      const run = enqueue('worst-2', 'again/', 'faulty/');
      // the assemble committed its round, then failed: before its retry, an output goes
      const fired = join(dir, 'worst-2.fired');
      for (let i = 0; i < 600 && !existsSync(fired); i++) await sleep(50);
      expect(existsSync(fired), 'the fault fired').toBe(true);
      const cleanHtml = (await get('clean/_kpress/worst-3/report.html')).toString('utf8');
      const cleanFigures = figures(cleanHtml);
      expect(cleanFigures).toHaveLength(N);
      const gone = cleanFigures[1]?.key.replace(/^again\//, '') ?? '';
      const goneRow = parseRow(
        (await get('clean/_kpress/worst-3/manifest.jsonl'))
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .find((l) => l.includes(`"again/${gone}"`)) ?? '',
      );
      const goneOutput = (goneRow.outputKey ?? '').replace(/^clean\//, 'faulty/');
      await s3.client.send(new DeleteObjectCommand({ Bucket: DST, Key: goneOutput }));
      expect((await run.waitForExit()).code, run.stderr.join('\n')).toBe(0);

      const html = (await get('faulty/_kpress/worst-2/report.html')).toString('utf8');
      const faulty = figures(html);
      expect(faulty.map((f) => f.key)).toEqual(cleanFigures.map((f) => f.key));
      for (const [i, f] of faulty.entries()) {
        if (i === 1) {
          expect(f.crop).toBeNull();
          expect(f.body).toContain('the crop could not be made:');
        } else {
          // made again from S3 alone: the very same crop as the run without a fault
          expect(f.crop).not.toBeNull();
          expect(f.crop).toBe(cleanFigures[i]?.crop);
        }
      }
      const summary = JSON.parse(
        (await get('faulty/_kpress/worst-2/summary.json')).toString('utf8'),
      );
      expect(summary.counts.total).toBe(6);
    } finally {
      worker.kill('SIGTERM');
      await worker.waitForExit();
    }
  }, 240_000);
});
