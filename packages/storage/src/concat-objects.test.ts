import { createHash, randomBytes } from 'node:crypto';
import { type S3Server, startS3Server, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatObjects, copyRanges, MIN_PART_BYTES } from './concat-objects.js';
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

  it('copies a source bigger than the largest part in byte ranges (a slice over 5 GiB, scaled down)', async () => {
    const big = randomBytes(17 * MiB);
    const tail = randomBytes(100);
    const sources = [await put('in/big', big), await put('in/tail', tail)];
    // 17 MiB with parts of at most 10 MiB: two ranges of 8.5 MiB
    const r = await concatObjects(storage, B, sources, 'out/ranges.bin', {
      maxPartBytes: 10 * MiB,
    });
    const joined = await storage.getObject(B, 'out/ranges.bin', { maxBytes: 64 * MiB });
    expect(sha(joined)).toBe(sha(Buffer.concat([big, tail])));
    if (kind === 'rgw')
      expect(r).toMatchObject({ copiedParts: 2, uploadedParts: 1, readBytes: 100 });
    // bytes held before the big source: only its head is read, enough for a 5 MiB part
    const small = randomBytes(1000);
    const after = [await put('in/small', small), ...sources];
    const r2 = await concatObjects(storage, B, after, 'out/ranges2.bin', {
      maxPartBytes: 10 * MiB,
    });
    const joined2 = await storage.getObject(B, 'out/ranges2.bin', { maxBytes: 64 * MiB });
    expect(sha(joined2)).toBe(sha(Buffer.concat([small, big, tail])));
    if (kind === 'rgw') {
      expect(r2).toMatchObject({ copiedParts: 2, uploadedParts: 2, readBytes: 5 * MiB + 100 });
    }
    expect(copyRanges(17 * MiB, 10 * MiB)).toEqual([
      [0, 8.5 * MiB - 1],
      [8.5 * MiB, 17 * MiB - 1],
    ]);
    expect(copyRanges(11, 5)).toEqual([
      [0, 3],
      [4, 7],
      [8, 10],
    ]);
    await expect(
      concatObjects(storage, B, sources, 'out/x', { minPartBytes: 6, maxPartBytes: 11 }),
    ).rejects.toThrow(
      'maxPartBytes must be a whole number at least twice minPartBytes (12), got 11',
    );
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
