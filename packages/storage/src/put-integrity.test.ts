/**
 * PUT integrity against both S3 servers: Content-MD5 goes with every body, and
 * a body changed on its way (flipped by a client middleware after signing) is
 * a retryable error. RGW, as S3 does, refuses it (the signed payload hash
 * does not match: XAmzContentSHA256Mismatch) and stores nothing; s3rver 3.7 ignores Content-MD5 and stores the other bytes, which is
 * what lets the ETag check be seen catching it.
 */
import { createHash } from 'node:crypto';
import { type S3Server, startS3Server, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from './s3-client.js';
import { Storage } from './storage.js';
import { StorageError, toStorageError } from './storage-error.js';

describe.each(testS3Kinds())('PUT integrity on %s', (kind) => {
  let s3: S3Server;
  const B = 'kp-integrity';

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [B] });
    process.env.AWS_ACCESS_KEY_ID = s3.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = s3.env.AWS_SECRET_ACCESS_KEY;
  });
  afterAll(async () => {
    await s3?.close();
  });

  /** The signed request as the SDK is about to send it. */
  interface HttpRequest {
    headers: Record<string, string>;
    body?: unknown;
  }

  /** A Storage whose client lets `onRequest` see (and change) each signed request. */
  function storageWith(onRequest: (request: HttpRequest) => void): Storage {
    const client = createS3Client({
      s3Endpoint: s3.endpoint,
      s3ForcePathStyle: true,
      awsRegion: 'us-east-1',
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        onRequest(args.request as HttpRequest);
        return next(args);
      },
      { step: 'deserialize', name: 'seeRequest' },
    );
    return new Storage({ client });
  }

  const md5 = (b: Uint8Array) => createHash('md5').update(b);

  describe('Storage.putObject integrity', () => {
    it('sends Content-MD5 (base64 MD5 of the body) and returns the matching ETag', async () => {
      const seen: Record<string, string>[] = [];
      const storage = storageWith((r) => seen.push({ ...r.headers }));
      try {
        const body = Buffer.from('kpress integrity check, 0123456789');
        const { etag } = await storage.putObject(B, 'ok.bin', body);
        expect(etag).toBe(md5(body).digest('hex'));
        expect(seen).toHaveLength(1);
        expect(seen[0]?.['content-md5']).toBe(md5(body).digest('base64'));
        const text = await storage.putJson(B, 'ok.json', { a: 1 });
        expect(text.etag).toBe(md5(Buffer.from('{"a":1}')).digest('hex'));
        expect(seen[1]?.['content-md5']).toBe(md5(Buffer.from('{"a":1}')).digest('base64'));
      } finally {
        storage.client.destroy();
      }
    });

    it('a body changed in transit is a retryable ETag mismatch naming both digests', async () => {
      const storage = storageWith((r) => {
        const sent = r.body as Uint8Array;
        const changed = Buffer.from(sent);
        changed[3] = (changed[3] ?? 0) ^ 0xff;
        r.body = changed;
      });
      try {
        const body = Buffer.from('bytes that will not arrive as sent');
        const err = await storage.putObject(B, 'bent.bin', body).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StorageError);
        const e = err as StorageError;
        expect(e.code).toBe('Transient');
        expect(e.retryable).toBe(true);
        expect(body.toString()).toBe('bytes that will not arrive as sent'); // caller's bytes untouched
        const plain = new Storage({ client: s3.client });
        if (kind === 'rgw') {
          // a real S3 checks what the request signed (payload SHA-256, Content-MD5) and stores nothing
          expect(e.message).toContain('XAmzContentSHA256Mismatch');
          expect(await plain.exists(B, 'bent.bin')).toBe(false);
        } else {
          // s3rver ignores Content-MD5 and stores the other bytes: the ETag check catches it
          expect(e.message).toContain(`put s3://${B}/bent.bin failed: ETag mismatch`);
          expect(e.message).toContain(md5(body).digest('hex'));
          const stored = await plain.getObject(B, 'bent.bin', { maxBytes: 1024 });
          expect(stored.byteLength).toBe(body.byteLength);
          expect(stored.equals(body)).toBe(false);
        }
      } finally {
        storage.client.destroy();
      }
    });

    it("maps S3's BadDigest and XAmzContentSHA256Mismatch (body changed) to a retryable error, InvalidDigest to a final one", () => {
      const bad = toStorageError(
        {
          name: 'BadDigest',
          message: 'The Content-MD5 you specified did not match what we received.',
          $metadata: { httpStatusCode: 400 },
        },
        'put',
        B,
        'k',
      );
      expect(bad).toMatchObject({ code: 'Transient', retryable: true });
      const hash = toStorageError(
        { name: 'XAmzContentSHA256Mismatch', $metadata: { httpStatusCode: 400 } },
        'put',
        B,
        'k',
      );
      expect(hash).toMatchObject({ code: 'Transient', retryable: true });
      const invalid = toStorageError(
        { name: 'InvalidDigest', $metadata: { httpStatusCode: 400 } },
        'put',
        B,
        'k',
      );
      expect(invalid).toMatchObject({ code: 'InvalidRequest', retryable: false });
    });
  });
});
