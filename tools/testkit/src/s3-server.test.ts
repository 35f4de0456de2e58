import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePath, uploadFixtures } from './fixtures.js';
import { startS3rver, startS3Server, testS3Kinds } from './s3-server.js';
import type { S3Server } from './s3-server-handle.js';

describe.each(testS3Kinds())('startS3Server on %s', (kind) => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['kp-rt'] });
  });
  afterAll(async () => {
    await s3.close();
  });

  async function read(key: string): Promise<Buffer> {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: 'kp-rt', Key: key }));
    return Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  it('listens on loopback and describes itself in env', () => {
    expect(s3.kind).toBe(kind);
    expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
    expect(s3.port).toBeGreaterThan(0);
    expect(s3.env).toMatchObject({
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    });
    if (kind === 's3rver') expect(s3.credentials.accessKeyId).toBe('S3RVER');
    else expect(s3.credentials.accessKeyId).toMatch(/^KP[0-9A-F]{18}$/);
  });

  it.each([0, 1, 1271, 65_537, 1_300_000])(
    'PutObject of %i bytes comes back byte-exact',
    async (n) => {
      const body = randomBytes(n);
      await s3.client.send(
        new PutObjectCommand({ Bucket: 'kp-rt', Key: `put/${n}.bin`, Body: body }),
      );
      const back = await read(`put/${n}.bin`);
      expect(back.length).toBe(n);
      expect(back.equals(body)).toBe(true);
    },
  );

  it.each([1271, 6 * 1024 * 1024 + 3])(
    'a streamed lib-storage Upload of %i bytes comes back byte-exact',
    async (n) => {
      const body = randomBytes(n);
      // partSize 5 MiB: the larger body goes as a two-part multipart upload
      await new Upload({
        client: s3.client,
        params: { Bucket: 'kp-rt', Key: `upload/${n}.bin`, Body: body },
        partSize: 5 * 1024 * 1024,
      }).done();
      const back = await read(`upload/${n}.bin`);
      expect(back.length).toBe(n);
      expect(back.equals(body)).toBe(true);
    },
  );

  it('needs WHEN_REQUIRED checksums: a default client stores framing (s3rver) or is refused (RGW)', async () => {
    // documents why s3ClientFor (and @kpress/storage) set WHEN_REQUIRED for custom endpoints
    const plain = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    try {
      const body = randomBytes(1271);
      // a streamed body: the default client frames it as aws-chunked with a trailing checksum
      const put = plain.send(
        new PutObjectCommand({
          Bucket: 'kp-rt',
          Key: 'plain.bin',
          Body: Readable.from([body]),
          ContentLength: body.length,
        }),
      );
      if (kind === 's3rver') {
        await put;
        expect((await read('plain.bin')).length).not.toBe(1271);
      } else {
        await expect(put).rejects.toMatchObject({ $metadata: { httpStatusCode: 411 } });
      }
      // the same upload through the testkit client is byte-exact
      await s3.client.send(
        new PutObjectCommand({
          Bucket: 'kp-rt',
          Key: 'ok.bin',
          Body: Readable.from([body]),
          ContentLength: body.length,
        }),
      );
      expect((await read('ok.bin')).equals(body)).toBe(true);
    } finally {
      plain.destroy();
    }
  });

  it('uploadFixtures puts buffers, text and files under a prefix', async () => {
    const keys = await uploadFixtures(s3.client, 'kp-rt', 'fx/', {
      'a.bin': Buffer.from([1, 2, 3]),
      'b.txt': 'hello',
      'coffee.jpg': { path: samplePath('coffee.jpg') },
    });
    expect(keys).toEqual(['fx/a.bin', 'fx/b.txt', 'fx/coffee.jpg']);
    expect((await read('fx/b.txt')).toString()).toBe('hello');
    expect((await read('fx/coffee.jpg')).length).toBe(92_585);
  });
});

describe('startS3rver', () => {
  it('creates buckets on demand and close() removes its directory', async () => {
    const other = await startS3rver();
    await other.createBucket('made-later');
    const listed = await other.client.send(new ListObjectsV2Command({ Bucket: 'made-later' }));
    expect(listed.KeyCount ?? 0).toBe(0);
    expect(existsSync(other.directory)).toBe(true);
    await other.close();
    await other.close(); // idempotent
    expect(existsSync(other.directory)).toBe(false);
  });
});
