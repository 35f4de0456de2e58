/**
 * SIGTERM while a 12-megapixel image is in hand: the worker finishes it (or
 * hands it back), exits 0, and the image ends up with exactly one row.
 */
import { uploadFixtures, testS3Kinds } from '@kpress/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { waitForObject } from './batch-check.js';
import { kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { mulberry32 } from './prng.js';
import { checkSuiteBatch, expectOneRowEach, useFaultSuite } from './test/fault-suite.js';

describe.each(testS3Kinds())('sigterm-large on %s', (kind) => {
  const suite = useFaultSuite({ kind, queuePrefix: 'kpress-faults-term' });

  /** A 4240x2832 (12 MP) JPEG: a colour gradient with seeded noise. */
  async function twelveMegapixelJpeg(): Promise<Buffer> {
    const w = 4240;
    const h = 2832;
    const data = Buffer.alloc(w * h * 3);
    const random = mulberry32(12);
    for (let y = 0, o = 0; y < h; y++) {
      for (let x = 0; x < w; x++, o += 3) {
        const n = (random() * 40) | 0;
        data[o] = Math.min(255, ((x * 255) / w + n) | 0);
        data[o + 1] = Math.min(255, ((y * 255) / h + n) | 0);
        data[o + 2] = Math.min(255, (((x + y) * 127) / (w + h) + n) | 0);
      }
    }
    return sharp(data, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer();
  }

  it('SIGTERM with a 12 MP image in hand: exit 0, and the image gets exactly one row', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'in/', { 'big.jpg': await twelveMegapixelJpeg() });
    const env = suite.env({ LOG_LEVEL: 'debug' });
    const [worker] = await startWorkers(1, env);
    if (worker === undefined) throw new Error('no worker');
    const batch = 'term-12mp';
    const run = kpress(
      ['enqueue', 's3://src/in/', '--dest', 's3://dst/out/', '--batch', batch],
      env,
    );
    expect((await run.waitForExit()).code, run.stderr.join('\n')).toBe(0);

    await worker.waitForLine(/"stage":"codec"/, 60_000); // the image is in the pool
    worker.kill('SIGTERM');
    expect(await worker.waitForExit()).toEqual({ code: 0, signal: null });
    const finishedIt = worker.stderr.some((l) => l.includes('"stage":"done"'));

    // the next worker takes a job handed back, and runs the batch's finalize
    const next = await startWorkers(1, env);
    await waitForObject(suite.s3.client, 'dst', `out/_kpress/${batch}/summary.json`);
    for (const e of await stopWorkers(next)) expect(e).toEqual({ code: 0, signal: null });

    const check = await checkSuiteBatch(suite, batch);
    expectOneRowEach(check, 1);
    expect(check.badOutputs).toEqual([]);
    expect(check.byKey.get('in/big.jpg')).toMatchObject({ width: 4240, height: 2832 });
    console.log(`12 MP SIGTERM: the worker ${finishedIt ? 'finished' : 'handed back'} the image`);
  });
});
