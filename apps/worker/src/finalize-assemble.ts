/**
 * The last step of a finalize round, after its parts: when a part found
 * sources without a record, queue them again under the next round (or, after
 * `maxRounds`, give them a failed record where none has appeared); else join
 * the parts into manifest.jsonl, manifest.csv and manifest-sha256.txt
 * (server-side copies, see concatObjects), merge their summaries, and write
 * report.html and, last, summary.json.
 */
import { KPRESS_VERSION, type Logger } from '@kpress/config';
import { SummaryBuilder } from '@kpress/manifest';
import {
  enqueueSources,
  type FinalizeAssembleJob,
  roundJobId,
  scheduleFinalize,
} from '@kpress/queue';
import { renderReportHtml } from '@kpress/report';
import pMap from 'p-map';
import {
  type BatchFile,
  type BatchLocation,
  batchFileKeys,
  concatObjects,
  finalizePartKeys,
  finalizeWorkPrefix,
  type Storage,
} from '@kpress/storage';
import type { FinalizeContext } from './finalize-context.js';
import type { PartSummary } from './finalize-part.js';
import { failedOutcome } from './outcome.js';
import { recordKeyOf, writeRecordIfAbsent } from './record.js';
import { reportSamples } from './report-samples.js';

/** What assembling needs from its worker. */
export type AssembleResult =
  | { kind: 'requeued'; round: number; missing: number }
  | { kind: 'gave-up'; round: number; failed: number }
  | { kind: 'stale' }
  | { kind: 'written'; total: number };

/** The round's part summaries, in order. */
function readParts(
  storage: Storage,
  loc: BatchLocation,
  job: FinalizeAssembleJob,
): Promise<PartSummary[]> {
  const indexes = Array.from({ length: job.parts }, (_, i) => i);
  return pMap(
    indexes,
    async (i) => {
      const key = finalizePartKeys(loc.destPrefix, loc.batchId, job.round, i).summary;
      return (await storage.getJson(loc.destBucket, key)) as PartSummary;
    },
    { concurrency: 16 },
  );
}

/** The sources the parts found without a record, in key order. */
async function* missingSources(
  storage: Storage,
  loc: BatchLocation,
  job: FinalizeAssembleJob,
  parts: PartSummary[],
) {
  for (const p of parts) {
    if (p.missing === 0) continue;
    const key = finalizePartKeys(loc.destPrefix, loc.batchId, job.round, p.index).missing;
    for await (const line of storage.readLines(loc.destBucket, key)) {
      if (line !== '') yield JSON.parse(line) as { key: string; size: number };
    }
  }
}

/** Joins or re-queues round `job.round`; a job of another round does nothing. */
export async function assembleBatch(
  job: FinalizeAssembleJob,
  batch: BatchFile,
  loc: BatchLocation,
  ctx: FinalizeContext,
): Promise<AssembleResult> {
  const log = ctx.logger.child({ batchId: job.batchId, stage: 'finalize', round: job.round });
  if ((await ctx.tracker.round(job.batchId)) !== job.round) return { kind: 'stale' };
  const parts = await readParts(ctx.storage, loc, job);
  const missing = parts.reduce((n, p) => n + p.missing, 0);
  if (missing > 0) return requeue(job, batch, loc, parts, missing, ctx, log);

  const files = batchFileKeys(loc.destPrefix, loc.batchId);
  const join = (kind: 'jsonl' | 'csv' | 'sha256', key: string, contentType: string) =>
    concatObjects(
      ctx.storage,
      loc.destBucket,
      parts.map((p) => ({
        key: finalizePartKeys(loc.destPrefix, loc.batchId, job.round, p.index)[kind],
        size: p.bytes[kind],
      })),
      key,
      {
        contentType,
        ...(ctx.minPartBytes === undefined ? {} : { minPartBytes: ctx.minPartBytes }),
      },
    );
  const joined = [
    await join('jsonl', files.manifestJsonl, 'application/x-ndjson'),
    await join('csv', files.manifestCsv, 'text/csv; charset=utf-8'),
    await join('sha256', files.manifestSha256, 'text/plain; charset=utf-8'),
  ];
  const builder = new SummaryBuilder();
  for (const p of parts) builder.merge(p.state);
  const deleted = parts.reduce((n, p) => n + p.sourceDeleted, 0);
  if (deleted > 0) {
    log.warn(
      { sourceDeleted: deleted },
      `${deleted} row${deleted === 1 ? "'s source was" : "s' sources were"} deleted before the finalize: kept in the manifest with sourceDeleted true`,
    );
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
  // last: its presence means the batch is done
  await ctx.storage.putJson(loc.destBucket, files.summary, summary);
  await ctx.tracker.clear(job.batchId);
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

async function requeue(
  job: FinalizeAssembleJob,
  batch: BatchFile,
  loc: BatchLocation,
  parts: PartSummary[],
  missing: number,
  ctx: FinalizeContext,
  log: Logger,
): Promise<AssembleResult> {
  const maxRounds = ctx.maxRounds ?? 3;
  const data = { batchId: job.batchId, source: job.source, dest: job.dest };
  if (job.round >= maxRounds) {
    let failed = 0;
    for await (const source of missingSources(ctx.storage, loc, job, parts)) {
      const outcome = failedOutcome(
        { key: source.key, originalBytes: source.size },
        `no result after ${maxRounds + 1} round${maxRounds === 0 ? '' : 's'} of attempts (the job kept failing on transient errors or was lost)`,
      );
      const recordKey = recordKeyOf(source.key, loc.sourcePrefix, loc.destPrefix, loc.batchId);
      // a job that finished late keeps its real record
      const row = { ...outcome.row, ms: 0 };
      if (await writeRecordIfAbsent(ctx.storage, loc.destBucket, recordKey, row)) failed++;
    }
    log.warn({ failed, missing }, 'gave up on sources without a record');
    // every source has a record now: the next round writes the manifest
    const next = await ctx.tracker.advanceRound(job.batchId, job.round);
    if (next === undefined) return { kind: 'stale' };
    await scheduleFinalize(ctx.queue, ctx.tracker, data);
    return { kind: 'gave-up', round: next, failed };
  }
  const next = await ctx.tracker.advanceRound(job.batchId, job.round);
  if (next === undefined) return { kind: 'stale' };
  await ctx.tracker.unmarkListed(job.batchId);
  const queued = await enqueueSources(missingSources(ctx.storage, loc, job, parts), {
    queue: ctx.queue,
    tracker: ctx.tracker,
    template: { ...data, ...batch.options },
    jobId: (key) => roundJobId(job.batchId, key, next),
  });
  await ctx.tracker.markListed(job.batchId);
  if (await ctx.tracker.drained(job.batchId)) await scheduleFinalize(ctx.queue, ctx.tracker, data);
  log.info({ round: next, queued, missing }, 're-queued sources without a record');
  return { kind: 'requeued', round: next, missing: queued };
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
  } catch (err) {
    log.warn(
      { err: (err as Error).message },
      'could not remove the finalize parts (harmless; delete _kpress/<batch>/finalize/ by hand)',
    );
  }
}
