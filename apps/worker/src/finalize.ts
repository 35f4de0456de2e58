import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { KPRESS_VERSION, type Logger } from '@kpress/config';
import {
  CSV_HEADER,
  type ManifestRow,
  type ReportSample,
  rowChecksumLine,
  rowToCsvLine,
  rowToJsonLine,
  SummaryBuilder,
} from '@kpress/manifest';
import { makeReportSample } from '@kpress/preview';
import {
  type BatchTracker,
  enqueueSources,
  type FinalizeJob,
  type KpressQueue,
  roundJobId,
  scheduleFinalize,
} from '@kpress/queue';
import { renderReportHtml } from '@kpress/report';
import {
  type BatchFile,
  type BatchLocation,
  batchEntries,
  batchFileKeys,
  type ObjectEntry,
  parseBatchFile,
  parseS3Url,
  type Storage,
  sourcesWithRecords,
  unwritableReason,
} from '@kpress/storage';
import { failedOutcome } from './outcome.js';
import { readRecord, recordKeyOf, writeRecord } from './record.js';

/** What a finalize job needs from its worker. */
export interface FinalizeContext {
  storage: Storage;
  queue: KpressQueue;
  tracker: BatchTracker;
  logger: Logger;
  /** Record GETs in flight at once. Default 16. */
  readConcurrency?: number;
  /** Finalize rounds that re-queue missing sources before they are failed. Default 3. */
  maxRounds?: number;
  /** Images shown in detail in report.html. Default 12. */
  reportSamples?: number;
}

export type FinalizeResult =
  | { kind: 'already-done' }
  | { kind: 'requeued'; round: number; missing: number }
  | { kind: 'written'; total: number };

class MissingSource extends Error {
  constructor(readonly key: string) {
    super(`source ${JSON.stringify(key)} has no record yet`);
  }
}

/**
 * Finishes a batch. Merges the source listing with the records listing: when
 * a source has no record, its job was lost or gave up, so the missing sources
 * are queued again under a new round (and this round ends; the last of those
 * jobs schedules the next finalize). After `maxRounds`, still-missing sources
 * get a failed record. When none is missing, streams the records into
 * manifest.jsonl and manifest.csv, then writes report.html and, last,
 * summary.json (its presence means the batch is done).
 */
export async function finalizeBatch(
  data: FinalizeJob,
  ctx: FinalizeContext,
): Promise<FinalizeResult> {
  const log = ctx.logger.child({ batchId: data.batchId, stage: 'finalize' });
  const src = parseS3Url(data.source);
  const dest = parseS3Url(data.dest);
  const files = batchFileKeys(dest.prefix, data.batchId);
  if (await ctx.storage.exists(dest.bucket, files.summary)) {
    log.info('summary.json exists: batch already finalized');
    return { kind: 'already-done' };
  }
  const batch = parseBatchFile(
    await ctx.storage.getJson(dest.bucket, files.batch),
    `s3://${dest.bucket}/${files.batch}`,
  );
  const loc: BatchLocation = {
    batchId: data.batchId,
    sourceBucket: src.bucket,
    sourcePrefix: src.prefix,
    destBucket: dest.bucket,
    destPrefix: dest.prefix,
  };

  try {
    const total = await writeManifest(batch, loc, ctx, log);
    await ctx.tracker.clear(data.batchId);
    log.info({ total }, 'batch finalized');
    return { kind: 'written', total };
  } catch (err) {
    if (!(err instanceof MissingSource)) throw err;
    log.info({ firstMissing: err.key }, 'sources without a record: queuing them again');
  }

  const round = await ctx.tracker.round(data.batchId);
  const maxRounds = ctx.maxRounds ?? 3;
  const missing = missingSources(ctx.storage, loc);
  if (round >= maxRounds) {
    let n = 0;
    for await (const source of missing) {
      const outcome = failedOutcome(
        { key: source.key, originalBytes: source.size },
        `no result after ${maxRounds + 1} round${maxRounds === 0 ? '' : 's'} of attempts (the job kept failing on transient errors or was lost)`,
      );
      await writeRecord(
        ctx.storage,
        dest.bucket,
        recordKeyOf(source.key, src.prefix, dest.prefix, data.batchId),
        { ...outcome.row, ms: 0 },
      );
      n++;
    }
    log.warn({ failed: n, round }, 'gave up on sources without a record');
    // every source has a record now: the next round writes the manifest
    const next = await ctx.tracker.nextRound(data.batchId);
    await scheduleFinalize(ctx.queue, ctx.tracker, data);
    return { kind: 'requeued', round: next, missing: 0 };
  }

  await ctx.tracker.unmarkListed(data.batchId);
  const next = await ctx.tracker.nextRound(data.batchId);
  const queued = await enqueueSources(missing, {
    queue: ctx.queue,
    tracker: ctx.tracker,
    template: { batchId: data.batchId, source: data.source, dest: data.dest, ...batch.options },
    jobId: (key) => roundJobId(data.batchId, key, next),
  });
  await ctx.tracker.markListed(data.batchId);
  if (await ctx.tracker.drained(data.batchId)) await scheduleFinalize(ctx.queue, ctx.tracker, data);
  log.info({ round: next, queued }, 're-queued sources without a record');
  return { kind: 'requeued', round: next, missing: queued };
}

/** Sources without a record that can have one (the unwritable get their row from the manifest writer). */
async function* missingSources(storage: Storage, loc: BatchLocation): AsyncGenerator<ObjectEntry> {
  for await (const s of sourcesWithRecords(storage, loc)) {
    if (s.record !== undefined) continue;
    if (unwritableReason(s.source.key, loc.sourcePrefix, loc.destPrefix, loc.batchId) !== undefined)
      continue;
    yield s.source;
  }
}

/** A streamed multipart upload of text written line by line. */
class TextUpload {
  private readonly body = new PassThrough();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;

  constructor(storage: Storage, bucket: string, key: string, contentType: string) {
    this.upload = new Upload({
      client: storage.client,
      params: { Bucket: bucket, Key: key, Body: this.body, ContentType: contentType },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
    });
    this.done = this.upload.done();
    // surfaced by finish(); keep it from being an unhandled rejection meanwhile
    this.done.catch(() => {});
  }

  async write(text: string): Promise<void> {
    if (!this.body.write(text)) await once(this.body, 'drain');
  }

  async finish(): Promise<void> {
    this.body.end();
    await this.done;
  }

  async abort(): Promise<void> {
    this.body.destroy();
    await this.upload.abort().catch(() => {});
  }
}

/**
 * Reads the records in source order with `concurrency` GETs in flight, and
 * writes each row to the manifests. Throws MissingSource at the first source
 * without a record (the uploads are aborted).
 */
async function writeManifest(
  batch: BatchFile,
  loc: BatchLocation,
  ctx: FinalizeContext,
  log: Logger,
): Promise<number> {
  const files = batchFileKeys(loc.destPrefix, loc.batchId);
  const jsonl = new TextUpload(
    ctx.storage,
    loc.destBucket,
    files.manifestJsonl,
    'application/x-ndjson',
  );
  const csv = new TextUpload(
    ctx.storage,
    loc.destBucket,
    files.manifestCsv,
    'text/csv; charset=utf-8',
  );
  const sums = new TextUpload(
    ctx.storage,
    loc.destBucket,
    files.manifestSha256,
    'text/plain; charset=utf-8',
  );
  const builder = new SummaryBuilder();
  const concurrency = ctx.readConcurrency ?? 16;
  const window: Promise<ManifestRow>[] = [];
  let total = 0;
  const emit = async (row: ManifestRow) => {
    builder.add(row);
    await jsonl.write(rowToJsonLine(row));
    await csv.write(rowToCsvLine(row));
    const sum = rowChecksumLine(row, loc.destPrefix);
    if (sum !== undefined) await sums.write(sum);
    total++;
  };
  try {
    await csv.write(CSV_HEADER);
    let deleted = 0;
    for await (const s of batchEntries(ctx.storage, loc)) {
      if (s.source === undefined) {
        // processed, then its source was deleted ("archive, then delete"): the row stays, flagged
        deleted++;
        const p = readRecord(ctx.storage, loc.destBucket, s.record.key).then((row) => ({
          ...row,
          sourceDeleted: true,
        }));
        p.catch(() => {});
        window.push(p);
      } else if (s.record === undefined) {
        // a source with an unsafe path or keys past S3's limit cannot have a record: its row is made here
        const tooLong = unwritableReason(
          s.source.key,
          loc.sourcePrefix,
          loc.destPrefix,
          loc.batchId,
        );
        if (tooLong === undefined) throw new MissingSource(s.source.key);
        const failed = failedOutcome({ key: s.source.key, originalBytes: s.source.size }, tooLong);
        window.push(Promise.resolve({ ...failed.row, ms: 0 }));
      } else {
        const p = readRecord(ctx.storage, loc.destBucket, s.record.key);
        p.catch(() => {});
        window.push(p);
      }
      if (window.length >= concurrency) await emit(await (window.shift() as Promise<ManifestRow>));
    }
    if (deleted > 0) {
      log.warn(
        { sourceDeleted: deleted },
        `${deleted} row${deleted === 1 ? "'s source was" : "s' sources were"} deleted before the finalize: kept in the manifest with sourceDeleted true`,
      );
    }
    while (window.length > 0) await emit(await (window.shift() as Promise<ManifestRow>));
    await jsonl.finish();
    await csv.finish();
    await sums.finish();
  } catch (err) {
    await Promise.all([jsonl.abort(), csv.abort(), sums.abort()]);
    throw err;
  }

  const aggregate = builder.aggregate();
  const samples = await reportSamples(aggregate, loc, ctx, log);
  const summary = builder.summary({
    batchId: loc.batchId,
    source: batch.source,
    dest: batch.dest,
    colors: batch.options.colors,
    startedAt: batch.createdAt,
    finishedAt: new Date().toISOString(),
    kpressVersion: KPRESS_VERSION,
  });
  const html = renderReportHtml({ summary, aggregate, samples });
  await ctx.storage.putObject(loc.destBucket, files.report, html, {
    contentType: 'text/html; charset=utf-8',
  });
  await ctx.storage.putJson(loc.destBucket, files.summary, summary);
  return total;
}

/** Up to `reportSamples` images in detail: the largest savings first, then others from the sample. */
async function reportSamples(
  aggregate: ReturnType<SummaryBuilder['aggregate']>,
  loc: BatchLocation,
  ctx: FinalizeContext,
  log: Logger,
): Promise<ReportSample[]> {
  const want = ctx.reportSamples ?? 12;
  const picked = new Map<
    string,
    (typeof aggregate.sample)[number] | (typeof aggregate.largestSavings)[number]
  >();
  for (const s of aggregate.largestSavings) if (picked.size < want) picked.set(s.key, s);
  for (const s of aggregate.sample)
    if (picked.size < want && !picked.has(s.key)) picked.set(s.key, s);
  const out: ReportSample[] = [];
  for (const s of picked.values()) {
    try {
      const row = await readRecord(
        ctx.storage,
        loc.destBucket,
        recordKeyOf(s.key, loc.sourcePrefix, loc.destPrefix, loc.batchId),
      );
      const source = await ctx.storage.getObject(loc.sourceBucket, row.key, {
        maxBytes: 64 * 1024 * 1024,
      });
      const output =
        row.status === 'compressed' && row.outputKey !== null
          ? await ctx.storage.getObject(loc.destBucket, row.outputKey, {
              maxBytes: 64 * 1024 * 1024,
            })
          : null;
      out.push(
        await makeReportSample(
          {
            key: row.key,
            outputKey: row.outputKey,
            status: row.status,
            originalBytes: row.originalBytes,
            outputBytes: row.outputBytes,
            psnr: row.psnr,
            colors: row.colors,
          },
          source,
          output,
        ),
      );
    } catch (err) {
      log.warn({ key: s.key, err: (err as Error).message }, 'report sample skipped');
    }
  }
  return out;
}
