/**
 * The source objects of a batch that have no record yet: the source listing
 * merged with the records listing as two sorted streams (records are named
 * after the source path, so both come in the same order). Never holds more
 * than a page of each.
 */
import { type FanOutOptions, listObjectsFanOut } from './fan-out-listing.js';
import { isSourceKey, recordsPrefix, relativeKey, relFromRecordKey } from './layout.js';
import { parseS3Url } from './s3-url.js';
import { mergeSorted } from './sorted-merge.js';
import type { ObjectEntry, Storage } from './storage.js';

export interface BatchLocation {
  batchId: string;
  sourceBucket: string;
  sourcePrefix: string;
  destBucket: string;
  destPrefix: string;
}

/** A batch's location from its id and its source and destination URLs (`s3://bucket/prefix/`). */
export function batchLocation(batch: {
  batchId: string;
  source: string;
  dest: string;
}): BatchLocation {
  const src = parseS3Url(batch.source);
  const dest = parseS3Url(batch.dest);
  return {
    batchId: batch.batchId,
    sourceBucket: src.bucket,
    sourcePrefix: src.prefix,
    destBucket: dest.bucket,
    destPrefix: dest.prefix,
  };
}

/** One source object and whether it has a record. */
export interface SourceState {
  source: ObjectEntry;
  /** The record's listing entry; undefined when the source has none yet. */
  record?: ObjectEntry;
}

/** How a batch's listings run. */
export interface BatchListingOptions {
  /** Full keys to list after, on each side (a finalize range); default from the start. */
  startAfter?: { source: string; record: string };
  /**
   * The sources, sorted, when they come from a key list (`--keys`,
   * `--inventory`) rather than a listing of the source prefix. Default: the listing.
   */
  sources?: AsyncIterable<ObjectEntry>;
  /**
   * List both prefixes fanned out over their folders (`listObjectsFanOut`);
   * only for listings from the start. Default: one page after another.
   */
  fanOut?: FanOutOptions;
}

/** The objects under `prefix` from the start or after `startAfter`, fanned out when asked. */
function listPrefix(
  storage: Storage,
  bucket: string,
  prefix: string,
  options: Pick<BatchListingOptions, 'fanOut'> & { startAfter?: string | undefined },
): AsyncGenerator<ObjectEntry> {
  if (options.startAfter !== undefined)
    return storage.listObjects(bucket, prefix, { startAfter: options.startAfter });
  if (options.fanOut !== undefined)
    return listObjectsFanOut(storage, bucket, prefix, options.fanOut);
  return storage.listObjects(bucket, prefix);
}

/** Source objects under the prefix (kpress's own files and folder markers left out), after `startAfter` if given. */
export async function* listSources(
  storage: Storage,
  loc: BatchLocation,
  options: Pick<BatchListingOptions, 'fanOut'> & { startAfter?: string | undefined } = {},
): AsyncGenerator<ObjectEntry> {
  for await (const entry of listPrefix(storage, loc.sourceBucket, loc.sourcePrefix, options)) {
    if (isSourceKey(entry.key, loc.sourcePrefix)) yield entry;
  }
}

/** A source with its record, or a record whose source is gone (`source` undefined); `rel` is the key relative to the prefixes. */
export type BatchEntry = (SourceState | { source?: undefined; record: ObjectEntry }) & {
  rel: string;
};

/**
 * Every source object with its record, if any, and every record whose source
 * is gone (deleted after it was processed), in listing order: the rows of the
 * batch's manifest.
 */
export async function* batchEntries(
  storage: Storage,
  loc: BatchLocation,
  options: BatchListingOptions = {},
): AsyncGenerator<BatchEntry> {
  const { startAfter, sources, fanOut } = options;
  const records = listPrefix(storage, loc.destBucket, recordsPrefix(loc.destPrefix, loc.batchId), {
    startAfter: startAfter?.record,
    ...(fanOut === undefined ? {} : { fanOut }),
  });
  const merged = mergeSorted(
    sources ??
      listSources(storage, loc, {
        startAfter: startAfter?.source,
        ...(fanOut === undefined ? {} : { fanOut }),
      }),
    records,
    (s) => relativeKey(s.key, loc.sourcePrefix),
    (r) => relFromRecordKey(r.key, loc.destPrefix, loc.batchId),
  );
  for await (const step of merged) {
    if (step.left !== undefined) {
      yield step.right === undefined
        ? { source: step.left, rel: step.key }
        : { source: step.left, record: step.right, rel: step.key };
    } else if (step.right !== undefined) {
      yield { record: step.right, rel: step.key };
    }
  }
}

/**
 * Every source object with its record, if any, in listing order; records
 * whose source is gone are left out (see `batchEntries` for those).
 */
export async function* sourcesWithRecords(
  storage: Storage,
  loc: BatchLocation,
  options: Omit<BatchListingOptions, 'startAfter'> = {},
): AsyncGenerator<SourceState & { rel: string }> {
  for await (const entry of batchEntries(storage, loc, options)) {
    if (entry.source !== undefined) yield entry;
  }
}
