/**
 * The worker's watch over the batches under way: every `intervalMs` it looks
 * at each batch of the queue's registry (BatchTracker.register, written by
 * enqueue) with a FinalizeWatchdog, so that a batch whose finalize was lost
 * gets one even when no `enqueue --wait` is watching. A batch whose
 * summary.json exists is left to its finalize (which clears the entry).
 * Every worker watches; the finalize's job id makes their schedules one.
 */
import type { Logger, Redis } from '@kpress/config';
import {
  type BatchTracker,
  FinalizeWatchdog,
  type KpressQueue,
  type RegisteredBatch,
} from '@kpress/queue';
import { batchFileKeys, batchLocation, type Storage } from '@kpress/storage';

/** Options of `BatchWatch`. */
export interface BatchWatchOptions {
  queue: KpressQueue;
  tracker: BatchTracker;
  redis: Redis;
  storage: Storage;
  logger: Logger;
  /** Time between looks, ms (the worker uses KPRESS_STALLED_INTERVAL_MS). */
  intervalMs: number;
}

export class BatchWatch {
  private readonly dogs = new Map<string, FinalizeWatchdog>();
  private timer: NodeJS.Timeout | undefined;
  private looking: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: BatchWatchOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 1) {
      throw new RangeError(
        `intervalMs must be a whole number of ms >= 1, got ${options.intervalMs}`,
      );
    }
  }

  /** Looks every `intervalMs` until `close()`. */
  start(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => {
      this.looking ??= this.lookAll().finally(() => {
        this.looking = undefined;
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One look at every registered batch; a failure is logged and the next look tries again. */
  async lookAll(): Promise<void> {
    const { tracker, logger } = this.options;
    let batches: RegisteredBatch[];
    try {
      batches = await tracker.registered();
    } catch (err) {
      logger.debug({ err: (err as Error).message, stage: 'batch-watch' }, 'batch watch: no look');
      return;
    }
    const live = new Set(batches.map((b) => b.batchId));
    for (const id of this.dogs.keys()) if (!live.has(id)) this.dogs.delete(id);
    for (const batch of batches) {
      if (this.closed) return;
      try {
        await this.look(batch);
      } catch (err) {
        logger.warn(
          { batchId: batch.batchId, err: (err as Error).message, stage: 'batch-watch' },
          'batch watch: could not look at the batch; trying again at the next look',
        );
      }
    }
  }

  private async look(batch: RegisteredBatch): Promise<void> {
    const loc = batchLocation(batch);
    const summary = batchFileKeys(loc.destPrefix, loc.batchId).summary;
    if (await this.options.storage.exists(loc.destBucket, summary)) {
      this.dogs.delete(batch.batchId);
      return;
    }
    let dog = this.dogs.get(batch.batchId);
    if (dog === undefined) {
      dog = new FinalizeWatchdog({
        queue: this.options.queue,
        tracker: this.options.tracker,
        redis: this.options.redis,
        data: { batchId: batch.batchId, source: batch.source, dest: batch.dest },
        logger: this.options.logger,
      });
      this.dogs.set(batch.batchId, dog);
    }
    await dog.look();
  }

  /** Stops looking; waits for a look under way. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.looking;
  }
}
