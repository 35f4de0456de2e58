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

/**
 * Every source object with its record, if any, in listing order. Records whose
 * source is gone are skipped (they are not part of the dataset any more).
 */
export async function* sourcesWithRecords(
  storage: Storage,
  loc: BatchLocation,
): AsyncGenerator<SourceState> {
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
    }
  }
}
