import { createHash } from 'node:crypto';
import { mediaTypeOf } from '@kpress/codec';
import {
  type CompressPool,
  copyOrSkip,
  decideOutcome,
  failedOutcome,
  type Outcome,
  tooLargeReason,
} from '@kpress/compress';
import { KPRESS_VERSION, type Logger } from '@kpress/config';
import { type ImageOptions, provenanceFacts } from '@kpress/core';
import type { ManifestRow } from '@kpress/manifest';
import { type CompressJob, compressJobOptions } from '@kpress/queue';
import {
  clashMessage,
  clashPartnerKey,
  digestObject,
  KPRESS_DIR,
  parseS3Url,
  type S3Location,
  StorageError,
  type Storage,
  unwritableReason,
} from '@kpress/storage';
import type { OutputWriter } from '../output-writer.js';
import { readRecord, recordKeyOf, writeRecord } from '../record.js';

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
  /** Inside codecMs, when the image was compressed: decode, k-means, SSIMULACRA 2.1 score, PNG encode (for the stage metrics). */
  decodeMs?: number;
  quantizeMs?: number;
  scoreMs?: number;
  encodeMs?: number;
}

/** The result of one compress job. */
export interface ProcessResult {
  row: ManifestRow;
  /** True when the record existed already (duplicate or rerun): nothing was done. */
  skipped: boolean;
  timings: StageTimings;
}

/** What the steps of one job share: the job, its options and places, the log and the stage clock. */
interface JobRun {
  job: CompressJob;
  options: ImageOptions;
  src: S3Location;
  dest: S3Location;
  recordKey: string;
  log: Logger;
  t0: number;
  timings: StageTimings;
  /** Milliseconds since the last lap (or the start). */
  lap: () => number;
  /** What was read and written, for the row (DESIGN: sha256, outputSha256, etag). */
  fixity: { sha256: string | null; outputSha256: string | null; etag: string | null };
  /** The source's Content-Type as read, when the server said: a copy keeps it. */
  sourceType?: string;
}

function startRun(job: CompressJob, ctx: ProcessorContext): JobRun {
  const t0 = performance.now();
  const src = parseS3Url(job.source);
  const dest = parseS3Url(job.dest);
  let last = t0;
  return {
    job,
    options: compressJobOptions(job),
    src,
    dest,
    recordKey: recordKeyOf(job.key, src.prefix, dest.prefix, job.batchId),
    log: ctx.logger.child({ batchId: job.batchId, key: job.key }),
    t0,
    timings: { checkMs: 0, getMs: 0, codecMs: 0, writeMs: 0, recordMs: 0, totalMs: 0 },
    lap: () => {
      const now = performance.now();
      const d = now - last;
      last = now;
      return d;
    },
    fixity: { sha256: null, outputSha256: null, etag: null },
  };
}

/**
 * One compress job: skip when its record exists; GET the source within the
 * size limit; compress in the pool (failing a compressed output whose name is
 * another source's); PUT the PNG or the original's bytes; then write the record. Storage errors other than "too
 * large" and "gone" propagate (BullMQ retries the transient ones).
 */
export async function processCompressJob(
  job: CompressJob,
  ctx: ProcessorContext,
): Promise<ProcessResult> {
  const run = startRun(job, ctx);
  const tooLong = unwritableReason(job.key, run.src.prefix, run.dest.prefix, job.batchId);
  if (tooLong !== undefined) return unwritable(run, tooLong);
  if (ctx.checkRecord !== false && (await ctx.storage.exists(run.dest.bucket, run.recordKey))) {
    return recordedAlready(run, ctx);
  }
  const partner = await clashPartner(run, ctx);
  run.timings.checkMs = run.lap();
  const read = await readSource(run, ctx);
  // a server-side copy timed its own stages
  if (run.timings.writeMs === 0) run.timings.getMs = run.lap();
  const outcome = Buffer.isBuffer(read) ? await compressAndWrite(run, ctx, read, partner) : read;
  return finish(run, ctx, outcome);
}

/** A key nothing can be written for, not even its record: the finalize writes its failed row. */
function unwritable(run: JobRun, reason: string): ProcessResult {
  run.timings.totalMs = run.lap();
  run.log.warn({ stage: 'done', status: 'failed' }, `failed: ${reason}`);
  const failed = failedOutcome({ key: run.job.key, originalBytes: run.job.size }, reason);
  return { row: { ...failed.row, ms: 0 }, skipped: false, timings: run.timings };
}

/** A retried or duplicate job whose record exists: its row, nothing done. */
async function recordedAlready(run: JobRun, ctx: ProcessorContext): Promise<ProcessResult> {
  run.timings.checkMs = run.lap();
  run.timings.totalMs = run.timings.checkMs;
  run.log.info({ stage: 'skip', timings: run.timings }, 'record exists already');
  const row = await readRecord(ctx.storage, run.dest.bucket, run.recordKey);
  return { row, skipped: true, timings: run.timings };
}

/**
 * The other source (`cat.png` for `cat`) whose output key this source's
 * compressed output would take, when it exists; else undefined. Only a
 * compressed output is renamed (`<name>.png`): a copy or a kept original keeps
 * its own name and clashes with nothing (compressAndWrite).
 */
async function clashPartner(run: JobRun, ctx: ProcessorContext): Promise<string | undefined> {
  const partner = clashPartnerKey(run.job.key);
  if (partner === undefined || !(await ctx.storage.exists(run.src.bucket, partner)))
    return undefined;
  return partner;
}

/**
 * GETs the source within the size limit (its digest and ETag into the
 * fixity); a source over the limit is copied server-side (or skipped with
 * imagesOnly), a deleted one is a failed outcome.
 */
async function readSource(run: JobRun, ctx: ProcessorContext): Promise<Buffer | Outcome> {
  const ref = { key: run.job.key, originalBytes: run.job.size };
  if (run.job.size > ctx.maxBytes) return copyLarge(run, ctx);
  try {
    const read = await ctx.storage.getObjectWithEtag(run.src.bucket, run.job.key, {
      maxBytes: ctx.maxBytes,
    });
    run.fixity.sha256 = sha256Hex(read.body);
    run.fixity.etag = read.etag;
    run.sourceType = read.contentType;
    return read.body;
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    // grown since it was listed
    if (err.code === 'TooLarge') return copyLarge(run, ctx);
    if (err.code === 'NoSuchKey')
      return failedOutcome(ref, 'the source object was deleted after it was listed');
    throw err;
  }
}

/**
 * A source over the byte limit: never read whole. Its SHA-256 is streamed
 * (the row's fixity), then it is copied server-side, that same version only
 * (CopySourceIfMatch its ETag), by the writer's no-overwrite rules. With
 * imagesOnly it is a skipped row and nothing is read or written.
 */
async function copyLarge(run: JobRun, ctx: ProcessorContext): Promise<Outcome> {
  const { job, src, dest } = run;
  const sourceRef = { key: job.key, sourcePrefix: src.prefix, destPrefix: dest.prefix };
  if (run.options.imagesOnly) {
    return copyOrSkip(
      { ...sourceRef, originalBytes: job.size },
      tooLargeReason(ctx.maxBytes, job.size),
      true,
    );
  }
  let digest: Awaited<ReturnType<typeof digestObject>>;
  try {
    digest = await digestObject(ctx.storage, src.bucket, job.key);
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchKey')
      return failedOutcome(
        { key: job.key, originalBytes: job.size },
        'the source object was deleted after it was listed',
      );
    throw err;
  }
  run.timings.getMs = run.lap();
  run.fixity.sha256 = digest.sha256;
  run.fixity.etag = digest.etag;
  const ref = { ...sourceRef, originalBytes: digest.bytes };
  const outcome = copyOrSkip(ref, tooLargeReason(ctx.maxBytes, digest.bytes), false);
  const key = (outcome.effect as { key: string }).key;
  const written = await ctx.writer.copy({
    srcBucket: src.bucket,
    size: digest.bytes,
    sourceEtag: digest.etag,
    sha256: digest.sha256,
    bucket: dest.bucket,
    key,
    provenance: { sourceSha256: digest.sha256, options: run.options, version: KPRESS_VERSION },
    contentType: copyType(digest.contentType, undefined),
    batchId: job.batchId,
    sourceKey: job.key,
  });
  run.timings.writeMs = run.lap();
  if (written.kind === 'in-the-way') return failedOutcome(ref, written.reason);
  run.fixity.outputSha256 = digest.sha256;
  return outcome;
}

/**
 * Compresses the source in the pool, decides the outcome, and writes its
 * output; a compressed outcome whose `<name>.png` is another source's name
 * (`partner`) is a failed one instead, nothing written.
 */
async function compressAndWrite(
  run: JobRun,
  ctx: ProcessorContext,
  source: Buffer,
  partner: string | undefined,
): Promise<Outcome> {
  const { job, options } = run;
  const originalBytes = source.byteLength;
  run.log.debug({ stage: 'codec', originalBytes }, 'compressing');
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
        sourceSha256: run.fixity.sha256 as string,
        ...provenanceFacts(options),
        kpressVersion: KPRESS_VERSION,
      },
    },
  });
  run.timings.codecMs = run.lap();
  if (result.ok) {
    run.timings.decodeMs = result.timings.decodeMs;
    run.timings.quantizeMs = result.timings.quantizeMs;
    run.timings.scoreMs = result.timings.scoreMs;
    run.timings.encodeMs = result.timings.encodeMs;
  }
  const outcome = decideOutcome(
    { key: job.key, sourcePrefix: run.src.prefix, destPrefix: run.dest.prefix, originalBytes },
    result,
    options.quality,
    options.imagesOnly,
  );
  if (partner !== undefined && outcome.row.status === 'compressed') {
    return failedOutcome({ key: job.key, originalBytes }, clashMessage(job.key, partner));
  }
  const written = await writeOutput(run, ctx, outcome, result.source, originalBytes);
  run.timings.writeMs = run.lap();
  return written;
}

/**
 * Writes the outcome's output: the PNG, or the original's bytes of a kept or
 * copied source (PUT from the bytes in hand, not a server-side copy, so that
 * the write is conditional, carries provenance and is checked by
 * Content-MD5; only a source over the byte limit is copied server-side,
 * copyLarge). An object in the way
 * makes the outcome a failed one.
 */
async function writeOutput(
  run: JobRun,
  ctx: ProcessorContext,
  outcome: Outcome,
  /** The source's own buffer went to the pool thread; a kept original comes back with the result. */
  original: Uint8Array | undefined,
  originalBytes: number,
): Promise<Outcome> {
  const effect = outcome.effect;
  if (effect.kind === 'none') return outcome;
  if (effect.kind === 'copy' && original === undefined) {
    throw new Error(
      `the pool kept no copy of ${JSON.stringify(run.job.key)} to write as the original`,
    );
  }
  const body = effect.kind === 'put' ? effect.body : (original as Uint8Array);
  const outputSha256 = effect.kind === 'put' ? sha256Hex(body) : (run.fixity.sha256 as string);
  const written = await ctx.writer.write({
    bucket: run.dest.bucket,
    key: effect.key,
    body,
    sha256: outputSha256,
    provenance: {
      sourceSha256: run.fixity.sha256 as string,
      options: run.options,
      ...(outcome.row.psnr === null ? {} : { psnr: outcome.row.psnr }),
      ...(outcome.row.ssimulacra2 == null ? {} : { ssimulacra2: outcome.row.ssimulacra2 }),
      version: KPRESS_VERSION,
    },
    contentType:
      effect.kind === 'put'
        ? 'image/png'
        : outcome.row.status === 'copied'
          ? copyType(run.sourceType, body)
          : mediaTypeOf(body),
    batchId: run.job.batchId,
    sourceKey: run.job.key,
    probeKey: `${run.dest.prefix}${KPRESS_DIR}conditional-write-probe`,
  });
  if (written.kind === 'in-the-way') {
    return failedOutcome({ key: run.job.key, originalBytes }, written.reason);
  }
  run.fixity.outputSha256 = outputSha256;
  return outcome;
}

/** S3's default Content-Type, which says nothing of what an object is. */
const UNTYPED = new Set(['binary/octet-stream', 'application/octet-stream']);

/**
 * The Content-Type of a copy: the source's own, so that the copy can stand in
 * for it (a JSON sidecar stays application/json), unless it says nothing
 * (S3's default); then what the bytes are, when known (DICOM), else
 * application/octet-stream.
 */
function copyType(sourceType: string | undefined, bytes: Uint8Array | undefined): string {
  if (sourceType !== undefined && sourceType !== '' && !UNTYPED.has(sourceType)) return sourceType;
  return bytes === undefined ? 'application/octet-stream' : mediaTypeOf(bytes);
}

/** Writes the job's record (the row, its fixity and time) and logs the result. */
async function finish(
  run: JobRun,
  ctx: ProcessorContext,
  outcome: Outcome,
): Promise<ProcessResult> {
  const row: ManifestRow = {
    ...outcome.row,
    ...run.fixity,
    ms: Math.round(performance.now() - run.t0),
  };
  await writeRecord(ctx.storage, run.dest.bucket, run.recordKey, row);
  run.timings.recordMs = run.lap();
  run.timings.totalMs = performance.now() - run.t0;
  run.log.info(
    {
      stage: 'done',
      status: row.status,
      originalBytes: row.originalBytes,
      outputBytes: row.outputBytes,
      timings: run.timings,
    },
    row.status === 'failed' ? `failed: ${row.error}` : row.status,
  );
  return { row, skipped: false, timings: run.timings };
}
