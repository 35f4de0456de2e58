/**
 * One range of a batch's finalize: the manifest rows of the keys in
 * `(after, upTo]`, read from their records with many GETs in flight, written
 * as this part's slices of manifest.jsonl, manifest.csv and
 * manifest-sha256.txt, with the part's SummaryBuilder state. Sources without
 * a record are listed in the part's `.missing` file (the assemble step
 * queues them again); the part never fails on them.
 *
 * Each run writes its slices under a fresh attempt name, and its summary
 * (`part-<i>.json`, written last) names them: two runs of one part (a job
 * redelivered while the first still runs) can never mix their files.
 */
import { randomBytes } from 'node:crypto';
import { faultPoint, type Logger } from '@kpress/config';
import {
  CSV_HEADER,
  type ManifestRow,
  rowChecksumLine,
  rowToCsvLine,
  rowToJsonLine,
  SummaryBuilder,
  type SummaryState,
} from '@kpress/manifest';
import type { FinalizePartJob } from '@kpress/queue';
import {
  type BatchEntry,
  type BatchLocation,
  batchEntriesInRange,
  finalizePartKeys,
  keyListPartKey,
  type ObjectEntry,
  readKeyListPart,
  type Storage,
  unwritableReason,
} from '@kpress/storage';
import { failedOutcome } from '@kpress/compress';
import { readRecord } from '../record.js';
import { DEFAULT_REPORT_WORST } from './report-images.js';
import { TextUpload } from './text-upload.js';

/** Record GETs in flight per part: S3 serves thousands of GETs a second per prefix; 64 keeps a part's window small. */
export const PART_READ_CONCURRENCY = 64;

/** What a part leaves for the assemble step (`part-<i>.json`). */
export interface PartSummary {
  index: number;
  /** The run that wrote the slices (`finalizePartKeys`' attempt); absent in older parts. */
  attempt?: string;
  /** ETag of listing.json when the part read its range ('' when there was none). */
  listing?: string;
  rows: number;
  /** Sources without a record (their keys are in the `.missing` file). */
  missing: number;
  sourceDeleted: number;
  /** Bytes of each slice, so that assembling needs no HEAD. */
  bytes: { jsonl: number; csv: number; sha256: number };
  state: SummaryState;
}

/** The four text files a part writes. */
interface PartSlices {
  jsonl: TextUpload;
  csv: TextUpload;
  sums: TextUpload;
  missing: TextUpload;
}

/** Writes part `job.index` of round `job.round` (its range read from listing.json, ETag `listing`); returns its summary (also stored). */
export async function writeFinalizePart(
  job: FinalizePartJob,
  loc: BatchLocation,
  listing: string,
  ctx: { storage: Storage; logger: Logger; readConcurrency?: number; reportWorst?: number },
): Promise<PartSummary> {
  const attempt = randomBytes(6).toString('hex');
  const keys = finalizePartKeys(loc.destPrefix, loc.batchId, job.round, job.index, attempt);
  const bucket = loc.destBucket;
  const slices: PartSlices = {
    jsonl: new TextUpload(ctx.storage, bucket, keys.jsonl, 'application/x-ndjson'),
    csv: new TextUpload(ctx.storage, bucket, keys.csv, 'text/csv; charset=utf-8'),
    sums: new TextUpload(ctx.storage, bucket, keys.sha256, 'text/plain; charset=utf-8'),
    missing: new TextUpload(ctx.storage, bucket, keys.missing, 'application/x-ndjson'),
  };
  const all = Object.values(slices);
  const builder = new SummaryBuilder({ worst: ctx.reportWorst ?? DEFAULT_REPORT_WORST });
  const counts = { rows: 0, missing: 0, sourceDeleted: 0 };
  try {
    await writeRows(job, loc, ctx, slices, builder, counts);
    await Promise.all(all.map((u) => u.finish()));
    faultPoint('part.slices-put', loc.batchId);
  } catch (err) {
    await Promise.all(all.map((u) => u.abort()));
    throw err;
  }
  const summary: PartSummary = {
    index: job.index,
    attempt,
    listing,
    ...counts,
    bytes: { jsonl: slices.jsonl.bytes, csv: slices.csv.bytes, sha256: slices.sums.bytes },
    state: builder.state(),
  };
  await ctx.storage.putJson(bucket, keys.summary, summary);
  faultPoint('part.summary-put', loc.batchId);
  ctx.logger.debug({ part: job.index, round: job.round, ...counts }, 'finalize part written');
  return summary;
}

/** Writes the range's rows in key order, `readConcurrency` record GETs in flight, and its missing sources. */
async function writeRows(
  job: FinalizePartJob,
  loc: BatchLocation,
  ctx: { storage: Storage; readConcurrency?: number },
  slices: PartSlices,
  builder: SummaryBuilder,
  counts: { rows: number; missing: number; sourceDeleted: number },
): Promise<void> {
  const bucket = loc.destBucket;
  const concurrency = ctx.readConcurrency ?? PART_READ_CONCURRENCY;
  const window: Promise<ManifestRow>[] = [];
  let first = true;
  const emit = async (row: ManifestRow) => {
    if (first) faultPoint('part.record-get', loc.batchId);
    first = false;
    builder.add(row);
    await slices.jsonl.write(rowToJsonLine(row));
    await slices.csv.write(rowToCsvLine(row));
    const sum = rowChecksumLine(row, loc.destPrefix);
    if (sum !== undefined) await slices.sums.write(sum);
    counts.rows++;
  };
  // the first part carries the CSV's header, so the joined parts are the whole file
  if (job.index === 0) await slices.csv.write(CSV_HEADER);
  // a key-list batch merges against its own keys for the range, not a listing
  const sources =
    job.keyList === true
      ? readKeyListPart(ctx.storage, bucket, keyListPartKey(loc.destPrefix, loc.batchId, job.index))
      : undefined;
  for await (const s of batchEntriesInRange(ctx.storage, loc, job, sources)) {
    const row = entryRow(s, ctx.storage, loc, counts);
    if (row === 'missing') {
      counts.missing++;
      const { key, size } = s.source as ObjectEntry;
      await slices.missing.write(`${JSON.stringify({ key, size })}\n`);
      continue;
    }
    window.push(row);
    if (window.length >= concurrency) await emit(await (window.shift() as Promise<ManifestRow>));
  }
  while (window.length > 0) await emit(await (window.shift() as Promise<ManifestRow>));
}

/**
 * The row of one entry: its record's (its GET started now, awaited in order
 * later), a failed row made here for a source that cannot have a record, or
 * 'missing' for a source without a record that could have one (queued again
 * by the assemble).
 */
function entryRow(
  s: BatchEntry,
  storage: Storage,
  loc: BatchLocation,
  counts: { sourceDeleted: number },
): Promise<ManifestRow> | 'missing' {
  if (s.source === undefined) {
    // processed, then its source was deleted ("archive, then delete"): the row stays, flagged
    counts.sourceDeleted++;
    const p = readRecord(storage, loc.destBucket, s.record.key).then((row) => ({
      ...row,
      sourceDeleted: true,
    }));
    p.catch(() => {});
    return p;
  }
  if (s.record === undefined) {
    // a source with an unsafe path or a key past S3's limit cannot have a record: its row is made here
    const why = unwritableReason(s.source.key, loc.sourcePrefix, loc.destPrefix, loc.batchId);
    if (why === undefined) return 'missing';
    const failed = failedOutcome({ key: s.source.key, originalBytes: s.source.size }, why);
    return Promise.resolve({ ...failed.row, ms: 0 });
  }
  const p = readRecord(storage, loc.destBucket, s.record.key);
  p.catch(() => {});
  return p;
}
