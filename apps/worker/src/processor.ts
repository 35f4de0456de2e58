import { createHash } from 'node:crypto';
import { mediaTypeOf } from '@kpress/codec';
import {
  type CompressPool,
  decideOutcome,
  failedOutcome,
  type Outcome,
  tooLargeReason,
} from '@kpress/compress';
import { KPRESS_VERSION, type Logger } from '@kpress/config';
import { provenanceFacts } from '@kpress/core';
import type { ManifestRow } from '@kpress/manifest';
import { type CompressJob, compressJobOptions } from '@kpress/queue';
import {
  clashMessage,
  clashPartnerKey,
  KPRESS_DIR,
  parseS3Url,
  StorageError,
  type Storage,
  unwritableReason,
} from '@kpress/storage';
import type { OutputWriter } from './output-writer.js';
import { readRecord, recordKeyOf, writeRecord } from './record.js';

/** SHA-256 of bytes, lower-case hex. */
function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What a compress job needs from its worker. */
export interface ProcessorContext {
  storage: Storage;
  pool: CompressPool;
  /** Writes outputs conditionally (never over another batch's or tool's object). */
  writer: OutputWriter;
  /** KPRESS_MAX_BYTES */
  maxBytes: number;
  /** KPRESS_MAX_PIXELS */
  maxPixels: number;
  logger: Logger;
  /**
   * Look for the record first and do nothing when it exists (a retried or
   * stalled job). Default true; the worker skips the HEAD on a job's first
   * delivery, where redoing the work would only rewrite the same bytes.
   */
  checkRecord?: boolean;
}

/** Milliseconds per stage of one job (for logs and the pipeline benchmark). */
export interface StageTimings {
  checkMs: number;
  getMs: number;
  codecMs: number;
  writeMs: number;
  recordMs: number;
  totalMs: number;
  /** Inside codecMs, when the image was compressed: decode, k-means, PNG encode (for the stage metrics). */
  decodeMs?: number;
  quantizeMs?: number;
  encodeMs?: number;
}

/** The result of one compress job. */
export interface ProcessResult {
  row: ManifestRow;
  /** True when the record existed already (duplicate or rerun): nothing was done. */
  skipped: boolean;
  timings: StageTimings;
}

/**
 * One compress job: skip when its record exists; fail a clashing name; GET
 * the source within the size limit; compress in the pool; PUT the PNG or
 * COPY the original; then write the record. Storage errors other than "too
 * large" and "gone" propagate (BullMQ retries the transient ones).
 */
export async function processCompressJob(
  job: CompressJob,
  ctx: ProcessorContext,
): Promise<ProcessResult> {
  const t0 = performance.now();
  const options = compressJobOptions(job);
  const src = parseS3Url(job.source);
  const dest = parseS3Url(job.dest);
  const recordKey = recordKeyOf(job.key, src.prefix, dest.prefix, job.batchId);
  const log = ctx.logger.child({ batchId: job.batchId, key: job.key });
  const timings: StageTimings = {
    checkMs: 0,
    getMs: 0,
    codecMs: 0,
    writeMs: 0,
    recordMs: 0,
    totalMs: 0,
  };
  const lap = (() => {
    let last = t0;
    return () => {
      const now = performance.now();
      const d = now - last;
      last = now;
      return d;
    };
  })();

  const tooLong = unwritableReason(job.key, src.prefix, dest.prefix, job.batchId);
  if (tooLong !== undefined) {
    // nothing can be written for it, not even its record: the finalize writes its failed row
    timings.totalMs = lap();
    log.warn({ stage: 'done', status: 'failed' }, `failed: ${tooLong}`);
    const failed = failedOutcome({ key: job.key, originalBytes: job.size }, tooLong);
    return { row: { ...failed.row, ms: 0 }, skipped: false, timings };
  }

  if (ctx.checkRecord !== false && (await ctx.storage.exists(dest.bucket, recordKey))) {
    timings.checkMs = lap();
    timings.totalMs = timings.checkMs;
    log.info({ stage: 'skip', timings }, 'record exists already');
    return { row: await readRecord(ctx.storage, dest.bucket, recordKey), skipped: true, timings };
  }

  let outcome: Outcome | undefined;
  // what was read and written, for the row (DESIGN: sha256, outputSha256, etag)
  const fixity: { sha256: string | null; outputSha256: string | null; etag: string | null } = {
    sha256: null,
    outputSha256: null,
    etag: null,
  };
  const partner = clashPartnerKey(job.key);
  if (partner !== undefined && (await ctx.storage.exists(src.bucket, partner))) {
    outcome = failedOutcome(
      { key: job.key, originalBytes: job.size },
      clashMessage(job.key, partner),
    );
  }
  timings.checkMs = lap();

  if (outcome === undefined) {
    let source: Buffer | undefined;
    try {
      const read = await ctx.storage.getObjectWithEtag(src.bucket, job.key, {
        maxBytes: ctx.maxBytes,
      });
      source = read.body;
      fixity.sha256 = sha256Hex(source);
      fixity.etag = read.etag;
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      if (err.code === 'TooLarge') {
        outcome = failedOutcome(
          { key: job.key, originalBytes: job.size },
          tooLargeReason(ctx.maxBytes, job.size),
        );
      } else if (err.code === 'NoSuchKey') {
        outcome = failedOutcome(
          { key: job.key, originalBytes: job.size },
          'the source object was deleted after it was listed',
        );
      } else {
        throw err;
      }
    }
    timings.getMs = lap();
    if (source !== undefined) {
      const originalBytes = source.byteLength;
      log.debug({ stage: 'codec', originalBytes }, 'compressing');
      const result = await ctx.pool.run({
        source,
        options,
        maxPixels: ctx.maxPixels,
        // a PNG copied out of S3 still says what it is
        provenance: {
          software: `kpress ${KPRESS_VERSION}`,
          facts: {
            batch: job.batchId,
            source: job.key,
            sourceSha256: fixity.sha256 as string,
            ...provenanceFacts(options),
            kpressVersion: KPRESS_VERSION,
          },
        },
      });
      timings.codecMs = lap();
      if (result.ok) {
        timings.decodeMs = result.timings.decodeMs;
        timings.quantizeMs = result.timings.quantizeMs;
        timings.encodeMs = result.timings.encodeMs;
      }
      outcome = decideOutcome(
        { key: job.key, sourcePrefix: src.prefix, destPrefix: dest.prefix, originalBytes },
        result,
        options.quality,
      );
      const effect = outcome.effect;
      if (effect.kind !== 'none') {
        // a kept original is PUT from the bytes in hand (not a server-side copy), so that
        // the write is conditional, carries provenance, and is checked by Content-MD5
        // the source's own buffer went to the pool thread; a kept original comes back with the result
        const original = result.source;
        if (effect.kind === 'copy' && original === undefined) {
          throw new Error(
            `the pool kept no copy of ${JSON.stringify(job.key)} to write as the original`,
          );
        }
        const body = effect.kind === 'put' ? effect.body : (original as Uint8Array);
        const outputSha256 = effect.kind === 'put' ? sha256Hex(body) : (fixity.sha256 as string);
        const written = await ctx.writer.write({
          bucket: dest.bucket,
          key: effect.key,
          body,
          sha256: outputSha256,
          provenance: {
            sourceSha256: fixity.sha256 as string,
            options,
            ...(outcome.row.psnr === null ? {} : { psnr: outcome.row.psnr }),
            version: KPRESS_VERSION,
          },
          contentType: effect.kind === 'put' ? 'image/png' : mediaTypeOf(body),
          batchId: job.batchId,
          sourceKey: job.key,
          probeKey: `${dest.prefix}${KPRESS_DIR}conditional-write-probe`,
        });
        if (written.kind === 'in-the-way') {
          outcome = failedOutcome({ key: job.key, originalBytes }, written.reason);
        } else {
          fixity.outputSha256 = outputSha256;
        }
      }
      timings.writeMs = lap();
    }
  }

  if (outcome === undefined) throw new Error(`no outcome for ${JSON.stringify(job.key)}`);
  const row: ManifestRow = {
    ...outcome.row,
    ...fixity,
    ms: Math.round(performance.now() - t0),
  };
  await writeRecord(ctx.storage, dest.bucket, recordKey, row);
  timings.recordMs = lap();
  timings.totalMs = performance.now() - t0;
  log.info(
    {
      stage: 'done',
      status: row.status,
      originalBytes: row.originalBytes,
      outputBytes: row.outputBytes,
      timings,
    },
    row.status === 'failed' ? `failed: ${row.error}` : row.status,
  );
  return { row, skipped: false, timings };
}
