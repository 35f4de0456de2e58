import {
  type BatchLocation,
  type FanOutOptions,
  type ObjectEntry,
  type Storage,
  sourcesWithRecords,
} from '@kpress/storage';

/** Counts kept while listing. */
export interface ListingCounts {
  /** Source objects seen so far. */
  total: number;
  /** Of those, how many had a record already (skipped). */
  skipped: number;
  /** Relative keys where the finalize cuts its ranges: the last key of every `rangeKeys` listed. */
  boundaries: string[];
}

/**
 * The source objects that still need a job, streamed: the source listing
 * merged with the records listing; those with a record are skipped and
 * counted in `counts`. Never holds more than a listing page of each.
 */
export async function* sourcesToEnqueue(
  storage: Storage,
  loc: BatchLocation,
  counts: ListingCounts,
  /** Source keys per finalize range. Default: no boundaries. */
  rangeKeys = Number.POSITIVE_INFINITY,
  /** Sorted sources from a key list; default a listing of the source prefix. */
  sources?: AsyncIterable<ObjectEntry>,
  /** How the prefixes are listed (fanned out over their folders); default serially. */
  fanOut?: FanOutOptions,
): AsyncGenerator<ObjectEntry> {
  const options = {
    ...(sources === undefined ? {} : { sources }),
    ...(fanOut === undefined ? {} : { fanOut }),
  };
  for await (const s of sourcesWithRecords(storage, loc, options)) {
    counts.total++;
    if (counts.total % rangeKeys === 0) counts.boundaries.push(s.rel);
    if (s.record === undefined) yield s.source;
    else counts.skipped++;
  }
}
