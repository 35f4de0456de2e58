import type { BatchTracker } from './batch-tracker.js';
import type { KpressQueue } from './create-queue.js';
import { finalizeJobId, jobIdFor } from './job-ids.js';
import { type FinalizeJob, JOB_NAMES } from './job-schemas.js';

/**
 * Adds the finalize job of the batch's current round (a fixed id per round, so
 * that it is queued once). It is removed as soon as it ends, so that a later
 * rerun of the batch can schedule it again; a finalize that runs again after a
 * finished batch finds summary.json and does nothing.
 */
export async function scheduleFinalize(
  queue: KpressQueue,
  tracker: BatchTracker,
  data: FinalizeJob,
): Promise<string> {
  const jobId = finalizeJobId(data.batchId, await tracker.round(data.batchId));
  await queue.add(JOB_NAMES.finalize, data, {
    jobId,
    removeOnComplete: true,
    removeOnFail: true,
  });
  return jobId;
}

/** The job id of `key` in a finalize round: round 0 is the producer's id. */
export function roundJobId(batchId: string, key: string, round: number): string {
  const base = jobIdFor(batchId, key);
  return round === 0 ? base : `${base}.r${round}`;
}
