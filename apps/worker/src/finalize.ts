/**
 * A batch's finalize, in three kinds of job so that it scales out and cannot
 * be lost:
 *
 * 1. `finalize` (this file): checks that its round is the batch's current one
 *    and that the batch is drained (a stale or early finalize does nothing),
 *    then queues one `finalize-part` per key range (listing.json's
 *    boundaries);
 * 2. `finalize-part` (finalize-part.ts), on any worker: one range's rows;
 * 3. `finalize-assemble` (finalize-assemble.ts), after the round's last part:
 *    joins the parts, or queues the sources that had no record again.
 *
 * Every step is idempotent and retried with capped backoff without end
 * (FINALIZE_JOB_OPTIONS); rounds advance by compare-and-set.
 */
import {
  type FinalizeAssembleJob,
  type FinalizeJob,
  type FinalizePartJob,
  scheduleAssemble,
  scheduleParts,
} from '@kpress/queue';
import {
  type BatchLocation,
  batchFileKeys,
  batchLocation,
  ListingFileSchema,
  parseBatchFile,
  rangesFrom,
  StorageError,
} from '@kpress/storage';
import { type AssembleResult, assembleBatch } from './finalize-assemble.js';
import type { FinalizeContext } from './finalize-context.js';
import { writeFinalizePart } from './finalize-part.js';

export type { FinalizeContext } from './finalize-context.js';

export type FinalizeResult =
  | { kind: 'already-done' }
  | { kind: 'stale'; round: number; current: number }
  | { kind: 'early'; pending: number }
  | { kind: 'under-way'; parts: number }
  | { kind: 'dispatched'; round: number; parts: number };

function summaryExists(ctx: FinalizeContext, loc: BatchLocation): Promise<boolean> {
  return ctx.storage.exists(loc.destBucket, batchFileKeys(loc.destPrefix, loc.batchId).summary);
}

/** Range boundaries recorded by the listing (none, one range, for batches from before them), and whether the batch is a key list. */
async function listingFacts(
  ctx: FinalizeContext,
  loc: BatchLocation,
): Promise<{ boundaries: string[]; keyList: boolean }> {
  const key = batchFileKeys(loc.destPrefix, loc.batchId).listing;
  try {
    const l = ListingFileSchema.parse(await ctx.storage.getJson(loc.destBucket, key));
    return { boundaries: l.rangeBoundaries ?? [], keyList: l.keyList !== undefined };
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchKey')
      return { boundaries: [], keyList: false };
    throw err;
  }
}

/** Step 1: checks, then one part job per key range. */
export async function finalizeBatch(
  data: FinalizeJob,
  ctx: FinalizeContext,
): Promise<FinalizeResult> {
  const log = ctx.logger.child({ batchId: data.batchId, stage: 'finalize' });
  const loc = batchLocation(data);
  if (await summaryExists(ctx, loc)) {
    log.info('summary.json exists: batch already finalized');
    return { kind: 'already-done' };
  }
  const round = await ctx.tracker.round(data.batchId);
  if (data.round !== undefined && data.round !== round) {
    log.info({ round: data.round, current: round }, 'finalize of an earlier round: nothing to do');
    return { kind: 'stale', round: data.round, current: round };
  }
  if (!(await ctx.tracker.drained(data.batchId))) {
    const pending = await ctx.tracker.pending(data.batchId);
    log.info(
      { pending },
      'finalize before the batch is drained: nothing to do (its last job schedules it)',
    );
    return { kind: 'early', pending };
  }
  const out = await ctx.tracker.partsPending(data.batchId);
  if (out > 0) {
    log.info({ parts: out }, 'a finalize of this round is under way: nothing to do');
    return { kind: 'under-way', parts: out };
  }
  const facts = await listingFacts(ctx, loc);
  const ranges = rangesFrom(facts.boundaries);
  await ctx.tracker.startParts(data.batchId, round, ranges.length);
  await scheduleParts(
    ctx.queue,
    ranges.map((r, index) => ({
      batchId: data.batchId,
      source: data.source,
      dest: data.dest,
      round,
      index,
      parts: ranges.length,
      after: r.after,
      upTo: r.upTo,
      ...(facts.keyList ? { keyList: true } : {}),
    })),
  );
  log.info({ round, parts: ranges.length }, 'finalize: parts queued');
  return { kind: 'dispatched', round, parts: ranges.length };
}

/** Step 2: one range; queues the assemble after the round's last part. */
export async function finalizePart(
  data: FinalizePartJob,
  ctx: FinalizeContext,
): Promise<{ kind: 'already-done' | 'stale' | 'written'; rows?: number }> {
  const loc = batchLocation(data);
  if (await summaryExists(ctx, loc)) return { kind: 'already-done' };
  if ((await ctx.tracker.round(data.batchId)) !== data.round) return { kind: 'stale' };
  const part = await writeFinalizePart(data, loc, ctx);
  if (await ctx.tracker.settlePart(data.batchId, data.round, data.index)) {
    const job: FinalizeAssembleJob = {
      batchId: data.batchId,
      source: data.source,
      dest: data.dest,
      round: data.round,
      parts: data.parts,
    };
    await scheduleAssemble(ctx.queue, job);
  }
  return { kind: 'written', rows: part.rows };
}

/** Step 3: joins the round's parts, or queues their missing sources again. */
export async function finalizeAssemble(
  data: FinalizeAssembleJob,
  ctx: FinalizeContext,
): Promise<AssembleResult | { kind: 'already-done' }> {
  const loc = batchLocation(data);
  if (await summaryExists(ctx, loc)) return { kind: 'already-done' };
  const files = batchFileKeys(loc.destPrefix, loc.batchId);
  const batch = parseBatchFile(
    await ctx.storage.getJson(loc.destBucket, files.batch),
    `s3://${loc.destBucket}/${files.batch}`,
  );
  return assembleBatch(data, batch, loc, ctx);
}
