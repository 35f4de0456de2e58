/**
 * Notices a batch that is drained but has no finalize running and no
 * summary (its finalize job was lost: a Redis that dropped it, a `settle`
 * that failed, a process killed between the last record and the schedule)
 * and schedules one. `enqueue --wait` looks on every poll, and every worker
 * looks at every registered batch now and then (BatchWatch); a finalize is
 * scheduled only after two looks in a row saw the same, so that the short
 * gap between a round's last part and its assemble is not mistaken for a
 * lost finalize (a finalize scheduled anyway does nothing harmful: it
 * checks its round, the drain and the parts in flight).
 */
import type { Logger, Redis } from '@kpress/config';
import type { BatchTracker } from './batch-tracker.js';
import type { KpressQueue } from './create-queue.js';
import { scheduleFinalize } from './finalize-schedule.js';
import { jobsOver } from './finished-jobs.js';
import { assembleJobId, finalizeJobId } from './job-ids.js';

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
  private suspect = false;
  /** Finalizes it scheduled. */
  scheduled = 0;

  constructor(private readonly options: FinalizeWatchdogOptions) {}

  /** One look: 'scheduled' when it queued a finalize, else 'ok'. */
  async look(): Promise<'ok' | 'scheduled'> {
    const { queue, tracker, redis, data } = this.options;
    const id = data.batchId;
    // a cancelled batch keeps its pending ids (no record yet) for the resuming enqueue
    if ((await tracker.cancelled(id)) !== undefined) {
      this.suspect = false;
      return 'ok';
    }
    // pending ids whose job is over without having settled (a failed settle) would block the drain
    await tracker.prune(id, (ids) => jobsOver(redis, queue, ids));
    const round = await tracker.round(id);
    const lost =
      (await tracker.drained(id)) &&
      (await tracker.partsPending(id)) === 0 &&
      (await queue.getJob(finalizeJobId(id, round))) === undefined &&
      (await queue.getJob(assembleJobId(id, round))) === undefined;
    if (!lost) {
      this.suspect = false;
      return 'ok';
    }
    if (!this.suspect) {
      this.suspect = true;
      return 'ok';
    }
    this.suspect = false;
    const jobId = await scheduleFinalize(queue, tracker, data);
    this.scheduled++;
    this.options.logger.warn(
      { batchId: id, round, jobId },
      'the batch is drained but no finalize is running and it has no summary: scheduled one',
    );
    return 'scheduled';
  }
}
