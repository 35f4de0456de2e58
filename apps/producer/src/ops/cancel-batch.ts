import { type BatchTracker, finalizeJobId, type KpressQueue } from '@kpress/queue';

/** What {@link cancelBatch} did. */
export interface CancelResult {
  batchId: string;
  /** Queued jobs taken out of the queue. */
  removed: number;
  /** Jobs workers held: they finish and write their records; nothing follows them. */
  inHand: number;
}

/**
 * Cancels a batch: first marks it cancelled (so no finalize starts and the
 * workers' watch leaves it), then removes its queued jobs, reading the pending
 * set a page at a time (the ids stay in it: they have no record yet, and the
 * resuming enqueue queues them again). Jobs in hand finish (BullMQ does not remove a locked
 * job) and keep their records. Nothing in S3 is touched, so `enqueue` with
 * the batch's arguments resumes it: sources with a record are skipped.
 */
export async function cancelBatch(
  batchId: string,
  ctx: { queue: KpressQueue; tracker: BatchTracker },
): Promise<CancelResult> {
  await ctx.tracker.cancel(batchId);
  let removed = 0;
  let inHand = 0;
  for await (const ids of ctx.tracker.pendingIds(batchId)) {
    for (const id of ids) {
      // 1: removed; 0: locked by a worker (in hand) or already gone
      if ((await ctx.queue.remove(id)) === 1) removed++;
      else if ((await ctx.queue.getJobState(id)) === 'active') inHand++;
    }
  }
  const round = await ctx.tracker.round(batchId);
  await ctx.queue.remove(finalizeJobId(batchId, round));
  return { batchId, removed, inHand };
}
