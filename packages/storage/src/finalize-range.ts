/**
 * The finalize's key ranges: a batch's key space (source paths relative to
 * the source prefix) cut at boundary keys, so that the manifest's rows can be
 * read in parallel, one range per job, and joined in order. A range is
 * `(after, upTo]`: every key falls in exactly one, whatever was added or
 * deleted since the boundaries were chosen.
 */
import { compareKeys } from './key-order.js';
import { batchPrefix, recordsPrefix } from './layout.js';
import { type BatchEntry, type BatchLocation, batchEntries } from './pending-sources.js';
import type { ObjectEntry, Storage } from './storage.js';

/** One range of relative keys: after `after` (exclusive; null: from the start) up to `upTo` (inclusive; null: to the end). */
export interface KeyRange {
  after: string | null;
  upTo: string | null;
}

/** The ranges that `boundaries` (sorted relative keys, each the last of its range) cut the key space into. */
export function rangesFrom(boundaries: readonly string[]): KeyRange[] {
  for (let i = 1; i < boundaries.length; i++) {
    if (compareKeys(boundaries[i - 1] as string, boundaries[i] as string) >= 0) {
      throw new RangeError(
        `range boundaries must be sorted and distinct, got ${JSON.stringify(boundaries[i])} after ${JSON.stringify(boundaries[i - 1])}`,
      );
    }
  }
  const ranges: KeyRange[] = [];
  let after: string | null = null;
  for (const b of boundaries) {
    ranges.push({ after, upTo: b });
    after = b;
  }
  ranges.push({ after, upTo: null });
  return ranges;
}

/** The batch entries (see `batchEntries`) whose relative key lies in `range`, in order. */
export async function* batchEntriesInRange(
  storage: Storage,
  loc: BatchLocation,
  range: KeyRange,
  /** The range's sources from a key list (sorted); default a listing of the source prefix. */
  sources?: AsyncIterable<ObjectEntry>,
): AsyncGenerator<BatchEntry & { rel: string }> {
  const startAfter =
    range.after === null
      ? undefined
      : {
          source: loc.sourcePrefix + range.after,
          record: recordsPrefix(loc.destPrefix, loc.batchId) + range.after,
        };
  const options = {
    ...(startAfter === undefined ? {} : { startAfter }),
    ...(sources === undefined ? {} : { sources }),
  };
  for await (const entry of batchEntries(storage, loc, options)) {
    // a key list's part file is the range's only when it was written with the same boundaries
    if (range.after !== null && compareKeys(entry.rel, range.after) <= 0) continue;
    if (range.upTo !== null && compareKeys(entry.rel, range.upTo) > 0) return;
    yield entry;
  }
}

/**
 * Keys of one finalize part's files: `<batch>/finalize/<round>/part-<index>.json`
 * (its summary) and its slices, `part-<index>.<attempt>.*` (one name per run
 * of the part, which its summary records; parts from before attempts have none).
 */
export function finalizePartKeys(
  destPrefix: string,
  batchId: string,
  round: number,
  index: number,
  attempt?: string,
) {
  const base = `${finalizeWorkPrefix(destPrefix, batchId)}${round}/part-${String(index).padStart(6, '0')}`;
  const run = attempt === undefined ? base : `${base}.${attempt}`;
  return {
    jsonl: `${run}.jsonl`,
    csv: `${run}.csv`,
    sha256: `${run}.sha256`,
    /** Sources without a record, one JSON `{key,size}` per line. */
    missing: `${run}.missing`,
    /** The part's counts and SummaryBuilder state. */
    summary: `${base}.json`,
  };
}

/**
 * `<batch>/keys/part-<index>.jsonl`: the sorted `{key,size}` lines of range
 * `index` of a batch made from a key list (`--keys`, `--inventory`); the
 * finalize merges against these, not a listing.
 */
export function keyListPartKey(destPrefix: string, batchId: string, index: number): string {
  return `${batchPrefix(destPrefix, batchId)}keys/part-${String(index).padStart(6, '0')}.jsonl`;
}

/** Streams a key-list part's entries. */
export async function* readKeyListPart(
  storage: Storage,
  bucket: string,
  key: string,
): AsyncGenerator<ObjectEntry> {
  for await (const line of storage.readLines(bucket, key)) {
    if (line === '') continue;
    const e = JSON.parse(line) as { key: string; size: number };
    yield { key: e.key, size: e.size, etag: '' };
  }
}

/** `<batch>/finalize/`: the parts' scratch files, removed once summary.json is written. */
export function finalizeWorkPrefix(destPrefix: string, batchId: string): string {
  return `${batchPrefix(destPrefix, batchId)}finalize/`;
}
