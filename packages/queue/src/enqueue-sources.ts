/**
 * Queues compress jobs for a stream of source objects in chunks: the ids are
 * marked pending (BatchTracker) before the chunk is added, and BullMQ ignores a
 * job whose id already exists, so a rerun adds nothing twice.
 */
import type { BatchTracker } from './batch-tracker.js';
import type { KpressQueue } from './create-queue.js';
import { jobIdFor } from './job-ids.js';
import { type CompressJob, JOB_NAMES } from './job-schemas.js';

/** A listed source object (a `@kpress/storage` ObjectEntry fits). */
export interface SourceObject {
  key: string;
  size: number;
}

/** The job fields shared by every object of a batch. */
export type JobTemplate = Omit<CompressJob, 'key' | 'size'>;

export interface EnqueueSourcesOptions {
  queue: KpressQueue;
  tracker: BatchTracker;
  template: JobTemplate;
  /** Jobs per addBulk. Default 1000. */
  chunkSize?: number;
  /** Called before each chunk with its length; resolves when it may be added (backpressure). */
  beforeChunk?: (n: number) => Promise<void>;
  /** Called after each chunk with the totals so far. */
  onChunk?: (enqueued: number) => void;
  /**
   * Job ids to use for a key; default `jobIdFor(batchId, key)`. A finalize round
   * that re-queues a source passes its own, since the old id may still exist.
   */
  jobId?: (key: string) => string;
  /** Called after each Redis call of a chunk (the finalize's fault seam names them); default none. */
  afterCall?: (call: 'add-pending' | 'add-bulk') => void;
}

/** Queues one compress job per source; returns how many were queued. */
export async function enqueueSources(
  sources: AsyncIterable<SourceObject>,
  options: EnqueueSourcesOptions,
): Promise<number> {
  const chunkSize = options.chunkSize ?? 1000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${options.chunkSize}`);
  }
  const { batchId } = options.template;
  const idFor = options.jobId ?? ((key: string) => jobIdFor(batchId, key));
  let chunk: SourceObject[] = [];
  let enqueued = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await options.beforeChunk?.(chunk.length);
    const jobs = chunk.map((s) => ({
      name: JOB_NAMES.compress,
      data: { ...options.template, key: s.key, size: s.size } satisfies CompressJob,
      opts: { jobId: idFor(s.key) },
    }));
    await options.tracker.addPending(
      batchId,
      jobs.map((j) => j.opts.jobId),
    );
    options.afterCall?.('add-pending');
    await options.queue.addBulk(jobs);
    options.afterCall?.('add-bulk');
    enqueued += jobs.length;
    chunk = [];
    options.onChunk?.(enqueued);
  };
  for await (const source of sources) {
    chunk.push(source);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return enqueued;
}
