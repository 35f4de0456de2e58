/**
 * The cached ListObjectsV2 of s3rver-fixes stays exact: pages in byte order
 * with working tokens, and every kind of write (PUT, CopyObject, DELETE,
 * DeleteObjects, multipart) shows in the next listing of its prefix, while a
 * write under another prefix keeps the cache.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server } from './s3-server.js';
import type { S3Server } from './s3-server-handle.js';

const B = 'kp-cache';
let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [B] });
});
afterAll(async () => {
  await s3?.close();
});

async function keys(prefix: string, pageSize = 2): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.client.send(
      new ListObjectsV2Command({
        Bucket: B,
        Prefix: prefix,
        MaxKeys: pageSize,
        ContinuationToken: token,
      }),
    );
    for (const c of r.Contents ?? []) out.push(c.Key ?? '');
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

const put = (key: string, body = 'x') =>
  s3.client.send(new PutObjectCommand({ Bucket: B, Key: key, Body: body }));

describe('cached ListObjectsV2', () => {
  it('pages in UTF-8 byte order, then sees each write under the prefix', async () => {
    for (const k of ['in/a', 'in/a-b', 'in/\u{1F600}', 'in/\uFB01', 'in/b']) await put(k);
    const first = ['in/a', 'in/a-b', 'in/b', 'in/\uFB01', 'in/\u{1F600}'];
    expect(await keys('in/')).toEqual(first);
    expect(await keys('in/', 1)).toEqual(first); // cached now: still exact with tiny pages

    await put('in/c');
    expect(await keys('in/')).toEqual([
      'in/a',
      'in/a-b',
      'in/b',
      'in/c',
      'in/\uFB01',
      'in/\u{1F600}',
    ]);

    await s3.client.send(new DeleteObjectCommand({ Bucket: B, Key: 'in/a-b' }));
    await s3.client.send(
      new CopyObjectCommand({ Bucket: B, Key: 'in/copy', CopySource: `${B}/in/a` }),
    );
    expect(await keys('in/')).toEqual([
      'in/a',
      'in/b',
      'in/c',
      'in/copy',
      'in/\uFB01',
      'in/\u{1F600}',
    ]);

    await s3.client.send(
      new DeleteObjectsCommand({
        Bucket: B,
        Delete: { Objects: [{ Key: 'in/b' }, { Key: 'in/c' }] },
      }),
    );
    expect(await keys('in/')).toEqual(['in/a', 'in/copy', 'in/\uFB01', 'in/\u{1F600}']);

    await new Upload({
      client: s3.client,
      params: { Bucket: B, Key: 'in/big', Body: Buffer.alloc(6 * 1024 * 1024, 1) },
      partSize: 5 * 1024 * 1024,
    }).done();
    expect(await keys('in/')).toContain('in/big');
  }, 60_000);

  it('a write under another prefix leaves the listing (and a wider prefix sees it)', async () => {
    await put('other/x1');
    const before = await keys('other/');
    await put('out/y');
    expect(await keys('other/')).toEqual(before);
    expect(await keys('')).toContain('out/y');
    expect(await keys('o')).toEqual(['other/x1', 'out/y']);
    await put('other/x2');
    expect(await keys('o')).toEqual(['other/x1', 'other/x2', 'out/y']);
  });

  it('sizes and ETags come from the objects', async () => {
    await put('meta/one', 'hello');
    const r = await s3.client.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'meta/' }));
    expect(r.Contents?.[0]?.Size).toBe(5);
    expect(r.Contents?.[0]?.ETag).toMatch(/^"?[0-9a-f]{32}"?$/);
    await put('meta/one', 'hello, world');
    const again = await s3.client.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'meta/' }));
    expect(again.Contents?.[0]?.Size).toBe(12);
  });
});
