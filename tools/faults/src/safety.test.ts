/**
 * Nothing overwritten, nobody writes where they should not, nothing flattened
 * (issue 12's six cases), end to end with the built CLI on each S3 server:
 * every case ends with the originals and the first batch's outputs
 * byte-identical to what they were.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BYTES_PER_PIXEL, loadConfig, pixelsForBudget } from '@kpress/config';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { createQueue, JOB_NAMES } from '@kpress/queue';
import { makeApng, samplePath, testS3Kinds, uploadFixtures } from '@kpress/testkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { getBytes, listKeys, waitForObject } from './batch-check.js';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { useFaultSuite } from './test/fault-suite.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(testS3Kinds())('safety on %s', (kind) => {
  const suite = useFaultSuite({
    kind,
    queuePrefix: 'kpress-faults-safety',
    buckets: ['src', 'dst', 'txt'],
  });
  const photo = readFileSync(samplePath('coffee.jpg'));
  const png = readFileSync(samplePath('chelsea.png'));

  /** sha256 of every object under a prefix: the before/after picture of a bucket. */
  async function snapshot(bucket: string, prefix: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const key of await listKeys(suite.s3.client, bucket, prefix)) {
      out.set(key, sha(await getBytes(suite.s3.client, bucket, key)));
    }
    return out;
  }

  async function manifest(dest: string, batch: string): Promise<Map<string, ManifestRow>> {
    const text = (await getBytes(suite.s3.client, 'dst', `${dest}_kpress/${batch}/manifest.jsonl`))
      .toString('utf8')
      .trim();
    return new Map(
      text
        .split('\n')
        .map(parseRow)
        .map((r) => [r.key, r]),
    );
  }

  async function runBatch(args: string[], env = suite.env()) {
    const run = kpress(['enqueue', ...args, '--wait', '--json'], env);
    const exit = await run.waitForExit();
    return { exit, run };
  }

  let before: Map<string, string>;
  beforeAll(async () => {
    await uploadFixtures(suite.s3.client, 'src', 'a/', { 'cat.png': png, 'coffee.jpg': photo });
    await uploadFixtures(suite.s3.client, 'src', 'b/', { 'cat.png': png });
    const workers = await startWorkers(1, suite.env(), 2);
    const { exit, run } = await runBatch([
      's3://src/a/',
      '--dest',
      's3://dst/out/',
      '--batch',
      'first',
    ]);
    for (const e of await stopWorkers(workers)) expect(e.code).toBe(0);
    expect(exit.code, run.stderr.slice(-5).join('\n')).toBe(0);
    before = new Map([...(await snapshot('src', '')), ...(await snapshot('dst', ''))]);
  });

  async function expectUntouched(): Promise<void> {
    const now = new Map([...(await snapshot('src', '')), ...(await snapshot('dst', ''))]);
    for (const [key, digest] of before) expect(now.get(key), key).toBe(digest);
  }

  it('case 1: a second batch with another source or options, or a nested destination, is refused naming the first', async () => {
    const cases = [
      ['s3://src/b/', '--dest', 's3://dst/out/', '--colors', '4'],
      ['s3://src/a/', '--dest', 's3://dst/out/', '--colors', '4'],
      ['s3://src/b/', '--dest', 's3://dst/out/sub/'],
      ['s3://src/b/', '--dest', 's3://dst/'],
    ];
    for (const args of cases) {
      const { exit, run } = await runBatch(args);
      expect(exit.code, args.join(' ')).toBe(1);
      expect(run.stderr.join('\n')).toMatch(
        /belongs to batch first \(s3:\/\/src\/a\/ -> s3:\/\/dst\/out\/ --colors 16 --seed 1 --effort 3\)/,
      );
    }
    const sub = await listKeys(suite.s3.client, 'dst', 'out/sub/');
    expect(sub).toEqual([]);
    await expectUntouched();
  });

  it('case 1: an object another tool left at an output key is kept, and its row names the key', async () => {
    const theirs = Buffer.from('not ours');
    await uploadFixtures(suite.s3.client, 'src', 'c/', { 'cat.png': png, 'dog.png': png });
    await suite.s3.client.send(
      new PutObjectCommand({ Bucket: 'dst', Key: 'other/cat.png', Body: theirs }),
    );
    const workers = await startWorkers(1, suite.env(), 2);
    const { exit } = await runBatch([
      's3://src/c/',
      '--dest',
      's3://dst/other/',
      '--batch',
      'second',
    ]);
    await stopWorkers(workers);
    expect(exit.code).toBe(0);
    expect(await getBytes(suite.s3.client, 'dst', 'other/cat.png')).toEqual(theirs);
    const rows = await manifest('other/', 'second');
    expect(rows.get('c/cat.png')).toMatchObject({ status: 'failed', outputKey: null });
    expect(rows.get('c/cat.png')?.error).toBe(
      'output key "other/cat.png" is taken by an object not written by kpress (8 bytes): nothing was overwritten; move it away or write this batch to another destination',
    );
    expect(rows.get('c/dog.png')?.status).toBe('compressed');
    // outputs say where they come from
    const head = await suite.s3.client.send(
      new HeadObjectCommand({ Bucket: 'dst', Key: 'other/dog.png' }),
    );
    expect(head.Metadata).toMatchObject({
      'kpress-batch': 'second',
      'kpress-source': 'c%2Fdog.png',
    });
    await expectUntouched();
  });

  it('case 2: a worker refuses a job Redis holds that batch.json does not confirm', async () => {
    const env = { ...suite.env(), LOG_LEVEL: 'info' };
    const workers = await startWorkers(1, env, 1);
    const queue = createQueue(loadConfig(env));
    const forged = [
      // source = destination: would replace the original
      {
        batchId: 'first',
        key: 'a/cat.png',
        source: 's3://src/a/',
        dest: 's3://src/a/',
        colors: 2,
        seed: 1,
        size: png.length,
      },
      // a real batch, other options
      {
        batchId: 'first',
        key: 'a/cat.png',
        source: 's3://src/a/',
        dest: 's3://dst/out/',
        colors: 2,
        seed: 1,
        size: png.length,
      },
      // a batch that was never enqueued
      {
        batchId: 'nobody',
        key: 'a/cat.png',
        source: 's3://src/a/',
        dest: 's3://dst/x/',
        colors: 16,
        seed: 1,
        size: png.length,
      },
    ];
    for (const [i, data] of forged.entries())
      await queue.add(JOB_NAMES.compress, data, { jobId: `forged-${i}` });
    const reasons = [
      /job refused: source s3:\/\/src\/a\/ and destination s3:\/\/src\/a\/ overlap/,
      /job refused: the job.s options \(colors 2, seed 1, quality none, effort 3\) are not the batch.s \(colors 16/,
      /job refused: no batch.json for batch nobody under s3:\/\/dst\/x\//,
    ];
    for (const r of reasons) await workers[0]?.waitForLine(r);
    await queue.close();
    await stopWorkers(workers);
    expect(await listKeys(suite.s3.client, 'src', 'a/_kpress/')).toEqual([]);
    expect(await listKeys(suite.s3.client, 'dst', 'x/')).toEqual([]);
    await expectUntouched();
  });

  it('case 3: an APNG is kept byte for byte, never flattened', async () => {
    const apng = makeApng();
    await uploadFixtures(suite.s3.client, 'src', 'anim/', { 'spin.png': apng });
    const workers = await startWorkers(1, suite.env(), 1);
    const { exit } = await runBatch([
      's3://src/anim/',
      '--dest',
      's3://dst/anim/',
      '--batch',
      'anim',
    ]);
    await stopWorkers(workers);
    expect(exit.code).toBe(0);
    const row = (await manifest('anim/', 'anim')).get('anim/spin.png');
    expect(row).toMatchObject({ status: 'kept-original', outputKey: 'anim/spin.png' });
    expect(row?.error).toBe('animated PNG (APNG) with 4 frames: a palette PNG holds one');
    expect(await getBytes(suite.s3.client, 'dst', 'anim/spin.png')).toEqual(apng);
  });

  it('case 4: a small file of too many pixels for the slot budget is copied byte for byte (never decoded), and a job that killed its worker twice is failed, not retried', async () => {
    // 16383 x 16383 1-bit PNG: 33 KB on disk, 805 MB as RGB
    const huge = await sharp({
      create: { width: 16383, height: 16383, channels: 3, background: '#fff' },
    })
      .png({ palette: true, colors: 2 })
      .toBuffer();
    const big = await sharp(photo)
      .resize(4000, 4000, { fit: 'fill' })
      .png({ compressionLevel: 1 })
      .toBuffer();
    await uploadFixtures(suite.s3.client, 'src', 'mem/', { 'huge.png': huge, 'big.png': big });
    // the smallest whole-GiB slot budget that big.png fits (4096 MiB at 256 bytes per pixel)
    const slotMb = 1024 * Math.ceil((4000 * 4000 * BYTES_PER_PIXEL) / 2 ** 30);
    const env = {
      ...suite.env(FAST_STALL_ENV),
      KPRESS_SLOT_MEMORY_MB: String(slotMb),
      LOG_LEVEL: 'debug',
    };
    const enqueue = kpress(
      ['enqueue', 's3://src/mem/', '--dest', 's3://dst/mem/', '--batch', 'mem', '--wait'],
      env,
    );
    // big.png (16 MP) fits the budget; kill each worker while it holds it, twice
    for (let death = 0; death < 2; death++) {
      const [w] = await startWorkers(1, env, 1);
      await w?.waitForLine(/"key":"mem\/big\.png".*compressing/, 60_000);
      w?.kill('SIGKILL');
      await w?.waitForExit();
    }
    const workers = await startWorkers(1, env, 1);
    const exit = await enqueue.waitForExit();
    await stopWorkers(workers);
    expect(exit.code, enqueue.stderr.slice(-5).join('\n')).toBe(0);
    const rows = await manifest('mem/', 'mem');
    // issue 26: copied under its own name (it was a failed row)
    expect(rows.get('mem/huge.png')).toMatchObject({ status: 'copied', outputKey: 'mem/huge.png' });
    expect(await getBytes(suite.s3.client, 'dst', 'mem/huge.png')).toEqual(huge);
    expect(rows.get('mem/huge.png')?.error).toMatch(
      new RegExp(
        `^too many pixels: 16383x16383 is 268402689 pixels, more than maxPixels ${pixelsForBudget(slotMb)}`,
      ),
    );
    expect(rows.get('mem/big.png')?.error).toMatch(
      new RegExp(
        `^the worker processing it died twice \\(\\d+ bytes; most likely out of memory: the slot budget is KPRESS_SLOT_MEMORY_MB=${slotMb},`,
      ),
    );
  }, 180_000);

  it('case 5: a source deleted before the finalize keeps its row, flagged, and is counted', async () => {
    await uploadFixtures(suite.s3.client, 'src', 'del/', { 'one.png': png, 'two.jpg': photo });
    const workers = await startWorkers(1, suite.env(), 2);
    expect(
      (await runBatch(['s3://src/del/', '--dest', 's3://dst/del/', '--batch', 'del'])).exit.code,
    ).toBe(0);
    // archive, then delete an original; the batch is finalized again
    await suite.s3.client.send(new DeleteObjectCommand({ Bucket: 'src', Key: 'del/one.png' }));
    await suite.s3.client.send(
      new DeleteObjectCommand({ Bucket: 'dst', Key: 'del/_kpress/del/summary.json' }),
    );
    expect(
      (await runBatch(['s3://src/del/', '--dest', 's3://dst/del/', '--batch', 'del'])).exit.code,
    ).toBe(0);
    await stopWorkers(workers);
    const rows = await manifest('del/', 'del');
    expect(rows.get('del/one.png')).toMatchObject({ status: 'compressed', sourceDeleted: true });
    expect(rows.get('del/two.jpg')).toMatchObject({ sourceDeleted: false });
    const summary = JSON.parse(
      (await getBytes(suite.s3.client, 'dst', 'del/_kpress/del/summary.json')).toString(),
    );
    expect(summary.counts).toMatchObject({ total: 2, sourceDeleted: 1 });
    expect(await listKeys(suite.s3.client, 'dst', 'del/one.png')).toEqual(['del/one.png']);
  });

  it('case 6: keys that would run as formulas or carry escapes and bidi reach people neutralised', async () => {
    // at a bucket's root, so that the keys themselves start the CSV cells
    const names = [
      '=1+2.png',
      '+1.png',
      '-2.png',
      '@3.png',
      'esc\u001b[31mred.png',
      'bidi\u202egnp.png',
    ];
    await uploadFixtures(
      suite.s3.client,
      'txt',
      '',
      Object.fromEntries(names.map((n) => [n, png])),
    );
    const workers = await startWorkers(1, suite.env(), 2);
    expect(
      (await runBatch(['s3://txt/', '--dest', 's3://dst/txt/', '--batch', 'txt'])).exit.code,
    ).toBe(0);
    await stopWorkers(workers);
    // the JSON manifest keeps the exact keys
    expect([...(await manifest('txt/', 'txt')).keys()].sort()).toEqual([...names].sort());
    const csv = (await getBytes(suite.s3.client, 'dst', 'txt/_kpress/txt/manifest.csv')).toString(
      'utf8',
    );
    for (const line of csv.trim().split('\n').slice(1)) {
      expect(line, line).not.toMatch(/^"?[=+\-@]/);
      expect(line).not.toMatch(/,"?[=+\-@]/);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape in output is what this looks for
    expect(csv).not.toMatch(/[\u001b\u202e]/);
    expect(csv).toContain("'=1+2.png");
    expect(csv).toContain('esc\\x1b[31mred.png');
    expect(csv).toContain('bidi\\u202egnp.png');
    for (const format of ['table', 'csv', 'html']) {
      const report = kpress(
        ['report', 's3://dst/txt/', '--batch', 'txt', '--format', format],
        suite.env(),
      );
      expect((await report.waitForExit()).code).toBe(0);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape in output is what this looks for
      expect(report.stdout.join('\n'), format).not.toMatch(/[\u001b\u202e]/);
    }
    await waitForObject(suite.s3.client, 'dst', 'txt/_kpress/txt/report.html');
  });

  it('case 1: a job run again finds its own output and succeeds without writing', async () => {
    // the record and summary gone (as after a crash between the output and the record)
    for (const key of ['out/_kpress/first/records/cat.png', 'out/_kpress/first/summary.json'])
      await suite.s3.client.send(new DeleteObjectCommand({ Bucket: 'dst', Key: key }));
    const workers = await startWorkers(1, suite.env(), 2);
    const { exit } = await runBatch(['s3://src/a/', '--dest', 's3://dst/out/', '--batch', 'first']);
    await stopWorkers(workers);
    expect(exit.code).toBe(0);
    const rows = await manifest('out/', 'first');
    expect(rows.get('a/cat.png')?.status).toBe('compressed');
    expect(sha(await getBytes(suite.s3.client, 'dst', 'out/cat.png'))).toBe(
      before.get('out/cat.png'),
    );
  });
});
