/**
 * Key lists read from a real S3 server (Ceph RGW and s3rver), streamed under
 * limits: a gzip bomb (10 MB that gzip to ~10 kB) stops at the limit on the
 * unzipped text, with limits made small here so the test stays fast; a
 * `--keys` CSV over the limit stops at it; a row with no end stops at the
 * row limit. The errors name the file, the limit and the size seen.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Storage } from '@kpress/storage';
import { type S3Server, s3ClientFor, startS3Server, testS3Kinds } from '@kpress/testkit';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyList } from './key-list.js';
import { ListTooLargeError, listFileLimits } from './list-file.js';

const source = { bucket: 'src', prefix: 'in/' };

/**
 * A loopback proxy in front of a real S3 server that forwards every request,
 * but cuts the first `cuts` GET responses of `path` after half their body
 * (headers sent, then the socket destroyed), as a connection lost mid-body.
 */
async function cuttingProxy(target: string, path: string, cuts: number) {
  const up = new URL(target);
  let left = cuts;
  const server: Server = createServer((req, res) => {
    const cut = req.method === 'GET' && req.url?.split('?')[0] === path && left-- > 0;
    const fwd = request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (!cut) return void upRes.pipe(res);
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.concat(chunks);
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          setImmediate(() => res.socket?.destroy());
        });
      },
    );
    fwd.on('error', () => res.socket?.destroy());
    req.pipe(fwd);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}
const MB = 1024 * 1024;

describe.each(testS3Kinds())('readKeyList on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['inv'] });
    storage = new Storage({ client: s3.client });
  });
  afterAll(async () => {
    storage?.close();
    await s3?.close();
  });

  /** An inventory report whose one data file is `gz`, MD5 in its manifest. */
  async function inventory(name: string, gz: Buffer): Promise<string> {
    const dataKey = `${name}/data/0.csv.gz`;
    await storage.putObject('inv', dataKey, gz);
    const manifest = {
      fileFormat: 'CSV',
      fileSchema: 'Bucket, Key, Size',
      files: [{ key: dataKey, MD5checksum: createHash('md5').update(gz).digest('hex') }],
    };
    await storage.putObject('inv', `${name}/manifest.json`, JSON.stringify(manifest));
    return `s3://inv/${name}/manifest.json`;
  }

  it('streams an inventory and a --keys CSV: keys decoded, sorted, others counted', async () => {
    const rows = ['"src","in/b+c.jpg","5"', '"src","in/a.jpg","7"', '"other","in/x.jpg","1"'];
    const url = await inventory('ok', gzipSync(`${rows.join('\n')}\n`));
    expect(await readKeyList(storage, { kind: 'inventory', url }, source)).toEqual({
      entries: [
        { key: 'in/a.jpg', size: 7, etag: '' },
        { key: 'in/b c.jpg', size: 5, etag: '' },
      ],
      outside: 1,
      duplicates: 0,
    });
    await storage.putObject('inv', 'keys.csv', 'src,in/z.png\nsrc,in/z.png\nsrc,out/y.png\n');
    expect(await readKeyList(storage, { kind: 'keys', url: 's3://inv/keys.csv' }, source)).toEqual({
      entries: [{ key: 'in/z.png', size: 0, etag: '' }],
      outside: 1,
      duplicates: 1,
    });
  });

  it('a list giving more keys under the source than maxRows stops, naming the file, the limit and the rows seen', async () => {
    const rows = [
      '"other","in/x.jpg","1"',
      '"src","in/a.jpg","1"',
      '"src","in/b.jpg","1"',
      '"src","in/c.jpg","1"',
    ];
    const url = await inventory('rows', gzipSync(`${rows.join('\n')}\n`));
    const read = readKeyList(storage, { kind: 'inventory', url }, source, { maxRows: 2 });
    await expect(read).rejects.toThrow(ListTooLargeError);
    await expect(read).rejects.toThrow(
      'inventory file s3://inv/rows/data/0.csv.gz row 4: the list gives more than the limit of 2 keys under the source (maxRows; 4 rows seen in all): split the list into several batches',
    );
    await storage.putObject('inv', 'rows.csv', 'src,in/a\nsrc,in/b\nsrc,in/c\n');
    await expect(
      readKeyList(storage, { kind: 'keys', url: 's3://inv/rows.csv' }, source, { maxRows: 2 }),
    ).rejects.toThrow(/^s3:\/\/inv\/rows\.csv row 3: the list gives more than the limit of 2 keys/);
    // within the limit: read whole
    expect(
      (await readKeyList(storage, { kind: 'inventory', url }, source, { maxRows: 3 })).entries,
    ).toHaveLength(3);
    expect(() => listFileLimits({ maxRows: 0 })).toThrow(
      'maxRows must be an integer from 1 to 9007199254740991, got 0',
    );
  });

  it('an inventory row missing its Key column names the file, the row and the cause', async () => {
    const url = await inventory('nokey', gzipSync('"src","in/a.jpg","1"\n"src"\n'));
    await expect(readKeyList(storage, { kind: 'inventory', url }, source)).rejects.toThrow(
      "inventory file s3://inv/nokey/data/0.csv.gz row 2: 1 column, but the manifest's fileSchema puts Bucket in column 1 and Key in column 2: the data file does not match its manifest",
    );
  });

  it('a gzip bomb of rows stops at the unzipped limit, naming it and the size seen', async () => {
    // 10 MB of rows of another bucket: ~10 kB gzip'd
    const row = '"other","in/x.jpg","1"\n';
    const text = row.repeat(Math.ceil((10 * MB) / row.length));
    const gz = gzipSync(text, { level: 9 });
    expect(gz.length).toBeLessThan(64 * 1024);
    const url = await inventory('bomb', gz);
    const read = readKeyList(storage, { kind: 'inventory', url }, source, { maxTextBytes: MB });
    await expect(read).rejects.toThrow(ListTooLargeError);
    await expect(read).rejects.toThrow(
      /^s3:\/\/inv\/bomb\/data\/0\.csv\.gz is once unzipped more than the limit of 1048576 bytes \(stopped after \d+ bytes\)/,
    );
    // the same file under a limit it fits: all rows read, none kept
    const whole = await readKeyList(storage, { kind: 'inventory', url }, source, {
      maxTextBytes: 11 * MB,
    });
    expect(whole).toEqual({ entries: [], outside: text.length / row.length, duplicates: 0 });
  });

  it('a gzip bomb of zeros (one endless row) stops at the row limit', async () => {
    const gz = gzipSync(Buffer.alloc(10 * MB), { level: 9 });
    expect(gz.length).toBeLessThan(64 * 1024);
    const url = await inventory('zeros', gz);
    await expect(readKeyList(storage, { kind: 'inventory', url }, source)).rejects.toThrow(
      's3://inv/zeros/data/0.csv.gz has a row longer than the limit of 65536 bytes: not a list of keys',
    );
  });

  it('a --keys CSV over the file limit is refused from its length, before its body', async () => {
    await storage.putObject('inv', 'big.csv', 'src,in/a.jpg\n'.repeat(1000));
    await expect(
      readKeyList(storage, { kind: 'keys', url: 's3://inv/big.csv' }, source, {
        maxFileBytes: 1000,
      }),
    ).rejects.toThrow(
      's3://inv/big.csv is 13000 bytes, more than the limit of 1000 bytes for a list file: split the list into smaller files',
    );
  });

  it('an inventory data file whose MD5 differs is refused', async () => {
    const gz = gzipSync('"src","in/a.jpg","1"\n');
    const url = await inventory('md5', gz);
    await storage.putObject('inv', 'md5/data/0.csv.gz', gzipSync('"src","in/b.jpg","1"\n'));
    await expect(readKeyList(storage, { kind: 'inventory', url }, source)).rejects.toThrow(
      /^inventory file s3:\/\/inv\/md5\/data\/0\.csv\.gz: MD5 [0-9a-f]{32}, the manifest says/,
    );
  });
});

describe.each(testS3Kinds())('readKeyList with bodies cut mid-way on %s', (kind) => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['inv'] });
  });
  afterAll(async () => {
    await s3?.close();
  });

  async function throughProxy(
    path: string,
    cuts: number,
    run: (storage: Storage) => Promise<void>,
  ) {
    const proxy = await cuttingProxy(s3.endpoint, path, cuts);
    const storage = new Storage({ client: s3ClientFor(proxy.url, s3.credentials) });
    try {
      await run(storage);
    } finally {
      storage.close();
      await proxy.close();
    }
  }

  const rows = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => `src,in/k${String(from + i).padStart(5, '0')}.jpg\n`).join(
      '',
    );

  it('a --keys CSV cut twice is read again whole: every key once, none lost', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'inv', Key: 'cut.csv', Body: rows(2000) }));
    await throughProxy('/inv/cut.csv', 2, async (storage) => {
      const list = await readKeyList(storage, { kind: 'keys', url: 's3://inv/cut.csv' }, source);
      expect(list.entries).toHaveLength(2000);
      expect(list).toMatchObject({ outside: 0, duplicates: 0 });
    });
  });

  it("an inventory whose second file is cut once keeps the first file's rows once", async () => {
    const gz = [gzipSync(rows(500)), gzipSync(rows(700, 500))];
    const files = gz.map((body, i) => ({
      key: `two/data/${i}.csv.gz`,
      MD5checksum: createHash('md5').update(body).digest('hex'),
    }));
    for (const [i, f] of files.entries())
      await s3.client.send(new PutObjectCommand({ Bucket: 'inv', Key: f.key, Body: gz[i] }));
    const manifest = { fileFormat: 'CSV', fileSchema: 'Bucket, Key', files };
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'inv',
        Key: 'two/manifest.json',
        Body: JSON.stringify(manifest),
      }),
    );
    await throughProxy('/inv/two/data/1.csv.gz', 1, async (storage) => {
      const list = await readKeyList(
        storage,
        { kind: 'inventory', url: 's3://inv/two/manifest.json' },
        source,
      );
      expect(list.entries).toHaveLength(1200);
      expect(list.duplicates).toBe(0);
    });
  });

  it('a body cut on every try fails as a transient S3 error, never as a shorter list', async () => {
    await throughProxy('/inv/cut.csv', 10, async (storage) => {
      await expect(
        readKeyList(storage, { kind: 'keys', url: 's3://inv/cut.csv' }, source),
      ).rejects.toMatchObject({ name: 'StorageError', code: 'Transient' });
    });
  });
});

describe('listFileLimits', () => {
  it('fills in the defaults and refuses a bad limit, naming it', () => {
    expect(listFileLimits()).toEqual({
      maxFileBytes: 1024 * MB,
      maxTextBytes: 1024 * MB,
      maxRowBytes: 64 * 1024,
      maxRows: 5_000_000,
    });
    expect(() => listFileLimits({ maxTextBytes: 0 })).toThrow(
      'maxTextBytes must be an integer from 1 to 9007199254740991, got 0',
    );
  });
});
