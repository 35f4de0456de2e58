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
  type BatchLocation,
  batchEntriesInRange,
  finalizePartKeys,
  keyListPartKey,
  readKeyListPart,
  type Storage,
  unwritableReason,
} from '@kpress/storage';
import { failedOutcome } from '@kpress/compress';
import { readRecord } from './record.js';
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
  const jsonl = new TextUpload(ctx.storage, bucket, keys.jsonl, 'application/x-ndjson');
  const csv = new TextUpload(ctx.storage, bucket, keys.csv, 'text/csv; charset=utf-8');
  const sums = new TextUpload(ctx.storage, bucket, keys.sha256, 'text/plain; charset=utf-8');
  const missing = new TextUpload(ctx.storage, bucket, keys.missing, 'application/x-ndjson');
  const builder = new SummaryBuilder({ worst: ctx.reportWorst ?? DEFAULT_REPORT_WORST });
  const concurrency = ctx.readConcurrency ?? PART_READ_CONCURRENCY;
  const window: Promise<ManifestRow>[] = [];
  const counts = { rows: 0, missing: 0, sourceDeleted: 0 };
  let first = true;
  const emit = async (row: ManifestRow) => {
    if (first) faultPoint('part.record-get', loc.batchId);
    first = false;
    builder.add(row);
    await jsonl.write(rowToJsonLine(row));
    await csv.write(rowToCsvLine(row));
    const sum = rowChecksumLine(row, loc.destPrefix);
    if (sum !== undefined) await sums.write(sum);
    counts.rows++;
  };
  try {
    // the first part carries the CSV's header, so the joined parts are the whole file
    if (job.index === 0) await csv.write(CSV_HEADER);
    // a key-list batch merges against its own keys for the range, not a listing
    const sources =
      job.keyList === true
        ? readKeyListPart(
            ctx.storage,
            bucket,
            keyListPartKey(loc.destPrefix, loc.batchId, job.index),
          )
        : undefined;
    for await (const s of batchEntriesInRange(ctx.storage, loc, job, sources)) {
      if (s.source === undefined) {
        // processed, then its source was deleted ("archive, then delete"): the row stays, flagged
        counts.sourceDeleted++;
        const p = readRecord(ctx.storage, bucket, s.record.key).then((row) => ({
          ...row,
          sourceDeleted: true,
        }));
        p.catch(() => {});
        window.push(p);
      } else if (s.record === undefined) {
        // a source with an unsafe path or a key past S3's limit cannot have a record: its row is made here
        const why = unwritableReason(s.source.key, loc.sourcePrefix, loc.destPrefix, loc.batchId);
        if (why === undefined) {
          counts.missing++;
          await missing.write(`${JSON.stringify({ key: s.source.key, size: s.source.size })}\n`);
          continue;
        }
        const failed = failedOutcome({ key: s.source.key, originalBytes: s.source.size }, why);
        window.push(Promise.resolve({ ...failed.row, ms: 0 }));
      } else {
        const p = readRecord(ctx.storage, bucket, s.record.key);
        p.catch(() => {});
        window.push(p);
      }
      if (window.length >= concurrency) await emit(await (window.shift() as Promise<ManifestRow>));
    }
    while (window.length > 0) await emit(await (window.shift() as Promise<ManifestRow>));
    await Promise.all([jsonl.finish(), csv.finish(), sums.finish(), missing.finish()]);
    faultPoint('part.slices-put', loc.batchId);
  } catch (err) {
    await Promise.all([jsonl.abort(), csv.abort(), sums.abort(), missing.abort()]);
    throw err;
  }
  const summary: PartSummary = {
    index: job.index,
    attempt,
    listing,
    ...counts,
    bytes: { jsonl: jsonl.bytes, csv: csv.bytes, sha256: sums.bytes },
    state: builder.state(),
  };
  await ctx.storage.putJson(bucket, keys.summary, summary);
  faultPoint('part.summary-put', loc.batchId);
  ctx.logger.debug({ part: job.index, round: job.round, ...counts }, 'finalize part written');
  return summary;
}
