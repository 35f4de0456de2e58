/**
 * The report's worst cases over real things: Ceph RGW and s3rver, Redis and
 * kpress child processes. A batch finalized by a worker with
 * KPRESS_REPORT_WORST=3 shows exactly the three compressed rows with the
 * lowest SSIMULACRA 2.1 scores (ties by key) as 1:1 crops fetched from S3,
 * and `kpress report` lists them under the score histogram.
 */
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
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
    const small = await sharp(samplePath('chelsea.png')).resize(120, 80).png().toBuffer();
    await uploadFixtures(s3.client, SRC, 'in/', {
      'astronaut.jpg': { path: samplePath('astronaut.jpg') },
      'chelsea.png': { path: samplePath('chelsea.png') },
      'coffee.jpg': { path: samplePath('coffee.jpg') },
      'coffee.png': { path: samplePath('coffee.png') },
      'small.png': small,
      'notes.txt': 'not an image\n',
    });
    const worker = kpress(['worker', '--concurrency', '2'], { KPRESS_REPORT_WORST: String(N) });
    await worker.waitForLine(/worker ready/);
    try {
      const batch = 'worst-1';
      const run = kpress([
        'enqueue',
        `s3://${SRC}/in/`,
        '--dest',
        `s3://${DST}/out/`,
        '--batch',
        batch,
        '--colors',
        '8',
        '--wait',
        '--json',
      ]);
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
        expect(html).toContain(
          `SSIMULACRA 2.1 ${(row?.ssimulacra2 as number).toFixed(2)} · 8 colours`,
        );
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
});
