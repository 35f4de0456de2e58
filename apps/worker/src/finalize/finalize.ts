/**
 * A batch's finalize, in three kinds of job so that it scales out and cannot
 * be lost:
 *
 * 1. `finalize` (this file): moves its round from waiting to parts (one
 *    compare-and-set that also checks the batch is drained) and queues one
 *    `finalize-part` per key range (listing.json's boundaries); when the
 *    round is already past waiting it queues what that stage needs again
 *    (the parts still out, or the assemble), so that a lost job is only ever
 *    a delay;
 * 2. `finalize-part` (part.ts), on any worker: one range's rows;
 * 3. `finalize-assemble` (assemble.ts), after the round's last part:
 *    joins the parts, or queues the sources that had no record again.
 *
 * The stages and their transitions: finalize/transitions.ts (@kpress/queue)
 * and docs/design.md. Every step is idempotent and retried with capped
 * backoff without end (FINALIZE_JOB_OPTIONS); each reads its work from S3
 * (listing.json, the parts' files), never from its job's data beyond the
 * batch and round.
 */
import { faultPoint } from '@kpress/config';
import {
  type FinalizeAssembleJob,
  type FinalizeJob,
  type FinalizePartJob,
  scheduleAssemble,
  scheduleParts,
} from '@kpress/queue';
import { type BatchLocation, batchFileKeys, batchLocation, parseBatchFile } from '@kpress/storage';
import { type AssembleResult, assembleBatch } from './assemble.js';
import type { FinalizeContext } from './context.js';
import { type ListingFacts, readListing } from './listing.js';
import { writeFinalizePart } from './part.js';

export type { FinalizeContext } from './context.js';

export type FinalizeResult =
  | { kind: 'already-done' }
  | { kind: 'cancelled' }
  | { kind: 'stale'; round: number; current: number }
  | { kind: 'early'; pending: number }
  | { kind: 'under-way'; parts: number }
  | { kind: 'dispatched'; round: number; parts: number };

type Point = 'finalize' | 'part' | 'assemble';

/** Whether summary.json exists; a finished batch's Redis keys are cleared on the way (idempotent). */
async function finished(ctx: FinalizeContext, loc: BatchLocation, step: Point): Promise<boolean> {
  const done = await ctx.storage.exists(
    loc.destBucket,
    batchFileKeys(loc.destPrefix, loc.batchId).summary,
  );
  faultPoint(`${step}.summary-head`, loc.batchId);
  if (done) await ctx.tracker.clear(loc.batchId);
  return done;
}

async function cancelled(ctx: FinalizeContext, batchId: string, step: Point): Promise<boolean> {
  const at = await ctx.tracker.cancelled(batchId);
  faultPoint(`${step}.cancelled-get`, batchId);
  return at !== undefined;
}

/**
 * The part jobs of `indexes` of the batch's round, with listing.json's ranges
 * for information (a part reads its range itself). An index past the ranges
 * (listing.json rewritten with fewer) still gets its job: the part writes
 * nothing and settles, so the round is never left waiting for it.
 */
function partJobs(
  data: FinalizeJob,
  round: number,
  listing: ListingFacts,
  indexes: readonly number[],
): FinalizePartJob[] {
  return indexes.map((index) => {
    const r = listing.ranges[index] ?? { after: null, upTo: null };
    return {
      batchId: data.batchId,
      source: data.source,
      dest: data.dest,
      round,
      index,
      parts: Math.max(listing.ranges.length, index + 1),
      after: r.after,
      upTo: r.upTo,
      ...(listing.keyList ? { keyList: true } : {}),
    };
  });
}

/** Step 1: waiting -> parts, then the part jobs; or what the round's stage needs again. */
export async function finalizeBatch(
  data: FinalizeJob,
  ctx: FinalizeContext,
): Promise<FinalizeResult> {
  const log = ctx.logger.child({ batchId: data.batchId, stage: 'finalize' });
  const loc = batchLocation(data);
  if (await finished(ctx, loc, 'finalize')) {
    log.info('summary.json exists: batch already finalized');
    return { kind: 'already-done' };
  }
  if (await cancelled(ctx, data.batchId, 'finalize')) {
    log.info('the batch is cancelled: no finalize');
    return { kind: 'cancelled' };
  }
  const state = await ctx.tracker.finalizeState(data.batchId);
  faultPoint('finalize.state-get', data.batchId);
  const round = state.round;
  if (data.round !== undefined && data.round !== round) {
    log.info({ round: data.round, current: round }, 'finalize of an earlier round: nothing to do');
    return { kind: 'stale', round: data.round, current: round };
  }
  const listing = await readListing(ctx.storage, loc, 'finalize.listing-get');
  let stage: string = state.stage;
  if (stage === 'waiting') {
    stage = await ctx.tracker.beginParts(data.batchId, round, listing.ranges.length);
    faultPoint('finalize.begin-parts', data.batchId);
    if (stage === 'early') {
      const pending = await ctx.tracker.pending(data.batchId);
      log.info(
        { pending },
        'finalize before the batch is drained: nothing to do (its last job schedules it)',
      );
      return { kind: 'early', pending };
    }
    if (stage === 'cancelled') return { kind: 'cancelled' };
    if (stage === 'stale')
      return { kind: 'stale', round, current: await ctx.tracker.round(data.batchId) };
    if (stage === 'begun') {
      const all = listing.ranges.map((_, i) => i);
      await scheduleParts(ctx.queue, partJobs(data, round, listing, all));
      faultPoint('finalize.parts-add', data.batchId);
      log.info({ round, parts: all.length }, 'finalize: parts queued');
      return { kind: 'dispatched', round, parts: all.length };
    }
  }
  return redrive(data, round, stage, listing, ctx);
}

/** The round is past waiting: queue its parts still out, or its assemble, again (fixed job ids: no duplicates). */
async function redrive(
  data: FinalizeJob,
  round: number,
  stage: string,
  listing: ListingFacts,
  ctx: FinalizeContext,
): Promise<FinalizeResult> {
  const log = ctx.logger.child({ batchId: data.batchId, stage: 'finalize', round });
  if (stage === 'parts') {
    const left = await ctx.tracker.partsLeft(data.batchId, round);
    if (left.length === 0) {
      // parts with no part left in Redis (the set lost): the assemble checks the parts in S3
      // and writes again those missing (assemble -> parts), else joins
      if ((await ctx.tracker.partsEmpty(data.batchId, round)) === 'assemble') {
        await scheduleAssemble(ctx.queue, assembleData(data, round));
        log.warn('stage parts with no part left in Redis: its assemble is queued to check them');
        return { kind: 'under-way', parts: 0 };
      }
      return { kind: 'stale', round, current: await ctx.tracker.round(data.batchId) };
    }
    await scheduleParts(ctx.queue, partJobs(data, round, listing, left));
    faultPoint('finalize.parts-add', data.batchId);
    log.info({ parts: left.length }, 'finalize under way: its parts still out are queued');
    return { kind: 'under-way', parts: left.length };
  }
  await scheduleAssemble(ctx.queue, { ...assembleData(data, round) });
  log.info({ finalizeStage: stage }, 'finalize under way: its assemble is queued');
  return { kind: 'under-way', parts: 0 };
}

function assembleData(data: Omit<FinalizeJob, 'round'>, round: number): FinalizeAssembleJob {
  return { batchId: data.batchId, source: data.source, dest: data.dest, round };
}

/** Step 2: one range; queues the assemble after the round's last part. */
export async function finalizePart(
  data: FinalizePartJob,
  ctx: FinalizeContext,
): Promise<{ kind: 'already-done' | 'cancelled' | 'stale' | 'written'; rows?: number }> {
  const loc = batchLocation(data);
  if (await finished(ctx, loc, 'part')) return { kind: 'already-done' };
  if (await cancelled(ctx, data.batchId, 'part')) return { kind: 'cancelled' };
  const left = await ctx.tracker.partsLeft(data.batchId, data.round);
  faultPoint('part.state-get', data.batchId);
  let rows: number | undefined;
  if (left.includes(data.index)) {
    const listing = await readListing(ctx.storage, loc, 'part.listing-get');
    const range = listing.ranges[data.index];
    // a listing rewritten since with fewer ranges: nothing to write; the assemble sees the new listing
    if (range !== undefined) {
      const job = { ...data, ...range, keyList: listing.keyList };
      rows = (await writeFinalizePart(job, loc, listing.etag, ctx)).rows;
    }
  }
  const next = await ctx.tracker.settlePart(data.batchId, data.round, data.index);
  faultPoint('part.settle', data.batchId);
  if (next === 'stale') return { kind: 'stale' };
  if (next === 'assemble') {
    await scheduleAssemble(ctx.queue, assembleData(data, data.round));
    faultPoint('part.assemble-add', data.batchId);
  }
  return rows === undefined ? { kind: 'written' } : { kind: 'written', rows };
}

/** Step 3: joins the round's parts, or queues their missing sources again. */
export async function finalizeAssemble(
  data: FinalizeAssembleJob,
  ctx: FinalizeContext,
): Promise<AssembleResult | { kind: 'already-done' } | { kind: 'cancelled' }> {
  const loc = batchLocation(data);
  if (await finished(ctx, loc, 'assemble')) return { kind: 'already-done' };
  const state = await ctx.tracker.finalizeState(data.batchId);
  faultPoint('assemble.state-get', data.batchId);
  // a committed round (done) is finished whatever a later cancel says: no source may join it
  if (state.stage !== 'done' && (await cancelled(ctx, data.batchId, 'assemble')))
    return { kind: 'cancelled' };
  const live = state.stage === 'assemble' || state.stage === 'requeue' || state.stage === 'done';
  if (state.round !== data.round || !live) return { kind: 'stale' };
  const files = batchFileKeys(loc.destPrefix, loc.batchId);
  const batch = parseBatchFile(
    await ctx.storage.getJson(loc.destBucket, files.batch),
    `s3://${loc.destBucket}/${files.batch}`,
  );
  faultPoint('assemble.batch-get', data.batchId);
  return assembleBatch(data, state.stage, batch, loc, ctx);
}
