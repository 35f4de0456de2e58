/**
 * The OutputWriter on each real S3 server: Ceph RGW honours `If-None-Match: *`
 * (412), s3rver ignores it, and the writer keeps its promises on both.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Storage } from '@kpress/storage';
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
});
