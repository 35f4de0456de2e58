/**
 * Notices a batch whose finalize has no live job behind it and re-drives it.
 * Per finalize stage (transitions.ts), "no live job" is:
 *
 * - waiting: the batch is drained, and no finalize job of its round exists
 *   (a Redis that dropped it, a `settle` that failed, a process killed
 *   between the last record and the schedule);
 * - parts: a part still out has no job (queued, running or retrying), and no
 *   finalize job exists (a dispatch that failed half-way, a lost part job);
 * - assemble, requeue: no assemble job and no finalize job.
 *
 * It then schedules the round's finalize job, which queues whatever the
 * stage needs (finalize.ts in the worker). `enqueue --wait` looks on every
 * poll, and every worker looks at every registered batch now and then
 * (BatchWatch); it acts only after two looks in a row saw the same stuck
 * state, so that the short gaps between a step's calls are not mistaken for
 * a lost job (a finalize scheduled anyway does nothing harmful).
 *
 * Pending ids whose job is over without having settled are pruned, but only
 * after two looks in a row found them over: an id is marked pending before
 * its job is added, and a look landing in between must not count it as done.
 */
import type { Logger, Redis } from '@kpress/config';
import type { BatchTracker, FinalizeState } from '../batch-tracker.js';
import type { KpressQueue } from '../create-queue.js';
import { scheduleFinalize } from './schedule.js';
import { JOBS_OVER_CHUNK, jobsOver } from '../finished-jobs.js';
import { assembleJobId, finalizeJobId, finalizePartJobId } from '../job-ids.js';

/** Most over-but-pending ids remembered between two looks; more are pruned at later looks. */
const MAX_REMEMBERED = 100_000;

/** What the watchdog watches and how it reaches it. */
export interface FinalizeWatchdogOptions {
  queue: KpressQueue;
  tracker: BatchTracker;
  redis: Redis;
  data: { batchId: string; source: string; dest: string };
  logger: Logger;
}

/** The watchdog of one batch. Call `look()` now and then, while its summary.json is absent. */
export class FinalizeWatchdog {
  /** The stuck state the last look saw (`<round>:<stage>`), or undefined. */
  private suspect: string | undefined;
  /** Pending ids the last look found over. */
  private overBefore = new Set<string>();
  /** Finalizes it scheduled. */
  scheduled = 0;

  constructor(private readonly options: FinalizeWatchdogOptions) {}

  /** One look: 'scheduled' when it queued a finalize, else 'ok'. */
  async look(): Promise<'ok' | 'scheduled'> {
    const { queue, tracker, data } = this.options;
    const id = data.batchId;
    // a cancelled batch keeps its pending ids (no record yet) for the resuming enqueue
    if ((await tracker.cancelled(id)) !== undefined) {
      this.suspect = undefined;
      return 'ok';
    }
    await this.prune();
    const state = await tracker.finalizeState(id);
    const stuck = (await this.stuck(state)) ? `${state.round}:${state.stage}` : undefined;
    if (stuck === undefined || stuck !== this.suspect) {
      this.suspect = stuck;
      return 'ok';
    }
    this.suspect = undefined;
    const jobId = await scheduleFinalize(queue, tracker, data);
    this.scheduled++;
    this.options.logger.warn(
      { batchId: id, round: state.round, finalizeStage: state.stage, jobId },
      state.stage === 'waiting'
        ? 'the batch is drained but no finalize is running and it has no summary: scheduled one'
        : `the batch's finalize is in stage ${state.stage} with no job behind it: scheduled a finalize to drive it on`,
    );
    return 'scheduled';
  }

  /** Drops pending ids found over at this look and the one before. */
  private async prune(): Promise<void> {
    const { queue, tracker, redis, data } = this.options;
    const overNow = new Set<string>();
    await tracker.prune(data.batchId, async (ids) => {
      const over = await jobsOver(redis, queue, ids);
      return over.map((o, i) => {
        const jobId = ids[i] as string;
        if (o && overNow.size < MAX_REMEMBERED) overNow.add(jobId);
        return o && this.overBefore.has(jobId);
      });
    });
    this.overBefore = overNow;
  }

  /** Whether nothing live drives the batch's finalize on from `state`. */
  private async stuck(state: FinalizeState): Promise<boolean> {
    const { queue, tracker, redis, data } = this.options;
    const id = data.batchId;
    if ((await queue.getJob(finalizeJobId(id, state.round))) !== undefined) return false;
    if (state.stage === 'waiting') return tracker.drained(id);
    if (state.stage === 'parts') {
      const left = await tracker.partsLeft(id, state.round);
      // no part left but still in stage parts (the set lost): nothing will ever settle it
      if (left.length === 0) return true;
      const ids = left.map((i) => finalizePartJobId(id, state.round, i));
      // a chunk at a time: the first part without a live job settles it
      for (let i = 0; i < ids.length; i += JOBS_OVER_CHUNK) {
        const over = await jobsOver(redis, queue, ids.slice(i, i + JOBS_OVER_CHUNK));
        if (over.some((o) => o)) return true;
      }
      return false;
    }
    return (await queue.getJob(assembleJobId(id, state.round))) === undefined;
  }
}
