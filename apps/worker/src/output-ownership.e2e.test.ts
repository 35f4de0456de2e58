/**
 * Issue 23, defect 3: an output belongs to one batch AND one source. Source
 * `cat` compresses to `out/cat.png`, and so does source `cat.png` (a PNG keeps
 * its name). When the two are processed at different times in the same batch
 * (a re-queue round picks up `cat.png` after `cat` was written, or `cat.png`
 * went from the source before `cat` arrived), the second must never replace the
 * first's output: its row is failed, naming both source keys.
 *
 * The real processCompressJob, compress pool and OutputWriter, on each real S3
 * server (Ceph RGW honours If-None-Match, s3rver does not).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createLogger } from '@kpress/config';
import type { ManifestRow } from '@kpress/manifest';
import type { CompressJob } from '@kpress/queue';
import { Storage } from '@kpress/storage';
import { type S3Server, samplePath, startS3Server, testS3Kinds } from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputWriter } from './output-writer.js';
import { CompressPool } from '@kpress/compress';
import { type ProcessorContext, processCompressJob } from './compress/processor.js';

const SRC = 'own-src';
const DST = 'own-dst';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(testS3Kinds())('output ownership by batch and source on %s', (kind) => {
  let s3: S3Server;
  let storage: Storage;
  let pool: CompressPool;
  let ctx: ProcessorContext;
  let chelsea: Buffer;
  let gradient: Buffer;

  beforeAll(async () => {
    s3 = await startS3Server({ kind, buckets: [SRC, DST] });
    storage = new Storage({ client: s3.client });
    pool = new CompressPool({ threads: 1 });
    ctx = {
      storage,
      pool,
      writer: new OutputWriter({ storage }),
      maxBytes: 64 * 1024 * 1024,
      maxPixels: 100_000_000,
      logger: createLogger({ level: 'silent', pretty: false }),
    };
    chelsea = await readFile(samplePath('chelsea.png'));
    // another image: its output differs from chelsea's
    gradient = await sharp(Buffer.from(Array.from({ length: 48 * 48 * 3 }, (_, i) => i % 251)), {
      raw: { width: 48, height: 48, channels: 3 },
    })
      .png()
      .toBuffer();
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
    storage?.close();
    await s3?.close();
  });

  const job = (prefix: string, name: string, size: number): CompressJob => ({
    batchId: 'own-batch',
    source: `s3://${SRC}/${prefix}in/`,
    dest: `s3://${DST}/${prefix}out/`,
    key: `${prefix}in/${name}`,
    size,
    colors: 16,
    seed: 1,
  });

  async function put(key: string, body: Uint8Array): Promise<void> {
    await storage.putObject(SRC, key, body, { contentType: 'application/octet-stream' });
  }

  async function outputDigest(key: string): Promise<string> {
    return sha256(await storage.getObject(DST, key, { maxBytes: 64 * 1024 * 1024 }));
  }

  function expectFailedNamingBoth(row: ManifestRow, self: string, other: string): void {
    expect(row.status).toBe('failed');
    expect(row.outputSha256).toBeNull();
    expect(row.error).toContain(JSON.stringify(self));
    expect(row.error).toContain(JSON.stringify(other));
    expect(row.error).toMatch(/nothing was overwritten/);
  }

  it('cat first, then cat.png in a later round: cat.png fails, cat.png output untouched', async () => {
    const p = 'a/';
    await put(`${p}in/cat`, chelsea);
    const first = await processCompressJob(job(p, 'cat', chelsea.length), ctx);
    expect(first.row.status).toBe('compressed');
    const written = first.row.outputSha256;
    expect(await outputDigest(`${p}out/cat.png`)).toBe(written);

    // cat.png appears in the source after cat was written; a re-queue round picks it up
    await put(`${p}in/cat.png`, gradient);
    const second = await processCompressJob(job(p, 'cat.png', gradient.length), ctx);
    expectFailedNamingBoth(second.row, `${p}in/cat.png`, `${p}in/cat`);
    expect(await outputDigest(`${p}out/cat.png`)).toBe(written);
    const meta = (await storage.headObject(DST, `${p}out/cat.png`)).metadata;
    expect(decodeURIComponent(meta['kpress-source'] ?? '')).toBe(`${p}in/cat`);
  }, 120_000);

  it('cat.png first, then cat once cat.png left the source: cat fails, output untouched', async () => {
    const p = 'b/';
    await put(`${p}in/cat.png`, gradient);
    const first = await processCompressJob(job(p, 'cat.png', gradient.length), ctx);
    expect(first.row.status).not.toBe('failed');
    const written = first.row.outputSha256;
    expect(await outputDigest(`${p}out/cat.png`)).toBe(written);

    // cat.png is moved away from the source (so no name clash is seen), then cat arrives
    await storage.deleteObject(SRC, `${p}in/cat.png`);
    await put(`${p}in/cat`, chelsea);
    const second = await processCompressJob(job(p, 'cat', chelsea.length), ctx);
    expectFailedNamingBoth(second.row, `${p}in/cat`, `${p}in/cat.png`);
    expect(await outputDigest(`${p}out/cat.png`)).toBe(written);
  }, 120_000);

  it('another source with the very same output bytes is still not taken as the owner', async () => {
    const p = 'c/';
    await put(`${p}in/cat`, chelsea);
    const first = await processCompressJob(job(p, 'cat', chelsea.length), ctx);
    expect(first.row.status).toBe('compressed');
    // the same image under the PNG name compresses to the same bytes
    await put(`${p}in/cat.png`, chelsea);
    const second = await processCompressJob(job(p, 'cat.png', chelsea.length), ctx);
    expectFailedNamingBoth(second.row, `${p}in/cat.png`, `${p}in/cat`);
    const meta = (await storage.headObject(DST, `${p}out/cat.png`)).metadata;
    expect(decodeURIComponent(meta['kpress-source'] ?? '')).toBe(`${p}in/cat`);
  }, 120_000);

  it('a copy never clashes: notes (not an image) beside notes.png is copied under its own name, an image cat beside cat.png still fails', async () => {
    const p = 'e/';
    const text = Buffer.from('minutes of the meeting\n');
    await put(`${p}in/notes`, text);
    await put(`${p}in/notes.png`, gradient);
    // a DICOM without an extension beside its preview: the usual case
    const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(64, 7)]);
    await put(`${p}in/IM0001`, dicom);
    await put(`${p}in/IM0001.png`, gradient);
    await put(`${p}in/cat`, chelsea);
    await put(`${p}in/cat.png`, gradient);
    const notes = await processCompressJob(job(p, 'notes', text.length), ctx);
    expect(notes.row.status, notes.row.error ?? '').toBe('copied');
    expect(notes.row.outputKey).toBe(`${p}out/notes`);
    expect(await outputDigest(`${p}out/notes`)).toBe(sha256(text));
    const scan = await processCompressJob(job(p, 'IM0001', dicom.length), ctx);
    expect(scan.row.status, scan.row.error ?? '').toBe('copied');
    expect(await outputDigest(`${p}out/IM0001`)).toBe(sha256(dicom));
    const cat = await processCompressJob(job(p, 'cat', chelsea.length), ctx);
    expect(cat.row.status).toBe('failed');
    expect(cat.row.error).toMatch(
      /^output name clash: "e\/in\/cat" would be written as "e\/in\/cat.png"/,
    );
    expect(await storage.headIfExists(DST, `${p}out/cat.png`)).toBeUndefined();
    // the PNG-named ones are processed as ever
    for (const name of ['notes.png', 'IM0001.png', 'cat.png']) {
      const r = await processCompressJob(job(p, name, gradient.length), ctx);
      expect(r.row.status, `${name}: ${r.row.error}`).not.toBe('failed');
    }
  }, 120_000);

  it('its own retry with new bytes (the same batch and source) is still replaced', async () => {
    const p = 'd/';
    await put(`${p}in/cat.png`, gradient);
    const first = await processCompressJob(job(p, 'cat.png', gradient.length), ctx);
    expect(first.row.status).not.toBe('failed');
    // the record is gone (a redelivery before it was written) and the job runs with other options
    await storage.deleteObject(DST, `${p}out/_kpress/own-batch/records/cat.png`);
    const again = await processCompressJob(
      { ...job(p, 'cat.png', gradient.length), colors: 4 },
      ctx,
    );
    expect(again.row.status).toBe('compressed');
    expect(await outputDigest(`${p}out/cat.png`)).toBe(again.row.outputSha256);
  }, 120_000);
});
