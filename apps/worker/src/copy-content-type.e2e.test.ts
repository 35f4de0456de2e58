/**
 * A copy stands in for its source (issue 26): besides its bytes it keeps the
 * source's Content-Type, so that a destination that replaces the source
 * serves a JSON sidecar as JSON and a CSV as CSV, whether the copy is written
 * from the bytes read or server-side (over the byte limit). The real
 * processCompressJob, compress pool and OutputWriter, on each real S3 server.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CompressPool } from '@kpress/compress';
import { createLogger } from '@kpress/config';
import type { CompressJob } from '@kpress/queue';
import { Storage } from '@kpress/storage';
import { type S3Server, startS3Server, testS3Kinds } from '@kpress/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessorContext, processCompressJob } from './compress/processor.js';
import { OutputWriter } from './output-writer.js';

const SRC = 'type-src';
const DST = 'type-dst';

describe.each(testS3Kinds())("a copy keeps its source's Content-Type on %s", (kind) => {
  let s3: S3Server;
  let storage: Storage;
  let pool: CompressPool;
  let ctx: ProcessorContext;

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [SRC, DST] });
    storage = new Storage({ client: s3.client });
    pool = new CompressPool({ threads: 1 });
    ctx = {
      storage,
      pool,
      writer: new OutputWriter({ storage }),
      maxBytes: 4096,
      maxPixels: 100_000_000,
      logger: createLogger({ level: 'silent', pretty: false }),
    };
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
    storage?.close();
    await s3?.close();
  });

  const job = (name: string, size: number): CompressJob => ({
    batchId: 'typed',
    source: `s3://${SRC}/in/`,
    dest: `s3://${DST}/out/`,
    key: `in/${name}`,
    size,
    colors: 16,
    seed: 1,
  });

  it.each([
    ['meta.json', Buffer.from('{"a":1}'), 'application/json'],
    // over the byte limit (4096): copied server-side
    ['table.csv', Buffer.alloc(10_000, 0x41), 'text/csv'],
  ])(
    '%s',
    async (name, body, type) => {
      await s3.client.send(
        new PutObjectCommand({ Bucket: SRC, Key: `in/${name}`, Body: body, ContentType: type }),
      );
      const r = await processCompressJob(job(name, body.length), ctx);
      expect(r.row.status, r.row.error ?? '').toBe('copied');
      const head = await storage.headObject(DST, `out/${name}`);
      expect(head.contentType).toBe(type);
      expect(head.metadata['kpress-batch']).toBe('typed');
    },
    60_000,
  );
});
