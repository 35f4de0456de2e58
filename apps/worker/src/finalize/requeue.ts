/**
 * The assemble's other ending: the round's parts found sources without a
 * record. Before the last round they are queued again under the next round
 * (assemble -> requeue -> waiting of round + 1); after it each gets a failed
 * record where none has appeared (assemble -> waiting of round + 1, whose
 * finalize then writes the manifest). Each transition is one compare-and-set
 * (BatchTracker); every step in between is idempotent (fixed job ids, a set
 * of pending ids, records written only if absent), so a retry or a
 * redelivered job after a failure anywhere redoes it and carries on.
 */
import { faultPoint, type Logger } from '@kpress/config';
import {
  enqueueSources,
  type FinalizeAssembleJob,
  type KpressQueue,
  roundJobId,
  scheduleFinalize,
} from '@kpress/queue';
import { type BatchFile, type BatchLocation, finalizePartKeys } from '@kpress/storage';
import type { AssembleResult } from './assemble.js';
import type { FinalizeContext } from './context.js';
import type { PartSummary } from './part.js';
import { failedOutcome } from '@kpress/compress';
import { recordKeyOf, writeRecordIfAbsent } from '../record.js';

/** Longest wait for room in the queue before a chunk is added anyway (a lone worker cannot drain it while it waits), ms. */
const ROOM_WAIT_MS = 60_000;

/** The sources the parts found without a record, in key order. */
async function* missingSources(
  ctx: FinalizeContext,
  loc: BatchLocation,
  round: number,
  parts: PartSummary[],
  point: 'requeue.missing-get' | 'give-up.missing-get',
) {
  let first = true;
  for (const p of parts) {
    if (p.missing === 0) continue;
    const key = finalizePartKeys(loc.destPrefix, loc.batchId, round, p.index, p.attempt).missing;
    for await (const line of ctx.storage.readLines(loc.destBucket, key)) {
      if (first) faultPoint(point, loc.batchId);
      first = false;
      if (line !== '') yield JSON.parse(line) as { key: string; size: number };
    }
  }
}

/** Waits until `n` more jobs fit under `maxWaiting` waiting ones (or the queue is empty, or ROOM_WAIT_MS passed). */
async function roomFor(queue: KpressQueue, n: number, maxWaiting: number): Promise<void> {
  const end = Date.now() + ROOM_WAIT_MS;
  for (;;) {
    const depth = await queue.getWaitingCount();
    if (depth === 0 || depth + n <= maxWaiting || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Re-queues (or, after the last round, fails) the sources the round's parts found without a record. */
export async function requeueMissing(
  job: FinalizeAssembleJob,
  batch: BatchFile,
  loc: BatchLocation,
  parts: PartSummary[],
  missing: number,
  ctx: FinalizeContext,
  log: Logger,
): Promise<AssembleResult> {
  const maxRounds = ctx.maxRounds ?? 3;
  if (job.round >= maxRounds) return giveUp(job, loc, parts, missing, maxRounds, ctx, log);
  const data = { batchId: job.batchId, source: job.source, dest: job.dest };
  const begun = await ctx.tracker.beginRequeue(job.batchId, job.round);
  faultPoint('requeue.begin', job.batchId);
  if (begun !== 'requeue') return { kind: begun === 'cancelled' ? 'cancelled' : 'stale' };
  const next = job.round + 1;
  const maxWaiting = ctx.maxWaiting;
  const queued = await enqueueSources(
    missingSources(ctx, loc, job.round, parts, 'requeue.missing-get'),
    {
      queue: ctx.queue,
      tracker: ctx.tracker,
      template: { ...data, options: batch.options },
      jobId: (key) => roundJobId(job.batchId, key, next),
      ...(maxWaiting === undefined ? {} : { chunkSize: Math.min(1000, maxWaiting) }),
      beforeChunk: async (n) => {
        if (maxWaiting !== undefined) await roomFor(ctx.queue, n, maxWaiting);
      },
      afterCall: (call) => faultPoint(`requeue.${call}`, job.batchId),
    },
  );
  const ended = await ctx.tracker.endRequeue(job.batchId, job.round);
  faultPoint('requeue.end', job.batchId);
  if (ended !== 'advanced') return { kind: ended === 'cancelled' ? 'cancelled' : 'stale' };
  // the next round's finalize, unconditionally: it waits (answers early) until the batch drains
  await scheduleFinalize(ctx.queue, ctx.tracker, data);
  faultPoint('requeue.finalize-add', job.batchId);
  log.info({ round: next, queued, missing }, 're-queued sources without a record');
  return { kind: 'requeued', round: next, missing: queued };
}

/** After the last round: a failed record for each source still without one, then the next round writes the manifest. */
async function giveUp(
  job: FinalizeAssembleJob,
  loc: BatchLocation,
  parts: PartSummary[],
  missing: number,
  maxRounds: number,
  ctx: FinalizeContext,
  log: Logger,
): Promise<AssembleResult> {
  let failed = 0;
  const sources = missingSources(ctx, loc, job.round, parts, 'give-up.missing-get');
  for await (const source of sources) {
    const outcome = failedOutcome(
      { key: source.key, originalBytes: source.size },
      `no result after ${maxRounds + 1} round${maxRounds === 0 ? '' : 's'} of attempts (the job kept failing on transient errors or was lost)`,
    );
    const recordKey = recordKeyOf(source.key, loc.sourcePrefix, loc.destPrefix, loc.batchId);
    // a job that finished late keeps its real record
    const row = { ...outcome.row, ms: 0 };
    if (await writeRecordIfAbsent(ctx.storage, loc.destBucket, recordKey, row)) failed++;
    faultPoint('give-up.record-put', job.batchId);
  }
  log.warn({ failed, missing }, 'gave up on sources without a record');
  // every source has a record now: the next round writes the manifest
  const ended = await ctx.tracker.endGiveUp(job.batchId, job.round);
  faultPoint('give-up.end', job.batchId);
  if (ended !== 'advanced') return { kind: ended === 'cancelled' ? 'cancelled' : 'stale' };
  await scheduleFinalize(ctx.queue, ctx.tracker, {
    batchId: job.batchId,
    source: job.source,
    dest: job.dest,
  });
  faultPoint('give-up.finalize-add', job.batchId);
  return { kind: 'gave-up', round: job.round + 1, failed };
}
