import type { BatchTracker } from '../batch-tracker.js';
import type { KpressQueue } from '../create-queue.js';
import { assembleJobId, finalizeJobId, finalizePartJobId, jobIdFor } from '../job-ids.js';
import {
  type FinalizeAssembleJob,
  type FinalizeJob,
  type FinalizePartJob,
  JOB_NAMES,
} from '../job-schemas.js';

/** The backoff type of finalize jobs; the worker's `backoffStrategy` computes it (finalizeBackoffMs). */
export const FINALIZE_BACKOFF = 'kpress-finalize';

/**
 * Waits before finalize attempt `attemptsMade + 1`: `baseMs` doubling, capped
 * at `maxMs` (defaults 2 s and 5 minutes: KPRESS_FINALIZE_BACKOFF_MS / _MAX_MS).
 */
export function finalizeBackoffMs(
  attemptsMade: number,
  backoff: { baseMs: number; maxMs: number } = { baseMs: 2000, maxMs: 300_000 },
): number {
  return Math.min(backoff.baseMs * 2 ** Math.min(30, Math.max(0, attemptsMade - 1)), backoff.maxMs);
}

/**
 * Options of the finalize, part and assemble jobs: they never give up for
 * good (a million attempts, at most 5 minutes apart: years), since a batch
 * without its finalize has no manifest; each failure is logged and counted.
 * Removed when they end, so that the same fixed id can be queued again.
 */
export const FINALIZE_JOB_OPTIONS = {
  attempts: 1_000_000,
  backoff: { type: FINALIZE_BACKOFF },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

/**
 * Adds the finalize job of the batch's current round (a fixed id per round, so
 * that it is queued once), with the round in its data: a finalize of an
 * earlier round does nothing. A finalize that runs again after a finished
 * batch finds summary.json and does nothing.
 */
export async function scheduleFinalize(
  queue: KpressQueue,
  tracker: BatchTracker,
  data: Omit<FinalizeJob, 'round'>,
): Promise<string> {
  const round = await tracker.round(data.batchId);
  const jobId = finalizeJobId(data.batchId, round);
  await queue.add(
    JOB_NAMES.finalize,
    { batchId: data.batchId, source: data.source, dest: data.dest, round },
    { jobId, ...FINALIZE_JOB_OPTIONS },
  );
  return jobId;
}

/** Adds a round's part jobs (fixed ids: a second coordinator adds nothing twice while they exist). */
export async function scheduleParts(
  queue: KpressQueue,
  parts: readonly FinalizePartJob[],
): Promise<void> {
  for (let i = 0; i < parts.length; i += 1000) {
    await queue.addBulk(
      parts.slice(i, i + 1000).map((data) => ({
        name: JOB_NAMES.finalizePart,
        data,
        opts: {
          jobId: finalizePartJobId(data.batchId, data.round, data.index),
          ...FINALIZE_JOB_OPTIONS,
        },
      })),
    );
  }
}

/** Adds a round's assemble job (after its last part). */
export async function scheduleAssemble(
  queue: KpressQueue,
  data: FinalizeAssembleJob,
): Promise<string> {
  const jobId = assembleJobId(data.batchId, data.round);
  await queue.add(JOB_NAMES.finalizeAssemble, data, { jobId, ...FINALIZE_JOB_OPTIONS });
  return jobId;
}

/** The job id of `key` in a finalize round: round 0 is the producer's id. */
export function roundJobId(batchId: string, key: string, round: number): string {
  const base = jobIdFor(batchId, key);
  return round === 0 ? base : `${base}.r${round}`;
}
