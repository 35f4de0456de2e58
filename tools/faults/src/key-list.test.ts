/**
 * Batches from a key list, on both S3 servers with real workers and the real
 * CLI: `--inventory` (an S3 Inventory report: manifest.json and a gzip'd
 * CSV, MD5-checked) and `--keys` (an S3 Batch Operations CSV). The batch
 * covers exactly the listed keys under the source prefix, whatever else is
 * there; URL-encoded keys (spaces as `+`, `%2B`, non-ASCII) decode; rows of
 * other buckets and prefixes are left out; the finalize merges against the
 * list (in ranges), and a listed key whose object is gone is a failed row.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseRow } from '@kpress/manifest';
import { testS3Kinds, uploadFixtures } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { getBytes, listKeys } from './batch-check.js';
import { FAST_STALL_ENV, kpress, startWorkers, stopWorkers } from './kpress-cli.js';
import { sampleVariants } from './sample-variants.js';
import { useFaultSuite } from './test/fault-suite.js';

const enc = (key: string) => encodeURIComponent(key).replace(/%20/g, '+');

describe.each(testS3Kinds())('key-list on %s', (kind) => {
  const suite = useFaultSuite({
    kind,
    queuePrefix: 'kpress-faults-keys',
    buckets: ['src', 'dst', 'inv'],
  });

  async function put(bucket: string, key: string, body: Buffer | string) {
    await suite.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async function manifestKeys(prefix: string, batch: string): Promise<string[]> {
    const text = (
      await getBytes(suite.s3.client, 'dst', `${prefix}_kpress/${batch}/manifest.jsonl`)
    ).toString();
    return text
      .trimEnd()
      .split('\n')
      .map((l) => parseRow(l).key);
  }

  async function run(args: string[]) {
    const env = suite.env({ ...FAST_STALL_ENV, KPRESS_FINALIZE_RANGE_KEYS: '3' });
    const workers = await startWorkers(2, env);
    const p = kpress(['enqueue', ...args, '--wait'], env);
    const exit = await p.waitForExit();
    await stopWorkers(workers);
    expect(exit.code, p.stderr.slice(-10).join('\n')).toBe(0);
    return p;
  }

  it('--inventory: exactly the listed keys of the source prefix', async () => {
    const photos = await sampleVariants(4);
    const names = Object.keys(photos);
    const files: Record<string, Buffer> = {};
    for (const [i, n] of names.entries()) files[i === 0 ? `a b+c ü/${n}` : n] = photos[n] as Buffer;
    files['not-listed.txt'] = Buffer.from('never read');
    const keys = await uploadFixtures(suite.s3.client, 'src', 'inv/', files);
    const listed = keys.filter((k) => !k.endsWith('not-listed.txt'));
    const csv = `${[...listed, 'inv/gone.jpg']
      .map((k) => `"src","${enc(k)}","123","2026-12-01T00:00:00.000Z","etag"`)
      .concat(['"src","elsewhere/x.jpg","1","t","e"', '"other","inv/y.jpg","1","t","e"'])
      .join('\n')}\n`;
    const gz = gzipSync(Buffer.from(csv));
    await put('inv', 'report/data/0.csv.gz', gz);
    await put(
      'inv',
      'report/manifest.json',
      JSON.stringify({
        sourceBucket: 'src',
        destinationBucket: 'arn:aws:s3:::inv',
        fileFormat: 'CSV',
        fileSchema: 'Bucket, Key, Size, LastModifiedDate, ETag',
        files: [
          {
            key: 'report/data/0.csv.gz',
            size: gz.length,
            MD5checksum: createHash('md5').update(gz).digest('hex'),
          },
        ],
      }),
    );
    const p = await run([
      's3://src/inv/',
      '--dest',
      's3://dst/inv-out/',
      '--batch',
      'inv-1',
      '--inventory',
      's3://inv/report/manifest.json',
    ]);
    const got = await manifestKeys('inv-out/', 'inv-1');
    expect(got).toEqual([...listed, 'inv/gone.jpg'].sort());
    expect(got).not.toContain('inv/not-listed.txt');
    const rows = (
      await getBytes(suite.s3.client, 'dst', 'inv-out/_kpress/inv-1/manifest.jsonl')
    ).toString();
    expect(
      rows
        .trimEnd()
        .split('\n')
        .map(parseRow)
        .find((r) => r.key === 'inv/gone.jpg')?.status,
    ).toBe('failed');
    expect(p.stderr.join('\n')).toMatch(
      /2 row\(s\) of the key list are not under s3:\/\/src\/inv\//,
    );
    // the listed keys were kept in ranges of 3 for the finalize
    expect((await listKeys(suite.s3.client, 'dst', 'inv-out/_kpress/inv-1/keys/')).length).toBe(2);
    expect(await listKeys(suite.s3.client, 'dst', 'inv-out/inv/not-listed.txt')).toEqual([]);
  }, 180_000);

  it('--keys: a Batch Operations CSV, and a corrupt inventory is refused naming the file', async () => {
    const photos = await sampleVariants(3);
    const keys = await uploadFixtures(suite.s3.client, 'src', 'bo/', photos);
    await put(
      'inv',
      'bo.csv',
      `${keys
        .slice(0, 2)
        .map((k) => `src,${enc(k)}`)
        .join('\n')}\n`,
    );
    await run([
      's3://src/bo/',
      '--dest',
      's3://dst/bo-out/',
      '--batch',
      'bo-1',
      '--keys',
      's3://inv/bo.csv',
    ]);
    expect(await manifestKeys('bo-out/', 'bo-1')).toEqual(keys.slice(0, 2).sort());

    await put(
      'inv',
      'bad/manifest.json',
      JSON.stringify({
        fileFormat: 'CSV',
        fileSchema: 'Bucket, Key',
        files: [{ key: 'bad/0.csv.gz', MD5checksum: '0'.repeat(32) }],
      }),
    );
    await put('inv', 'bad/0.csv.gz', gzipSync('src,bo/x\n'));
    const env = suite.env();
    const bad = kpress(
      [
        'enqueue',
        's3://src/bo/',
        '--dest',
        's3://dst/bad-out/',
        '--inventory',
        's3://inv/bad/manifest.json',
      ],
      env,
    );
    expect((await bad.waitForExit()).code).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(
      /inventory file s3:\/\/inv\/bad\/0\.csv\.gz: MD5 [0-9a-f]{32}, the manifest says 0{32}/,
    );
    const both = kpress(
      [
        'enqueue',
        's3://src/bo/',
        '--dest',
        's3://dst/x/',
        '--keys',
        's3://inv/a',
        '--inventory',
        's3://inv/b',
      ],
      env,
    );
    expect((await both.waitForExit()).code).toBe(2);
  }, 180_000);
});
