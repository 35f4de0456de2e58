/**
 * The OutputWriter on each real S3 server: Ceph RGW honours `If-None-Match: *`
 * (412), s3rver ignores it, and the writer keeps its promises on both.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { digestObject, Storage } from '@kpress/storage';
import { type S3Server, startS3Server, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputWriter, probeConditionalWrites } from './output-writer.js';

describe.each(testS3Kinds())('OutputWriter on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: ['dst'] });
    storage = new Storage({ client: s3.client });
  });
  afterAll(async () => {
    storage.close();
    await s3.close();
  });

  const out = (key: string, body: string, batchId = 'b1') => ({
    bucket: 'dst',
    key,
    body: Buffer.from(body),
    contentType: 'image/png',
    batchId,
    sourceKey: `in/${key}`,
    probeKey: 'out/_kpress/conditional-write-probe',
  });

  it(`finds that the store ${kind === 'rgw' ? 'honours' : 'ignores'} If-None-Match`, async () => {
    expect(await probeConditionalWrites(storage, 'dst', 'p/probe')).toBe(kind === 'rgw');
    // asked again with the probe in place: the same answer
    expect(await probeConditionalWrites(storage, 'dst', 'p/probe')).toBe(kind === 'rgw');
  });

  it('writes where nothing is, succeeds on its own retry, replaces only its own batch', async () => {
    const writer = new OutputWriter({ storage });
    expect(await writer.write(out('out/a.png', 'one'))).toEqual({ kind: 'written' });
    expect(await writer.write(out('out/a.png', 'one'))).toEqual({ kind: 'already-there' });
    // the same batch with other bytes (a worker of another version): its own, replaced
    expect(await writer.write(out('out/a.png', 'two'))).toEqual({ kind: 'written' });
    const other = await writer.write(out('out/a.png', 'three', 'b2'));
    expect(other).toMatchObject({ kind: 'in-the-way' });
    expect((await storage.getObject('dst', 'out/a.png', { maxBytes: 10 })).toString()).toBe('two');
    const info = await storage.headObject('dst', 'out/a.png');
    expect(info.metadata).toMatchObject({
      'kpress-batch': 'b1',
      'kpress-source': 'in%2Fout%2Fa.png',
    });
  });

  it('never replaces an object another tool wrote', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'dst', Key: 'out/b.png', Body: 'theirs' }));
    const writer = new OutputWriter({ storage });
    expect(await writer.write(out('out/b.png', 'ours'))).toEqual({
      kind: 'in-the-way',
      reason:
        'output key "out/b.png" is taken by an object not written by kpress (6 bytes): nothing was overwritten; move it away or write this batch to another destination',
    });
    expect((await storage.getObject('dst', 'out/b.png', { maxBytes: 10 })).toString()).toBe(
      'theirs',
    );
  });

  it('copies server-side by the same rules: where nothing is, again as its own, never over another', async () => {
    const sha = (b: string) => createHash('sha256').update(b).digest('hex');
    const put = async (key: string, body: string) =>
      (await storage.putObject('dst', key, body)).etag;
    const copyOf = async (srcKey: string, body: string, key: string, batchId = 'b1') => ({
      srcBucket: 'dst',
      sourceKey: srcKey,
      size: body.length,
      sourceEtag: (await storage.headObject('dst', srcKey)).etag,
      sha256: sha(body),
      bucket: 'dst',
      key,
      contentType: 'application/pdf',
      batchId,
    });
    await put('in/doc.pdf', '%PDF-1.4 one');
    const writer = new OutputWriter({ storage });
    const first = await copyOf('in/doc.pdf', '%PDF-1.4 one', 'out/doc.pdf');
    expect(await writer.copy(first)).toEqual({ kind: 'written' });
    expect(await digestObject(storage, 'dst', 'out/doc.pdf')).toMatchObject({
      sha256: sha('%PDF-1.4 one'),
    });
    const head = await storage.headObject('dst', 'out/doc.pdf');
    expect(head.contentType).toBe('application/pdf');
    expect(head.metadata).toMatchObject({
      'kpress-batch': 'b1',
      'kpress-source': 'in%2Fdoc.pdf',
      'kpress-sha256': sha('%PDF-1.4 one'),
    });
    // its own retry: nothing to do
    expect(await writer.copy(first)).toEqual({ kind: 'already-there' });
    // another batch, and an object another tool wrote: kept as they are
    expect(await writer.copy({ ...first, batchId: 'b2' })).toMatchObject({ kind: 'in-the-way' });
    await put('out/theirs.pdf', 'theirs');
    expect(await writer.copy({ ...first, key: 'out/theirs.pdf' })).toMatchObject({
      kind: 'in-the-way',
      reason: expect.stringMatching(/taken by an object not written by kpress/),
    });
    expect((await storage.getObject('dst', 'out/theirs.pdf', { maxBytes: 10 })).toString()).toBe(
      'theirs',
    );
    // the source replaced after it was hashed: no copy is claimed, the job runs again
    const stale = await copyOf('in/doc.pdf', '%PDF-1.4 one', 'out/stale.pdf');
    await put('in/doc.pdf', '%PDF-1.4 two, longer');
    await expect(writer.copy(stale)).rejects.toMatchObject({
      code: 'Transient',
      message: expect.stringMatching(
        /the source has ETag \S+ after the copy, it was hashed at ETag/,
      ),
    });
  });
});
