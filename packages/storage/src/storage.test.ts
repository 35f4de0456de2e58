import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server, uploadFixtures, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from './s3-client.js';
import { copySource, type ObjectEntry, Storage } from './storage.js';
import { StorageError } from './storage-error.js';

describe.each(testS3Kinds())('Storage on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  const B = 'kp-src';

  function configFor(endpoint: string) {
    return { s3Endpoint: endpoint, s3ForcePathStyle: true, awsRegion: 'us-east-1' };
  }

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [B, 'kp-dest'] });
    // credentials come from the default chain: s3rver's fixed pair
    process.env.AWS_ACCESS_KEY_ID = s3.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = s3.env.AWS_SECRET_ACCESS_KEY;
    storage = new Storage({ config: configFor(s3.endpoint), pageSize: 3 });
  });
  afterAll(async () => {
    storage?.close();
    await s3?.close();
  });

  async function collect(it: AsyncIterable<ObjectEntry>): Promise<ObjectEntry[]> {
    const out: ObjectEntry[] = [];
    for await (const e of it) out.push(e);
    return out;
  }

  async function errorOf(p: Promise<unknown>): Promise<StorageError> {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(StorageError);
      return err as StorageError;
    }
    throw new Error('expected a StorageError');
  }

  describe('Storage put/get', () => {
    it.each([0, 1, 1271, 65_536, 1_500_001])('round-trips %i random bytes exactly', async (n) => {
      const body = randomBytes(n);
      const { etag } = await storage.putObject(B, `rt/${n}.bin`, body, {
        contentType: 'image/png',
      });
      expect(etag).not.toBe('');
      const back = await storage.getObject(B, `rt/${n}.bin`, { maxBytes: n });
      expect(back.length).toBe(n);
      expect(back.equals(body)).toBe(true);
      const head = await storage.headObject(B, `rt/${n}.bin`);
      expect(head.size).toBe(n);
      expect(head.contentType).toBe('image/png');
    });

    it('refuses an object larger than maxBytes with TooLarge, and keeps working', async () => {
      await storage.putObject(B, 'big.bin', randomBytes(200_000));
      const err = await errorOf(storage.getObject(B, 'big.bin', { maxBytes: 199_999 }));
      expect(err.code).toBe('TooLarge');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('200000 bytes');
      expect(err.message).toContain('199999');
      // the body was destroyed, not left hanging: the next requests go through
      for (let i = 0; i < 5; i++) {
        await expect(storage.getObject(B, 'big.bin', { maxBytes: 200_000 })).resolves.toHaveLength(
          200_000,
        );
      }
    });

    it('putJson/getJson and exists', async () => {
      await storage.putJson(B, 'j/batch.json', { a: 1, s: 'é' });
      expect(await storage.getJson(B, 'j/batch.json')).toEqual({ a: 1, s: 'é' });
      expect((await storage.headObject(B, 'j/batch.json')).contentType).toBe('application/json');
      expect(await storage.exists(B, 'j/batch.json')).toBe(true);
      expect(await storage.exists(B, 'j/none.json')).toBe(false);
      await storage.putObject(B, 'j/bad.json', '{nope');
      expect((await errorOf(storage.getJson(B, 'j/bad.json'))).message).toMatch(/not valid JSON/);
      // getJsonIfExists: undefined only for a missing object; other errors still throw
      expect(await storage.getJsonIfExists(B, 'j/batch.json')).toEqual({ a: 1, s: 'é' });
      expect(await storage.getJsonIfExists(B, 'j/none.json')).toBeUndefined();
      expect((await errorOf(storage.getJsonIfExists(B, 'j/bad.json'))).message).toMatch(
        /not valid JSON/,
      );
      await s3.client.send(new DeleteObjectCommand({ Bucket: B, Key: 'j/batch.json' }));
      expect(await storage.exists(B, 'j/batch.json')).toBe(false);
    });

    it('headIfExists and getIfExists: undefined only for a missing object', async () => {
      await storage.putObject(B, 'h/a.txt', 'abc');
      expect((await storage.headIfExists(B, 'h/a.txt'))?.size).toBe(3);
      expect(await storage.headIfExists(B, 'h/none.txt')).toBeUndefined();
      expect((await storage.getIfExists(B, 'h/a.txt', { maxBytes: 10 }))?.toString()).toBe('abc');
      expect(await storage.getIfExists(B, 'h/none.txt', { maxBytes: 10 })).toBeUndefined();
      // other errors still throw: too large, or a bucket that does not exist
      expect((await errorOf(storage.getIfExists(B, 'h/a.txt', { maxBytes: 2 }))).code).toBe(
        'TooLarge',
      );
      expect(
        (await errorOf(storage.getIfExists('no-such-bucket-kp', 'x', { maxBytes: 10 }))).code,
      ).toBe('NoSuchBucket');
    });

    it('sends a key with ".." segments literally (the SDK does not normalise it)', async () => {
      // s3rver's filesystem store would collapse "a/../b.jpg" (testkit refuses such keys),
      // so capture what goes on the wire with a plain loopback HTTP server
      const paths: string[] = [];
      const server = createHttpServer((req, res) => {
        paths.push(req.url ?? '');
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const wire = new Storage({ config: configFor(`http://127.0.0.1:${port}`) });
      try {
        await wire.putObject('bkt', 'out/a/../b.jpg', 'x');
        expect(paths).toEqual(['/bkt/out/a/../b.jpg?x-id=PutObject']);
      } finally {
        wire.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      if (kind === 'rgw') {
        // S3 keeps the segments literal: the key is stored as sent, nothing lands at "dots/b.jpg"
        await storage.putObject(B, 'dots/a/../b.jpg', 'x');
        const back = await storage.getObject(B, 'dots/a/../b.jpg', { maxBytes: 1 });
        expect(back.toString()).toBe('x');
      } else {
        // s3rver's filesystem store would collapse it: the testkit refuses it instead
        const e = await errorOf(storage.putObject(B, 'dots/a/../b.jpg', 'x'));
        expect(e.message).toMatch(/InvalidArgument/);
      }
      expect(await storage.exists(B, 'dots/b.jpg')).toBe(false);
    });
  });

  describe('Storage errors', () => {
    it('maps a missing key and a missing bucket', async () => {
      const k = await errorOf(storage.getObject(B, 'nope', { maxBytes: 10 }));
      expect(k.code).toBe('NoSuchKey');
      expect(k.message).toContain('s3://kp-src/nope');
      expect((await errorOf(storage.headObject(B, 'nope'))).code).toBe('NoSuchKey');
      for (const attempt of [
        () => storage.getObject('kp-missing', 'a', { maxBytes: 10 }),
        () => storage.putObject('kp-missing', 'a', 'x'),
        () => collect(storage.listObjects('kp-missing', '')),
      ]) {
        const e = await errorOf(attempt());
        expect(e.code).toBe('NoSuchBucket');
        expect(e.retryable).toBe(false);
        expect(e.message).toContain('kp-missing');
      }
    });

    it('maps wrong credentials to AccessDenied without printing the secret', async () => {
      const client = createS3Client(configFor(s3.endpoint), {
        credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong-secret-value-123' },
      });
      const bad = new Storage({ client });
      try {
        const e = await errorOf(bad.putObject(B, 'x', 'y'));
        expect(e.code).toBe('AccessDenied');
        expect(e.message).not.toContain('wrong-secret-value-123');
      } finally {
        bad.close();
        client.destroy();
      }
    });

    it('says a 403 on GET/HEAD of a key may mean a missing key without s3:ListBucket (as AWS answers)', async () => {
      // AWS S3 answers a read of a missing key this way when the role's ListBucket
      // does not apply (prefix-conditioned or absent): 403, AccessDenied body on GET.
      const server = createHttpServer((req, res) => {
        req.resume();
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(
          req.method === 'HEAD'
            ? undefined
            : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const denied = new Storage({
        config: configFor(`http://127.0.0.1:${port}`),
        clientOptions: { maxAttempts: 1 },
      });
      const hint =
        'access denied (or the object does not exist and the role lacks s3:ListBucket on bucket "kp-dest")';
      try {
        for (const attempt of [
          () => denied.headObject('kp-dest', 'out/_kpress/b1/records/cat.jpg'),
          () => denied.exists('kp-dest', 'out/_kpress/b1/records/cat.jpg'),
          () => denied.getObject('kp-dest', 'out/_kpress/b1/batch.json', { maxBytes: 100 }),
          () => denied.getJson('kp-dest', 'out/_kpress/b1/summary.json'),
        ]) {
          const e = await errorOf(attempt());
          expect(e.code).toBe('AccessDenied');
          expect(e.message).toContain(hint);
          expect(e.message).toContain('s3://kp-dest/out/_kpress/b1/');
          expect(e.retryable).toBe(false);
        }
        // a write refused is just refused: no hint about missing keys
        const put = await errorOf(denied.putObject('kp-dest', 'out/x', 'y'));
        expect(put.code).toBe('AccessDenied');
        expect(put.message).not.toContain('does not exist');
      } finally {
        denied.close();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('maps a refused connection to a retryable Transient error', async () => {
      const port = await new Promise<number>((resolve) => {
        const srv = createServer();
        srv.listen(0, '127.0.0.1', () => {
          const p = (srv.address() as { port: number }).port;
          srv.close(() => resolve(p));
        });
      });
      const dead = new Storage({
        config: configFor(`http://127.0.0.1:${port}`),
        clientOptions: { maxAttempts: 1 },
      });
      try {
        const e = await errorOf(dead.headObject(B, 'x'));
        expect(e.code).toBe('Transient');
        expect(e.retryable).toBe(true);
      } finally {
        dead.close();
      }
    });
  });

  describe('Storage.listObjects', () => {
    // on s3rver no name is both an object and a folder ("a" and "a/b"): its filesystem
    // store cannot hold that; RGW (as S3) can, so it gets such names too
    const names = [
      ...(kind === 'rgw' ? ['x', 'x/c', 'a/b', 'a/../z', 'é/f'] : []),
      'a',
      'a-b',
      'a.b',
      'a b',
      'a+b',
      'a%b',
      'x/b',
      'x/c/d',
      'aé',
      'ae',
      'b',
      'z~',
      'A',
    ];

    it('streams every object in byte order over several pages, skipping markers', async () => {
      const files: Record<string, string> = { 'y/': '' };
      for (const n of names) files[n] = n;
      await uploadFixtures(s3.client, B, 'ls/', files);
      const listed = await collect(storage.listObjects(B, 'ls/'));
      const expected = names
        .map((n) => `ls/${n}`)
        .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(listed.map((e) => e.key)).toEqual(expected);
      expect(listed.find((e) => e.key === 'ls/a-b')?.size).toBe(3);
      // resume after a key
      const rest = await collect(
        storage.listObjects(B, 'ls/', { startAfter: 'ls/a.b', pageSize: 2 }),
      );
      expect(rest.map((e) => e.key)).toEqual(expected.slice(expected.indexOf('ls/a.b') + 1));
    });

    it('lists one page at a time (a consumer that stops early reads no further pages)', async () => {
      const first: string[] = [];
      for await (const e of storage.listObjects(B, 'ls/', { pageSize: 1 })) {
        first.push(e.key);
        if (first.length === 2) break;
      }
      expect(first).toHaveLength(2);
    });
  });

  describe('Storage.copyObject', () => {
    const awkward = [
      'sp ace/ä b.jpg',
      'plus+sign.jpg',
      '100%.jpg',
      '%20lit.jpg',
      'ü/é/ñ.png',
      'q?x=1&y#z.jpg',
    ];

    it.each(awkward)('copies %j server-side, byte-exact', async (key) => {
      const body = randomBytes(4096);
      await storage.putObject(B, `cp/${key}`, body);
      await storage.copyObject(B, `cp/${key}`, 'kp-dest', `out/${key}`);
      const back = await storage.getObject('kp-dest', `out/${key}`, { maxBytes: 4096 });
      expect(back.equals(body)).toBe(true);
    });

    it('encodes CopySource per path segment', () => {
      expect(copySource('bkt', 'a b/c+d%e.jpg')).toBe('bkt/a%20b/c%2Bd%25e.jpg');
    });

    it('maps a missing source to NoSuchKey', async () => {
      expect((await errorOf(storage.copyObject(B, 'cp/none', 'kp-dest', 'x'))).code).toBe(
        'NoSuchKey',
      );
    });
  });

  describe('Storage construction', () => {
    it('refuses bad options naming them', () => {
      expect(() => new Storage({})).toThrow(/options.client or options.config/);
      expect(() => new Storage({ config: configFor(s3.endpoint), pageSize: 0 })).toThrow(
        'pageSize must be a whole number from 1 to 1000, got 0',
      );
      expect(() => createS3Client(configFor(s3.endpoint), { maxSockets: 0 })).toThrow(
        'maxSockets must be a whole number >= 1, got 0',
      );
    });
  });
});
