import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObjectTag, planTagAdd, tagProblem } from './object-tags.js';
import { Storage } from './storage.js';
import { toStorageError } from './storage-error.js';

const tags = (n: number): ObjectTag[] =>
  Array.from({ length: n }, (_, i) => ({ key: `t${i}`, value: `v${i}` }));
const ours = { key: 'kpress-archived', value: 'b1' };

describe('planTagAdd', () => {
  it('appends to the others, keeping them and their order', () => {
    expect(planTagAdd(tags(2), ours)).toEqual({ outcome: 'add', tags: [...tags(2), ours] });
    expect(planTagAdd([], ours)).toEqual({ outcome: 'add', tags: [ours] });
  });
  it('is a no-op when the tag is there, and never replaces another value', () => {
    expect(planTagAdd([...tags(9), ours], ours)).toEqual({ outcome: 'present' });
    expect(planTagAdd([{ key: 'kpress-archived', value: 'b0' }], ours)).toEqual({
      outcome: 'conflict',
      value: 'b0',
    });
  });
  it("leaves a set holding S3's 10 tags alone", () => {
    expect(planTagAdd(tags(9), ours).outcome).toBe('add');
    expect(planTagAdd(tags(10), ours)).toEqual({ outcome: 'full', tags: 10 });
  });
});

describe('tagProblem', () => {
  it('names what S3 would refuse', () => {
    expect(tagProblem(ours)).toBeUndefined();
    expect(tagProblem({ key: '', value: 'x' })).toMatch(
      /tag key must be 1 to 128 characters, got 0/,
    );
    expect(tagProblem({ key: 'k'.repeat(129), value: '' })).toMatch(/got 129/);
    expect(tagProblem({ key: 'aws:x', value: '' })).toMatch(/reserved/);
    expect(tagProblem({ key: 'k', value: 'é'.repeat(257) })).toMatch(
      /tag value must be at most 256 characters, got 257/,
    );
  });
});

describe('toStorageError for a server without the feature', () => {
  it('is NotImplemented and not retryable (501)', () => {
    const e = toStorageError(
      { name: 'NotImplemented', message: 'no tagging', $metadata: { httpStatusCode: 501 } },
      'get-tagging',
      'b',
      'k',
    );
    expect(e.code).toBe('NotImplemented');
    expect(e.retryable).toBe(false);
  });
});

describe.each(testS3Kinds())('object tags on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  const B = 'kp-tags';

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [B] });
    storage = new Storage({ client: s3.client });
  });
  afterAll(async () => {
    await s3?.close();
  });

  const put = (key: string, body: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: B, Key: key, Body: body }));

  it('adds a tag beside the others, once, and only while the ETag is the one given', async () => {
    await put('a/x y.txt', 'hello');
    const { etag } = await storage.headObject(B, 'a/x y.txt');
    await storage.putObjectTags(B, 'a/x y.txt', [{ key: 'owner', value: 'lab 3' }]);
    const added = await storage.addObjectTag(B, 'a/x y.txt', ours, { ifMatch: etag });
    expect(added.outcome).toBe('added');
    const now = await storage.getObjectTags(B, 'a/x y.txt');
    expect(now).toHaveLength(2);
    expect(now).toEqual(expect.arrayContaining([{ key: 'owner', value: 'lab 3' }, ours]));
    expect(await storage.addObjectTag(B, 'a/x y.txt', ours, { ifMatch: etag })).toEqual({
      outcome: 'present',
    });
    expect(
      await storage.addObjectTag(B, 'a/x y.txt', { ...ours, value: 'b2' }, { ifMatch: etag }),
    ).toEqual({ outcome: 'conflict', value: 'b1' });
    // the bytes are untouched
    expect((await storage.getObject(B, 'a/x y.txt', { maxBytes: 10 })).toString()).toBe('hello');
  });

  it('writes nothing when the object changed, is gone or has 10 tags', async () => {
    await put('b.txt', 'one');
    const { etag } = await storage.headObject(B, 'b.txt');
    await put('b.txt', 'two');
    const changed = await storage.addObjectTag(B, 'b.txt', ours, { ifMatch: etag });
    expect(changed.outcome).toBe('changed');
    expect(await storage.getObjectTags(B, 'b.txt')).toEqual([]);
    expect(await storage.addObjectTag(B, 'nothing-here', ours, { ifMatch: etag })).toEqual({
      outcome: 'gone',
    });
    await put('c.txt', 'three');
    const head = await storage.headObject(B, 'c.txt');
    await storage.putObjectTags(B, 'c.txt', tags(10));
    expect(await storage.addObjectTag(B, 'c.txt', ours, { ifMatch: head.etag })).toEqual({
      outcome: 'full',
      tags: 10,
    });
    expect(await storage.getObjectTags(B, 'c.txt')).toHaveLength(10);
  });

  it('refuses more than 10 tags before asking the server', async () => {
    await expect(storage.putObjectTags(B, 'c.txt', tags(11))).rejects.toThrow(
      /tags must be at most 10 per object \(S3\), got 11/,
    );
  });
});
