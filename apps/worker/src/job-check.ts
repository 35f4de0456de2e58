import { describeImageOptions, sameImageOptions } from '@kpress/core';
import {
  type CompressJob,
  carriesImageOptions,
  compressJobOptions,
  type FinalizeJob,
} from '@kpress/queue';
import {
  type BatchFile,
  batchFileKeys,
  formatS3Url,
  parseBatchFile,
  parseS3Url,
  prefixesOverlap,
  StorageError,
  type Storage,
} from '@kpress/storage';

/**
 * Why a job must not run, checked against its batch's `batch.json` (which
 * enqueue writes before any job): its source or destination overlap, or its
 * source, destination or options are not the batch's, or its key is not under
 * the batch's source. Undefined when the job is the batch's. Pure.
 *
 * A worker believes nothing in Redis that S3 does not confirm: anyone who can
 * write to Redis (a dashboard with actions, a script) could otherwise make it
 * write over the sources.
 */
export function jobMismatch(
  job: Pick<CompressJob, 'batchId' | 'source' | 'dest'> & Partial<Omit<CompressJob, 'size'>>,
  batch: BatchFile,
): string | undefined {
  const overlap = overlapProblem(job.source, job.dest);
  if (overlap !== undefined) return overlap;
  const src = parseS3Url(job.source);
  if (batch.batchId !== job.batchId) return `batch.json names batch ${batch.batchId}`;
  if (batch.source !== job.source)
    return `the batch's source is ${batch.source}, the job says ${job.source}`;
  if (batch.dest !== job.dest)
    return `the batch's destination is ${batch.dest}, the job says ${job.dest}`;
  if (job.key !== undefined && !job.key.startsWith(src.prefix)) {
    return `key ${JSON.stringify(job.key)} is not under the batch's source prefix`;
  }
  if (carriesImageOptions(job)) {
    const asked = compressJobOptions(job);
    if (!sameImageOptions(batch.options, asked)) {
      return `the job's options (${describeImageOptions(asked)}) are not the batch's (${describeImageOptions(batch.options)})`;
    }
  }
  return undefined;
}

/** Why a job's source and destination must not be used together (one inside the other), or undefined. */
export function overlapProblem(source: string, dest: string): string | undefined {
  const src = parseS3Url(source);
  const dst = parseS3Url(dest);
  if (!prefixesOverlap(src, dst)) return undefined;
  return `source ${formatS3Url(src)} and destination ${formatS3Url(dst)} overlap: writing there would destroy the originals`;
}

/** Options of {@link BatchFiles}. */
export interface BatchFilesOptions {
  storage: Storage;
  /** Batches kept in memory. Default 64. */
  maxEntries?: number;
}

/** `batch.json` per batch, read once and cached (a batch's file never changes). */
export class BatchFiles {
  private readonly cache = new Map<string, Promise<BatchFile | undefined>>();
  private readonly maxEntries: number;

  constructor(private readonly options: BatchFilesOptions) {
    this.maxEntries = options.maxEntries ?? 64;
  }

  /** The batch file under the job's destination, or undefined when there is none. */
  get(job: Pick<FinalizeJob, 'batchId' | 'dest'>): Promise<BatchFile | undefined> {
    const id = `${job.dest}\n${job.batchId}`;
    let file = this.cache.get(id);
    if (file === undefined) {
      file = this.read(job);
      file.catch(() => this.cache.delete(id));
      if (this.cache.size >= this.maxEntries) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(id, file);
    }
    return file;
  }

  private async read(job: Pick<FinalizeJob, 'batchId' | 'dest'>): Promise<BatchFile | undefined> {
    const dest = parseS3Url(job.dest);
    const key = batchFileKeys(dest.prefix, job.batchId).batch;
    try {
      return parseBatchFile(
        await this.options.storage.getJson(dest.bucket, key),
        `s3://${dest.bucket}/${key}`,
      );
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'NoSuchKey' || err.code === 'NoSuchBucket'))
        return undefined;
      throw err;
    }
  }

  /**
   * Why the job must not run (see {@link jobMismatch}), or undefined. A job
   * whose URLs overlap is refused before anything is read from them; a
   * missing batch.json refuses the job.
   */
  async refusal(job: Parameters<typeof jobMismatch>[0]): Promise<string | undefined> {
    const overlap = overlapProblem(job.source, job.dest);
    if (overlap !== undefined) return overlap;
    const batch = await this.get(job);
    if (batch === undefined) {
      return `no batch.json for batch ${job.batchId} under ${job.dest}: the job was not queued by kpress enqueue`;
    }
    return jobMismatch(job, batch);
  }
}
