import { type ImageOptionsInput, type StoredImageOptions, storedImageOptions } from '@kpress/core';
import { type Config, createLogger, type Logger, loadConfig, type Redis } from '@kpress/config';
import {
  BatchTracker,
  connectRedis,
  createQueue,
  enqueueSources,
  jobsOver,
  type KpressQueue,
  newBatchId,
  queueDepth,
  scheduleFinalize,
  validateBatchId,
} from '@kpress/queue';
import {
  batchFileKeys,
  formatS3Url,
  keyListPartKey,
  parseS3Url,
  prefixesOverlap,
  type S3Location,
  Storage,
} from '@kpress/storage';
import { Backpressure } from './backpressure.js';
import { openBatchFile, writeListingFile } from './batch-files.js';
import { BatchMarker } from '../wait/batch-marker.js';
import { checkDestinationOwners } from './dest-owners.js';
import { type KeyList, type KeyListInput, readKeyList } from './key-list.js';
import { type ListingCounts, sourcesToEnqueue } from './lister.js';
import { checkSource, storageProblem } from './preflight.js';

/** Options of {@link enqueue}. */
export interface EnqueueOptions {
  /** Source `s3://bucket/prefix/` (required). */
  source: string;
  /** Destination `s3://bucket/prefix/` (required; must not overlap the source). */
  dest: string;
  /**
   * The image options (@kpress/core ImageOptions: colors, seed, quality,
   * effort, stripMetadata, dither), carried whole into batch.json and every
   * job. Each absent one is its default (resolveImageOptions).
   */
  options?: ImageOptionsInput;
  /**
   * The batch is exactly the keys of this list under the source prefix (an S3
   * Batch Operations CSV or an S3 Inventory report), not a listing. Default: a listing.
   */
  keyList?: KeyListInput;
  /** Batch id; default `newBatchId()`. Reusing one resumes that batch. */
  batchId?: string;
  /** Configuration; default `loadConfig(process.env)`. */
  config?: Config;
  /** Logger; default createLogger at config.logLevel. */
  logger?: Logger;
  /** Jobs per addBulk. Default 1000. */
  chunkSize?: number;
  /** Told after each chunk and when the queue is full. */
  onProgress?: (p: EnqueueProgress) => void;
}

export interface EnqueueProgress {
  batchId: string;
  /** Source objects listed so far. */
  listed: number;
  /** Jobs queued so far. */
  enqueued: number;
  /** Listed objects that had a record already. */
  skipped: number;
  /** True while the listing waits for the queue to drain. */
  paused: boolean;
}

export interface EnqueueResult {
  batchId: string;
  source: string;
  dest: string;
  /** Source objects under the prefix. */
  total: number;
  /** Jobs queued by this run. */
  enqueued: number;
  /** Objects that had a record already. */
  skipped: number;
  /** True when the batch was already finished (summary.json exists): nothing was queued. */
  finished: boolean;
  /** True when batch.json existed (a rerun). */
  rerun: boolean;
  /** Times the listing paused for the queue to drain. */
  pauses: number;
}

/**
 * Enqueues every object under the source prefix as one batch: checks the
 * URLs, Redis and the source; writes batch.json before any job; streams the
 * listing (skipping objects that have a record) into the queue in chunks,
 * keeping at most KPRESS_MAX_WAITING jobs waiting; records the total in
 * listing.json; schedules the finalize if every job is already done.
 */
export async function enqueue(options: EnqueueOptions): Promise<EnqueueResult> {
  const req = checkRequest(options);
  const redis = await connectRedis(req.config);
  const storage = new Storage({ config: req.config });
  const queue = createQueue(req.config);
  const run: EnqueueRun = { ...req, redis, storage, queue };
  try {
    await checkSource(storage, req.src);
    const rerun = await openBatch(run);
    const result: EnqueueResult = {
      batchId: req.batchId,
      source: req.source,
      dest: req.destUrl,
      total: 0,
      enqueued: 0,
      skipped: 0,
      finished: false,
      rerun,
      pauses: 0,
    };
    const summaryKey = batchFileKeys(req.dest.prefix, req.batchId).summary;
    if (await storage.exists(req.dest.bucket, summaryKey)) {
      req.log.info(FINISHED_NOTE);
      return { ...result, finished: true };
    }
    const tracker = new BatchTracker(redis, req.config.queueName);
    await tracker.register({ batchId: req.batchId, source: req.source, dest: req.destUrl });
    // one compare-and-set with the assemble's commit (FINISH): either the rerun takes the
    // batch back to waiting before it, or it finds the batch finishing and adds nothing
    if ((await tracker.unmarkListed(req.batchId)) === 'finishing') {
      req.log.info(FINISHED_NOTE);
      return { ...result, finished: true };
    }
    if (await storage.exists(req.dest.bucket, summaryKey)) {
      // finished between the first look and unmarkListed: drop what this rerun set
      await tracker.clear(req.batchId);
      req.log.info(FINISHED_NOTE);
      return { ...result, finished: true };
    }
    const listed = await queueListing(run, tracker, result);
    await finishListing(run, tracker, result, listed);
    return result;
  } finally {
    await queue.close();
    storage.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Logged by a rerun of a finished (or finishing) batch. */
const FINISHED_NOTE =
  'batch already finished (summary.json exists or is being written): nothing to queue; sources that appeared since belong to a new batch (enqueue them with another --batch id)';

/** What enqueue checked before connecting to anything. */
interface EnqueueRequest {
  options: EnqueueOptions;
  config: Config;
  logger: Logger;
  log: Logger;
  /** The image options as batch.json and every job store them. */
  batchOptions: StoredImageOptions;
  src: S3Location;
  dest: S3Location;
  batchId: string;
  /** The normalised source and destination URLs. */
  source: string;
  destUrl: string;
}

/** An enqueue under way: the request and its clients. */
interface EnqueueRun extends EnqueueRequest {
  redis: Redis;
  storage: Storage;
  queue: KpressQueue;
}

/** Checks the options, the URLs and the batch id, before anything is connected. */
function checkRequest(options: EnqueueOptions): EnqueueRequest {
  const config = options.config ?? loadConfig(process.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // checked by their rules and defaulted in @kpress/core; stored as batch.json and the jobs hold them
  const batchOptions = storedImageOptions(options.options ?? {});
  const src = parseS3Url(options.source);
  const dest = parseS3Url(options.dest);
  if (prefixesOverlap(src, dest)) {
    throw new Error(
      `destination ${formatS3Url(dest)} overlaps the source ${formatS3Url(src)}: outputs would mix with or overwrite the originals; choose a destination outside the source prefix`,
    );
  }
  const batchId = validateBatchId(options.batchId ?? newBatchId());
  const log = logger.child({ batchId, stage: 'enqueue' });
  const source = formatS3Url(src);
  const destUrl = formatS3Url(dest);
  return { options, config, logger, log, batchOptions, src, dest, batchId, source, destUrl };
}

/**
 * Writes batch.json (a new batch, after checking that the destination belongs
 * to no other), or checks a rerun's against it. True for a rerun.
 */
async function openBatch(run: EnqueueRun): Promise<boolean> {
  const { storage, dest, batchId, source, batchOptions, options } = run;
  try {
    // a new batch: the destination must not belong to another (a rerun was checked when it began)
    if (!(await storage.exists(dest.bucket, batchFileKeys(dest.prefix, batchId).batch))) {
      await checkDestinationOwners(
        storage,
        dest,
        { batchId, source, options: batchOptions },
        { logger: run.log },
      );
    }
    const opened = await openBatchFile(storage, dest.bucket, dest.prefix, {
      batchId,
      source,
      dest: run.destUrl,
      options: batchOptions,
      ...(options.keyList === undefined ? {} : { keyList: { ...options.keyList } }),
    });
    return opened.rerun;
  } catch (err) {
    if (err instanceof Error && err.name === 'StorageError')
      throw storageProblem(err, dest, 'destination');
    throw err;
  }
}

/** What the listing found: its counts, and the key list when the batch is one. */
interface Listed {
  counts: ListingCounts;
  list: KeyList | undefined;
}

/**
 * Streams the listing (or the key list) into the queue in chunks, skipping
 * sources with a record, holding back while KPRESS_MAX_WAITING jobs wait, and
 * stopping when the batch is cancelled meanwhile. Fills in the result's counts.
 */
async function queueListing(
  run: EnqueueRun,
  tracker: BatchTracker,
  result: EnqueueResult,
): Promise<Listed> {
  const { options, config, batchId, src, dest, log } = run;
  const counts: ListingCounts = { total: 0, skipped: 0, boundaries: [] };
  const list =
    options.keyList === undefined
      ? undefined
      : await writeKeyList(
          run.storage,
          options.keyList,
          src,
          dest,
          batchId,
          config.finalizeRangeKeys,
          log,
        );
  let paused = false;
  const progress = (enqueued: number) =>
    options.onProgress?.({
      batchId,
      listed: counts.total,
      enqueued,
      skipped: counts.skipped,
      paused,
    });
  const backpressure = new Backpressure({
    maxWaiting: config.maxWaiting,
    depth: () => queueDepth(run.queue),
    onPause: (depth) => {
      if (!paused) log.info({ depth, maxWaiting: config.maxWaiting }, 'queue full: listing paused');
      paused = true;
      progress(result.enqueued);
    },
  });
  const where = {
    batchId,
    sourceBucket: src.bucket,
    sourcePrefix: src.prefix,
    destBucket: dest.bucket,
    destPrefix: dest.prefix,
  };
  const sources = sourcesToEnqueue(
    run.storage,
    where,
    counts,
    config.finalizeRangeKeys,
    list === undefined ? undefined : fromArray(list.entries),
    config.listing,
  );
  result.enqueued = await enqueueSources(sources, {
    queue: run.queue,
    tracker,
    template: { batchId, source: run.source, dest: run.destUrl, options: run.batchOptions },
    chunkSize: backpressure.chunkSize(options.chunkSize ?? 1000),
    beforeChunk: async (n) => {
      await backpressure.room(n);
      paused = false;
      // this enqueue's register() cleared any earlier cancel: a flag now is a `kpress cancel` since
      if ((await tracker.cancelled(batchId)) !== undefined) {
        throw new Error(
          `batch ${batchId} was cancelled (kpress cancel) while this enqueue was queuing it: stopped after ${result.enqueued} jobs; run the same enqueue again to resume`,
        );
      }
    },
    onChunk: (enqueued) => {
      result.enqueued = enqueued;
      progress(enqueued);
    },
  });
  result.total = counts.total;
  result.skipped = counts.skipped;
  result.pauses = backpressure.pauses;
  return { counts, list };
}

/**
 * Once the whole listing is queued: listing.json (the total and the finalize
 * ranges), the tracker's "listed" mark, finished ids pruned, the finalize
 * scheduled when every job is already done, and last the batch's marker.
 */
async function finishListing(
  run: EnqueueRun,
  tracker: BatchTracker,
  result: EnqueueResult,
  { counts, list }: Listed,
): Promise<void> {
  const { options, storage, dest, batchId, redis, queue } = run;
  const keyList = options.keyList;
  await writeListingFile(storage, dest.bucket, dest.prefix, batchId, {
    total: counts.total,
    enqueued: result.enqueued,
    finishedAt: new Date().toISOString(),
    rangeBoundaries: counts.boundaries,
    ...(list === undefined || keyList === undefined
      ? {}
      : { keyList: { ...keyList, keys: list.entries.length } }),
  });
  await tracker.markListed(batchId);
  // one pipeline per ~1,000 pending ids (not one getJobState round trip each)
  const pruned = await tracker.prune(batchId, (ids) => jobsOver(redis, queue, ids));
  if (await tracker.drained(batchId)) {
    await scheduleFinalize(queue, tracker, { batchId, source: run.source, dest: run.destUrl });
  }
  // last: while the batch is unfinished, its absence means Redis lost the batch's jobs
  await new BatchMarker(redis, run.config.queueName).set(batchId);
  run.log.info(
    { total: counts.total, enqueued: result.enqueued, skipped: counts.skipped, pruned },
    'batch enqueued',
  );
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * Reads the batch's key list and stores it under `<batch>/keys/`, one object
 * per finalize range (`rangeKeys` keys each, as the listing cuts them), so
 * that each finalize part merges its records against its own keys.
 */
async function writeKeyList(
  storage: Storage,
  input: KeyListInput,
  src: { bucket: string; prefix: string },
  dest: { bucket: string; prefix: string },
  batchId: string,
  rangeKeys: number,
  log: Logger,
): Promise<KeyList> {
  const list = await readKeyList(storage, input, src);
  if (list.outside > 0 || list.duplicates > 0) {
    log.warn(
      { outside: list.outside, duplicates: list.duplicates, url: input.url },
      `${list.outside} row(s) of the key list are not under ${formatS3Url(src)} and ${list.duplicates} repeat a key: left out`,
    );
  }
  const parts = Math.floor(list.entries.length / rangeKeys) + 1;
  for (let i = 0; i < parts; i++) {
    const slice = list.entries.slice(i * rangeKeys, (i + 1) * rangeKeys);
    const body = slice.map((e) => `${JSON.stringify({ key: e.key, size: e.size })}\n`).join('');
    await storage.putObject(dest.bucket, keyListPartKey(dest.prefix, batchId, i), body, {
      contentType: 'application/x-ndjson',
    });
  }
  log.info({ keys: list.entries.length, parts, url: input.url }, 'key list read');
  return list;
}
