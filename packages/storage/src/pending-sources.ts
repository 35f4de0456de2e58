/**
 * The source objects of a batch that have no record yet: the source listing
 * merged with the records listing as two sorted streams (records are named
 * after the source path, so both come in the same order). Never holds more
 * than a page of each.
 */
import { isSourceKey, recordsPrefix, relativeKey, relFromRecordKey } from './layout.js';
import { mergeSorted } from './sorted-merge.js';
import type { ObjectEntry, Storage } from './storage.js';

export interface BatchLocation {
  batchId: string;
  sourceBucket: string;
  sourcePrefix: string;
  destBucket: string;
  destPrefix: string;
}

/** One source object and whether it has a record. */
export interface SourceState {
  source: ObjectEntry;
  /** The record's listing entry; undefined when the source has none yet. */
  record?: ObjectEntry;
}

/** Source objects under the prefix (kpress's own files and folder markers left out). */
export async function* listSources(
  storage: Storage,
  loc: BatchLocation,
): AsyncGenerator<ObjectEntry> {
  for await (const entry of storage.listObjects(loc.sourceBucket, loc.sourcePrefix)) {
    if (isSourceKey(entry.key, loc.sourcePrefix)) yield entry;
  }
}

/** A source with its record, or a record whose source is gone (`source` undefined). */
export type BatchEntry = SourceState | { source?: undefined; record: ObjectEntry };

/**
 * Every source object with its record, if any, and every record whose source
 * is gone (deleted after it was processed), in listing order: the rows of the
 * batch's manifest.
 */
export async function* batchEntries(
  storage: Storage,
  loc: BatchLocation,
): AsyncGenerator<BatchEntry> {
  const records = storage.listObjects(loc.destBucket, recordsPrefix(loc.destPrefix, loc.batchId));
  const merged = mergeSorted(
    listSources(storage, loc),
    records,
    (s) => relativeKey(s.key, loc.sourcePrefix),
    (r) => relFromRecordKey(r.key, loc.destPrefix, loc.batchId),
  );
  for await (const step of merged) {
    if (step.left !== undefined) {
      yield step.right === undefined
        ? { source: step.left }
        : { source: step.left, record: step.right };
    } else if (step.right !== undefined) {
      yield { record: step.right };
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
): AsyncGenerator<SourceState> {
  for await (const entry of batchEntries(storage, loc)) {
    if (entry.source !== undefined) yield entry;
  }
}
