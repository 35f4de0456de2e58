/**
 * The last step of a finalize round, after its parts. It derives the round's
 * parts itself: their number from listing.json, their files from their
 * summaries; a part missing, or written against another listing.json (an
 * `enqueue` rerun rewrote it), is written again (assemble -> parts), and a
 * batch no longer drained (a rerun is queuing it) goes back to waiting.
 * When a part found sources without a record, queue them again under the
 * next round (or, after `maxRounds`, give them a failed record where none has
 * appeared): requeue.ts. Else join the parts into manifest.jsonl,
 * manifest.csv and manifest-sha256.txt (server-side copies, see
 * concatObjects), merge their summaries, and write report.html and, last,
 * summary.json.
 */
import { faultPoint, KPRESS_VERSION, type Logger } from '@kpress/config';
import { SummaryBuilder } from '@kpress/manifest';
import { type FinalizeAssembleJob, type FinalizeStage, scheduleParts } from '@kpress/queue';
import {
  type ReportModel,
  renderReportHtml,
  reportSamples,
  reportWorstCases,
} from '@kpress/report';
import {
  type BatchFile,
  type BatchLocation,
  batchFileKeys,
  concatObjects,
  finalizePartKeys,
  finalizeWorkPrefix,
  StorageError,
  type Storage,
} from '@kpress/storage';
import pMap from 'p-map';
import type { FinalizeContext } from './context.js';
import { type ListingFacts, readListing } from './listing.js';
import type { PartSummary } from './part.js';
import { requeueMissing } from './requeue.js';
import { DEFAULT_REPORT_LIMITS, DEFAULT_REPORT_WORST, s3ReportImages } from './report-images.js';

/** What assembling did. */
export type AssembleResult =
  | { kind: 'requeued'; round: number; missing: number }
  | { kind: 'gave-up'; round: number; failed: number }
  | { kind: 'redo'; parts: number[] }
  | { kind: 'reset' }
  | { kind: 'stale' }
  | { kind: 'cancelled' }
  | { kind: 'written'; total: number };

/** Part `i`'s summary, or undefined when it has none. */
async function readPart(
  storage: Storage,
  loc: BatchLocation,
  round: number,
  i: number,
): Promise<PartSummary | undefined> {
  const key = finalizePartKeys(loc.destPrefix, loc.batchId, round, i).summary;
  try {
    return (await storage.getJson(loc.destBucket, key)) as PartSummary;
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** The round's part summaries (one per range of `listing`), and the indexes to write again. */
async function readParts(
  storage: Storage,
  loc: BatchLocation,
  round: number,
  listing: ListingFacts,
): Promise<{ parts: PartSummary[]; redo: number[] }> {
  const indexes = listing.ranges.map((_, i) => i);
  const read = await pMap(indexes, (i) => readPart(storage, loc, round, i), { concurrency: 16 });
  faultPoint('assemble.parts-get', loc.batchId);
  const redo = indexes.filter((i) => {
    const p = read[i];
    return p === undefined || p.index !== i || (p.listing ?? '') !== listing.etag;
  });
  return { parts: read.filter((p): p is PartSummary => p !== undefined), redo };
}

/**
 * Joins or re-queues round `job.round`, in stage `stage` (assemble, requeue,
 * or done: committed by an earlier try of this assemble, which only joins).
 */
export async function assembleBatch(
  job: FinalizeAssembleJob,
  stage: FinalizeStage,
  batch: BatchFile,
  loc: BatchLocation,
  ctx: FinalizeContext,
): Promise<AssembleResult> {
  const log = ctx.logger.child({ batchId: job.batchId, stage: 'finalize', round: job.round });
  if (stage === 'assemble') {
    const drained = await ctx.tracker.drained(job.batchId);
    faultPoint('assemble.drained-get', job.batchId);
    if (!drained) {
      // an enqueue rerun is queuing the batch: its finalize begins again once it is drained
      await ctx.tracker.resetRound(job.batchId, job.round);
      log.info('the batch is being queued again: its finalize waits for it to drain');
      return { kind: 'reset' };
    }
  }
  const listing = await readListing(ctx.storage, loc, 'assemble.listing-get');
  const { parts, redo } = await readParts(ctx.storage, loc, job.round, listing);
  if (stage === 'assemble' && redo.length > 0) {
    if ((await ctx.tracker.redoParts(job.batchId, job.round, redo)) !== 'parts')
      return { kind: 'stale' };
    const jobs = redo.map((index) => {
      const r = listing.ranges[index] as (typeof listing.ranges)[number];
      return { ...job, index, parts: listing.ranges.length, after: r.after, upTo: r.upTo };
    });
    await scheduleParts(ctx.queue, jobs);
    log.warn({ parts: redo }, 'parts missing or written against another listing: written again');
    return { kind: 'redo', parts: redo };
  }
  if (stage === 'done' && redo.length > 0)
    throw new Error(
      `finalize of batch ${job.batchId} round ${job.round}: parts ${redo.join(', ')} vanished after the round was committed (stage done); retried`,
    );
  const missing = parts.reduce((n, p) => n + p.missing, 0);
  if (stage !== 'done' && (missing > 0 || stage === 'requeue'))
    return requeueMissing(job, batch, loc, parts, missing, ctx, log);
  // the commit point: only a batch still drained, at this round and stage, is finished
  if (stage === 'assemble') {
    const committed = await ctx.tracker.finish(job.batchId, job.round);
    faultPoint('assemble.finish', job.batchId);
    if (committed === 'cancelled') return { kind: 'cancelled' };
    if (committed === 'stale') return { kind: 'stale' };
    if (committed === 'not-drained') {
      await ctx.tracker.resetRound(job.batchId, job.round);
      log.info('the batch is being queued again: its finalize waits for it to drain');
      return { kind: 'reset' };
    }
  }
  return join(job, batch, loc, parts, ctx, log);
}

/** Joins the parts into the manifests, then report.html and, last, summary.json. */
async function join(
  job: FinalizeAssembleJob,
  batch: BatchFile,
  loc: BatchLocation,
  parts: PartSummary[],
  ctx: FinalizeContext,
  log: Logger,
): Promise<AssembleResult> {
  const files = batchFileKeys(loc.destPrefix, loc.batchId);
  const joined = await joinManifests(job, loc, parts, files, ctx);
  const worst = ctx.reportWorst ?? DEFAULT_REPORT_WORST;
  const builder = mergeParts(parts, worst, log);
  const aggregate = builder.aggregate();
  const images = await reportImages(aggregate, worst, loc, ctx, log);
  const summary = builder.summary({
    batchId: loc.batchId,
    source: batch.source,
    dest: batch.dest,
    colors: batch.options.colors,
    startedAt: batch.createdAt,
    finishedAt: new Date().toISOString(),
    kpressVersion: KPRESS_VERSION,
  });
  const html = renderReportHtml({ summary, aggregate, ...images });
  await ctx.storage.putObject(loc.destBucket, files.report, html, {
    contentType: 'text/html; charset=utf-8',
  });
  faultPoint('assemble.report-put', job.batchId);
  // last: its presence means the batch is done
  await ctx.storage.putJson(loc.destBucket, files.summary, summary);
  faultPoint('assemble.summary-put', job.batchId);
  // only what this round owns: the keys of a batch in stage done (no rerun can add to it)
  await ctx.tracker.clearDone(job.batchId, job.round);
  faultPoint('assemble.clear', job.batchId);
  log.info(
    {
      total: builder.total,
      parts: parts.length,
      copiedParts: joined.reduce((n, j) => n + j.copiedParts, 0),
      readBytes: joined.reduce((n, j) => n + j.readBytes, 0),
    },
    'batch finalized',
  );
  await removeWork(ctx.storage, loc, log);
  return { kind: 'written', total: builder.total };
}

/** The parts' manifest.jsonl, manifest.csv and manifest.sha256, each concatenated in part order into the batch's. */
async function joinManifests(
  job: FinalizeAssembleJob,
  loc: BatchLocation,
  parts: PartSummary[],
  files: ReturnType<typeof batchFileKeys>,
  ctx: FinalizeContext,
): Promise<Awaited<ReturnType<typeof concatObjects>>[]> {
  const concat = {
    ...(ctx.minPartBytes === undefined ? {} : { minPartBytes: ctx.minPartBytes }),
    ...(ctx.maxPartBytes === undefined ? {} : { maxPartBytes: ctx.maxPartBytes }),
  };
  const joinKind = async (kind: 'jsonl' | 'csv' | 'sha256', key: string, contentType: string) => {
    const sources = parts.map((p) => ({
      key: finalizePartKeys(loc.destPrefix, loc.batchId, job.round, p.index, p.attempt)[kind],
      size: p.bytes[kind],
    }));
    const r = await concatObjects(ctx.storage, loc.destBucket, sources, key, {
      contentType,
      ...concat,
    });
    faultPoint(`assemble.${kind === 'jsonl' ? 'manifest' : kind}-put`, job.batchId);
    return r;
  };
  return [
    await joinKind('jsonl', files.manifestJsonl, 'application/x-ndjson'),
    await joinKind('csv', files.manifestCsv, 'text/csv; charset=utf-8'),
    await joinKind('sha256', files.manifestSha256, 'text/plain; charset=utf-8'),
  ];
}

/** The parts' summary states merged, keeping the `worst` lowest scores; logs rows whose source was deleted. */
function mergeParts(parts: PartSummary[], worst: number, log: Logger): SummaryBuilder {
  const builder = new SummaryBuilder({ worst });
  for (const p of parts) builder.merge(p.state);
  const deleted = parts.reduce((n, p) => n + p.sourceDeleted, 0);
  if (deleted > 0) {
    log.warn(
      { sourceDeleted: deleted },
      `${deleted} row${deleted === 1 ? "'s source was" : "s' sources were"} deleted before the finalize: kept in the manifest with sourceDeleted true`,
    );
  }
  return builder;
}

/** report.html's samples and worst-case crops, read from S3 (a sample or crop that cannot be made is logged and left out). */
async function reportImages(
  aggregate: ReturnType<SummaryBuilder['aggregate']>,
  worst: number,
  loc: BatchLocation,
  ctx: FinalizeContext,
  log: Logger,
): Promise<Pick<ReportModel, 'samples' | 'worst'>> {
  const images = s3ReportImages(ctx.storage, loc);
  const limits = ctx.reportLimits ?? DEFAULT_REPORT_LIMITS;
  const samples = await reportSamples(
    aggregate,
    images,
    (key, err) => log.warn({ key, err: err.message }, 'report sample skipped'),
    ctx.reportSamples,
    limits,
  );
  // from S3 alone (the merged parts' worst rows, their sources and outputs): a rerun makes the same
  const worstCases = await reportWorstCases(
    aggregate.worst.slice(0, worst),
    images,
    limits,
    (key, err) => log.warn({ key, err: err.message }, 'report worst-case crop not made'),
  );
  return { samples, worst: worstCases };
}

/** Removes the parts' scratch files (best effort: they are only a cache once summary.json exists). */
async function removeWork(storage: Storage, loc: BatchLocation, log: Logger): Promise<void> {
  try {
    const keys: string[] = [];
    for await (const o of storage.listObjects(
      loc.destBucket,
      finalizeWorkPrefix(loc.destPrefix, loc.batchId),
    )) {
      keys.push(o.key);
    }
    await pMap(keys, (k) => storage.deleteObject(loc.destBucket, k), { concurrency: 16 });
    faultPoint('assemble.work-delete', loc.batchId);
  } catch (err) {
    log.warn(
      { err: (err as Error).message },
      'could not remove the finalize parts (harmless; delete _kpress/<batch>/finalize/ by hand)',
    );
  }
}
