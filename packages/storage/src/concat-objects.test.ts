import { createHash, randomBytes } from 'node:crypto';
import { type S3Server, startS3Server, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatObjects, MIN_PART_BYTES } from './concat-objects.js';
import { Storage } from './storage.js';

const MiB = 1024 * 1024;

describe.each(testS3Kinds())('concatObjects on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  const B = 'kp-concat';

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [B] });
    storage = new Storage({ client: s3.client });
  }, 60_000);
  afterAll(async () => {
    storage?.close();
    await s3?.close();
  });

  async function put(key: string, body: Buffer) {
    await storage.putObject(B, key, body);
    return { key, size: body.length };
  }
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('joins big parts by server-side copy where the store has it, small ones by upload, in order', async () => {
    const bodies = [
      randomBytes(6 * MiB), // copied (RGW), uploaded (s3rver: no UploadPartCopy)
      randomBytes(1000), // small: read and held
      randomBytes(2 * MiB), // held with it
      randomBytes(5 * MiB), // read too, so the held bytes reach a part
      Buffer.alloc(0), // empty: skipped
      randomBytes(MIN_PART_BYTES), // copied: exactly the minimum
      randomBytes(10), // last part may be small
    ];
    const sources = [];
    for (const [i, b] of bodies.entries()) sources.push(await put(`in/p${i}`, b));
    const r = await concatObjects(storage, B, sources, 'out/joined.bin', {
      contentType: 'text/plain',
    });
    const joined = await storage.getObject(B, 'out/joined.bin', { maxBytes: 64 * MiB });
    expect(sha(joined)).toBe(sha(Buffer.concat(bodies)));
    expect(r.bytes).toBe(joined.length);
    if (kind === 'rgw') {
      expect(r).toMatchObject({ copiedParts: 2, uploadedParts: 2 });
      expect(r.readBytes).toBe(1000 + 2 * MiB + 5 * MiB + 10);
    } else {
      expect(r.copiedParts).toBe(0);
      expect(r.readBytes).toBe(joined.length);
    }
    expect((await storage.headObject(B, 'out/joined.bin')).contentType).toBe('text/plain');
  }, 120_000);

  it('writes a result under one part with one PUT, keys with any characters included', async () => {
    const a = await put('in/ä b+c%.txt', Buffer.from('first\n'));
    const b = await put('in/second', Buffer.from('second\n'));
    const r = await concatObjects(storage, B, [a, b], 'out/small.txt');
    expect(r).toMatchObject({ bytes: 13, copiedParts: 0, uploadedParts: 1 });
    expect((await storage.getObject(B, 'out/small.txt', { maxBytes: 100 })).toString()).toBe(
      'first\nsecond\n',
    );
    const empty = await concatObjects(storage, B, [], 'out/empty.txt');
    expect(empty.bytes).toBe(0);
    expect((await storage.headObject(B, 'out/empty.txt')).size).toBe(0);
  });

  it('leaves nothing at the destination when a source is missing', async () => {
    const big = await put('in/big', randomBytes(6 * MiB));
    await expect(
      concatObjects(storage, B, [big, { key: 'in/absent', size: 10 }, big], 'out/broken.bin'),
    ).rejects.toThrow();
    expect(await storage.exists(B, 'out/broken.bin')).toBe(false);
  }, 120_000);
});
