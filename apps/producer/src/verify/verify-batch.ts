/**
 * `kpress verify`: checks a finished batch's outputs against its manifest,
 * streaming the manifest (bounded memory: a window of reads in flight and
 * at most 16 bytes per output key for the extra-object check, `KeyHashSet`) and recording each run
 * as a fixity event under the batch's `_kpress/` folder.
 */
import { createHash } from 'node:crypto';
import { decode, roundScore } from '@kpress/codec';
import { type Config, KPRESS_VERSION, loadConfig } from '@kpress/config';
import { resolveImageOptions } from '@kpress/core';
import {
  type ManifestRow,
  parseRow,
  rowChecksumLine,
  type Summary,
  SummarySchema,
} from '@kpress/manifest';
import { MIN_DIMENSION, ssimulacra2 } from '@kpress/ssimulacra2';
import {
  type BatchFile,
  batchFileKeys,
  batchPrefix,
  digestObject,
  KPRESS_DIR,
  parseBatchFile,
  parseS3Url,
  type S3Location,
  Storage,
  StorageError,
  undefinedIfAbsent,
} from '@kpress/storage';
import { parse } from 'csv-parse';
import { compareWithSource, widen } from './deep-compare.js';
import { KeyHashSet } from './key-set.js';
import {
  checkCopy,
  checkOutput,
  checkScore,
  type Problem,
  SCORE_METADATA,
} from './output-check.js';
import { type RowCheck, SourceTagger, type TagCounts } from './tag-sources.js';

/** Options of {@link verifyBatch}. */
export interface VerifyOptions {
  /** The destination `s3://bucket/prefix/` the batch wrote to. */
  dest: string;
  batchId: string;
  /**
   * Also re-read each source that still exists: its digest, and for a
   * compressed output its PSNR and SSIMULACRA 2.1 score recomputed (against
   * the row, and the score against the output's metadata). Default false.
   */
  deep?: boolean;
  /**
   * Tag each source whose row verified clean `kpress-archived=<batch-id>`
   * (tag-sources.ts); needs `deep`. Default false.
   */
  tagSources?: boolean;
  /** Configuration; default `loadConfig(process.env)`. */
  config?: Config;
  /** Objects read at once. Default 16. */
  concurrency?: number;
  /** Told each problem as it is found. */
  onProblem?: (problem: Problem) => void;
  /** Told after each row: rows checked so far, and the manifest's total. */
  onProgress?: (checked: number, total: number) => void;
}

/** What a run found: also the fixity event written under `_kpress/<batch>/fixity/`. */
export interface VerifyResult {
  batchId: string;
  dest: string;
  startedAt: string;
  finishedAt: string;
  deep: boolean;
  kpressVersion: string;
  rows: number;
  outputsChecked: number;
  sourcesChecked: number;
  /** Problems by kind (missing, size, checksum, not-palette-png, extra, ...). */
  problems: Record<string, number>;
  /** The first 1,000 problems. */
  shown: Problem[];
  clean: boolean;
  /** Where the event was recorded. */
  eventKey: string;
  /** With `tagSources`: what was tagged, and why the rest was not. */
  tags?: TagCounts;
}

const SHOWN = 1000;
/** Outputs and sources are read whole, up to S3's largest single PUT. */
const ANY_SIZE = { maxBytes: 5 * 1024 ** 3 };

/** Checks one batch; never writes anything but its own fixity event. */
export async function verifyBatch(options: VerifyOptions): Promise<VerifyResult> {
  if (options.tagSources === true && options.deep !== true) {
    throw new TypeError(
      'tagSources needs deep: a source is tagged only once its sha256 is re-read',
    );
  }
  const config = options.config ?? loadConfig(process.env);
  const dest = parseS3Url(options.dest);
  const run = new BatchVerify(options, dest, new Storage({ config }));
  try {
    const summary = await run.readSummary();
    const batch = await run.readBatchFile();
    run.target = resolveImageOptions(batch.options).target;
    await run.checkRows(parseS3Url(batch.source), summary.counts.total);
    await run.checkFilesAgree(summary);
    await run.checkExtras();
    return await run.recordEvent();
  } finally {
    run.storage.close();
  }
}

/** Rows, outputs and sources seen, by kind. */
interface Tally {
  rows: number;
  outputs: number;
  sources: number;
  compressed: number;
  kept: number;
  copied: number;
  skipped: number;
  failed: number;
}

/** One verify run: what it has seen and found so far; each step a method. */
class BatchVerify {
  readonly startedAt = new Date().toISOString();
  private readonly files: ReturnType<typeof batchFileKeys>;
  private readonly counts: Record<string, number> = {};
  private readonly shown: Problem[] = [];
  /** With `tagSources`: tags each source whose row verified clean (made once the source bucket is known). */
  private tagger: SourceTagger | undefined;
  private readonly outputs = new KeyHashSet();
  /** The digest lines manifest.jsonl's rows make (manifest-sha256.txt must hold them). */
  private readonly sums = createHash('sha256');
  /** The batch's perceptual target (batch.json; undefined: a fixed palette or --quality batch). */
  target: number | undefined;
  private readonly tally: Tally = {
    rows: 0,
    outputs: 0,
    sources: 0,
    compressed: 0,
    kept: 0,
    copied: 0,
    skipped: 0,
    failed: 0,
  };

  constructor(
    private readonly options: VerifyOptions,
    private readonly dest: S3Location,
    readonly storage: Storage,
  ) {
    this.files = batchFileKeys(this.dest.prefix, options.batchId);
  }

  private report(p: Problem): void {
    this.counts[p.kind] = (this.counts[p.kind] ?? 0) + 1;
    if (this.shown.length < SHOWN) this.shown.push(p);
    this.options.onProblem?.(p);
  }

  /** summary.json: its absence means the batch is not finished. */
  async readSummary(): Promise<Summary> {
    const json = await this.storage.getJsonIfExists(this.dest.bucket, this.files.summary);
    if (json === undefined) {
      throw new Error(
        `batch ${this.options.batchId} has no summary.json under ${this.options.dest}: it is not finished (or the id is wrong)`,
      );
    }
    return SummarySchema.parse(json);
  }

  async readBatchFile(): Promise<BatchFile> {
    const { bucket } = this.dest;
    return parseBatchFile(
      await this.storage.getJson(bucket, this.files.batch),
      `s3://${bucket}/${this.files.batch}`,
    );
  }

  /** Streams manifest.jsonl: each row counted, its digest line kept, its output (and source) checked, a window of reads at once. */
  async checkRows(src: S3Location, total: number): Promise<void> {
    const window: Promise<void>[] = [];
    const limit = this.options.concurrency ?? 16;
    if (this.options.tagSources === true) {
      this.tagger = new SourceTagger({
        storage: this.storage,
        bucket: src.bucket,
        batchId: this.options.batchId,
        report: (p) => this.report(p),
      });
    }
    for await (const line of this.storage.readLines(this.dest.bucket, this.files.manifestJsonl)) {
      if (line.trim() === '') continue;
      let row: ManifestRow;
      try {
        row = parseRow(line);
      } catch (err) {
        this.report({
          key: this.files.manifestJsonl,
          kind: 'manifest',
          detail: (err as Error).message,
        });
        continue;
      }
      this.countRow(row);
      const p = this.checkRow(row, src);
      p.catch(() => {});
      window.push(p);
      if (window.length >= limit) await window.shift();
      this.options.onProgress?.(this.tally.rows, total);
    }
    await Promise.all(window);
  }

  private countRow(row: ManifestRow): void {
    const { tally } = this;
    tally.rows++;
    if (row.status === 'compressed') tally.compressed++;
    else if (row.status === 'kept-original') tally.kept++;
    else if (row.status === 'copied') tally.copied++;
    else if (row.status === 'skipped') tally.skipped++;
    else tally.failed++;
    if (row.outputKey !== null && row.status !== 'failed') this.outputs.add(row.outputKey);
    const sum = rowChecksumLine(row, this.dest.prefix);
    if (sum !== undefined) this.sums.update(sum);
  }

  /** One row's output (and with --deep its source) checked; with --tag-sources its source tagged when all was clean. */
  private async checkRow(row: ManifestRow, src: S3Location): Promise<void> {
    const found: RowCheck = { problems: 0 };
    const note = (p: Problem) => {
      found.problems++;
      this.report(p);
    };
    if (row.outputKey !== null && row.status === 'copied') {
      found.source = await this.checkCopied(row, src, note);
    } else if (row.outputKey !== null && row.status !== 'failed') {
      const bytes = await this.storage.getIfExists(this.dest.bucket, row.outputKey, ANY_SIZE);
      const outputProblems = checkOutput(row, bytes);
      for (const p of outputProblems) note(p);
      this.tally.outputs++;
      if (this.options.deep === true && bytes !== undefined) {
        const output = { bytes, damaged: outputProblems.length > 0 };
        found.source = await this.deepCheck(row, output, src, note);
      }
    }
    await this.tagger?.settle(row, found);
  }

  /**
   * A copy (its source may be over the byte limit: both are streamed into
   * their digests, never read whole): the output is there, of the recorded
   * size and sha256, and that sha256 is the source's; with --deep the source
   * that still exists has it too.
   */
  private async checkCopied(
    row: ManifestRow,
    src: S3Location,
    note: (p: Problem) => void,
  ): Promise<RowCheck['source']> {
    const { storage } = this;
    const output = await undefinedIfAbsent(
      digestObject(storage, this.dest.bucket, row.outputKey as string),
    );
    this.tally.outputs++;
    for (const p of checkCopy(row, output)) note(p);
    if (this.options.deep !== true || output === undefined) return undefined;
    const read = await undefinedIfAbsent(digestObject(storage, src.bucket, row.key));
    if (read === undefined) return undefined; // deleted after archiving
    this.tally.sources++;
    if (row.sha256 && read.sha256 !== row.sha256) {
      note({
        key: row.key,
        kind: 'source-changed',
        detail: `the source's sha256 is now ${read.sha256}, the manifest says ${row.sha256}`,
      });
    }
    return { sha256: read.sha256, etag: read.etag };
  }

  /** --deep: the source that still exists has the digest the row says, and the output its PSNR and score; returns what was read of the source. */
  private async deepCheck(
    row: ManifestRow,
    output: { bytes: Uint8Array; damaged: boolean },
    src: S3Location,
    note: (p: Problem) => void,
  ): Promise<RowCheck['source']> {
    const read = await undefinedIfAbsent(
      this.storage.getObjectWithEtag(src.bucket, row.key, ANY_SIZE),
    );
    if (read === undefined) return undefined; // deleted after archiving: nothing to compare
    this.tally.sources++;
    const digest = createHash('sha256').update(read.body).digest('hex');
    const seen = { sha256: digest, etag: read.etag };
    if (row.sha256 && digest !== row.sha256) {
      note({
        key: row.key,
        kind: 'source-changed',
        detail: `the source's sha256 is now ${digest}, the manifest says ${row.sha256}`,
      });
      return seen;
    }
    if (row.status !== 'compressed') return seen;
    // the PSNR again (full depth for a deep source), or a lossless re-encode's samples
    if (row.psnr !== null) {
      const problem = await compareWithSource(row, read.body, output.bytes);
      // an output already found damaged (checksum, size, ...) is named once, not again here
      const again =
        problem !== undefined && output.damaged && problem.detail.startsWith('cannot decode');
      if (problem !== undefined && !again) note(problem);
    }
    await this.checkScore(row, read.body, output.bytes, note);
    return seen;
  }

  /** The output's SSIMULACRA 2.1 score against the source (to 0.01, and its metadata) is the one its row records. */
  private async checkScore(
    row: ManifestRow,
    source: Uint8Array,
    output: Uint8Array,
    note: (p: Problem) => void,
  ): Promise<void> {
    if (row.ssimulacra2 === null || row.ssimulacra2 === undefined) return;
    const decoded = await Promise.all([
      decode(Buffer.from(source)),
      decode(Buffer.from(output)),
    ]).catch(() => undefined); // an undecodable output is named by the PSNR check
    if (decoded === undefined) return;
    const [a, b] = decoded;
    if (a.width !== b.width || a.height !== b.height) return; // checkOutput names the size
    const channels = Math.max(a.channels, b.channels) as 3 | 4;
    const pair = { a: widen(a, channels), b: widen(b, channels), channels };
    const head = await this.storage.headIfExists(this.dest.bucket, row.outputKey as string);
    const score = scorePair(a, pair);
    for (const p of checkScore(row, score, head?.metadata[SCORE_METADATA], this.target)) note(p);
  }

  /** The batch's files agree with each other: summary counts, manifest.csv rows, manifest-sha256.txt. */
  async checkFilesAgree(summary: Summary): Promise<void> {
    const { files, tally } = this;
    const c = summary.counts;
    if (
      c.total !== tally.rows ||
      c.compressed !== tally.compressed ||
      c.keptOriginal !== tally.kept ||
      c.copied !== tally.copied ||
      c.skipped !== tally.skipped ||
      c.failed !== tally.failed
    ) {
      const summary = {
        total: c.total,
        compressed: c.compressed,
        keptOriginal: c.keptOriginal,
        copied: c.copied,
        skipped: c.skipped,
        failed: c.failed,
      };
      const rows = {
        total: tally.rows,
        compressed: tally.compressed,
        keptOriginal: tally.kept,
        copied: tally.copied,
        skipped: tally.skipped,
        failed: tally.failed,
      };
      this.report({
        key: files.summary,
        kind: 'manifest',
        detail: `counts ${JSON.stringify(summary)}, manifest.jsonl has ${JSON.stringify(rows)}`,
      });
    }
    const csvRows = await countCsvRecords(this.storage, this.dest.bucket, files.manifestCsv);
    if (csvRows !== tally.rows) {
      this.report({
        key: files.manifestCsv,
        kind: 'manifest',
        detail: `${csvRows} rows, manifest.jsonl has ${tally.rows}`,
      });
    }
    await this.checkSums();
  }

  private async checkSums(): Promise<void> {
    const key = this.files.manifestSha256;
    const stored = createHash('sha256');
    try {
      for await (const line of this.storage.readLines(this.dest.bucket, key))
        stored.update(`${line}\n`);
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'NoSuchKey')) throw err;
      this.report({ key, kind: 'missing', detail: 'manifest-sha256.txt is gone' });
      return;
    }
    if (stored.digest('hex') !== this.sums.digest('hex')) {
      this.report({
        key,
        kind: 'manifest',
        detail: 'its lines are not the digests manifest.jsonl records',
      });
    }
  }

  /** Objects under the destination that no row names. */
  async checkExtras(): Promise<void> {
    const own = `${this.dest.prefix}${KPRESS_DIR}`;
    for await (const entry of this.storage.listObjects(this.dest.bucket, this.dest.prefix)) {
      if (entry.key.startsWith(own) || this.outputs.has(entry.key)) continue;
      this.report({
        key: entry.key,
        kind: 'extra',
        detail: `${entry.size} bytes that no row of batch ${this.options.batchId} names`,
      });
    }
  }

  /** The run as a fixity event under `_kpress/<batch>/fixity/` (never over another). */
  async recordEvent(): Promise<VerifyResult> {
    const { options, tally } = this;
    const eventKey = `${batchPrefix(this.dest.prefix, options.batchId)}fixity/${this.startedAt.replace(/[:.]/g, '-')}.json`;
    const result: VerifyResult = {
      batchId: options.batchId,
      dest: options.dest,
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      deep: options.deep === true,
      kpressVersion: KPRESS_VERSION,
      rows: tally.rows,
      outputsChecked: tally.outputs,
      sourcesChecked: tally.sources,
      problems: this.counts,
      shown: this.shown,
      clean: Object.keys(this.counts).length === 0,
      eventKey,
      ...(this.tagger === undefined ? {} : { tags: this.tagger.counts }),
    };
    await this.storage.putJson(this.dest.bucket, eventKey, result, { ifNoneMatch: true });
    return result;
  }
}

/**
 * The SSIMULACRA 2.1 score of the output against the source (both decoded as
 * the compress did, widened to the same channels), 2 decimals as rows record
 * it; null under 8x8 pixels.
 */
function scorePair(
  size: { width: number; height: number },
  pair: { a: Uint8Array | Uint8ClampedArray; b: Uint8Array | Uint8ClampedArray; channels: 3 | 4 },
): number | null {
  const { width, height } = size;
  if (width < MIN_DIMENSION || height < MIN_DIMENSION) return null;
  const image = (data: Uint8Array | Uint8ClampedArray) => ({
    data,
    width,
    height,
    channels: pair.channels,
  });
  return roundScore(ssimulacra2(image(pair.a), image(pair.b)));
}

async function countCsvRecords(storage: Storage, bucket: string, key: string): Promise<number> {
  const parser = parse({ columns: false, relax_column_count: true });
  const feed = (async () => {
    for await (const line of storage.readLines(bucket, key)) {
      if (!parser.write(`${line}\n`)) await new Promise((r) => parser.once('drain', r));
    }
    parser.end();
  })();
  let n = 0;
  for await (const _ of parser) n++;
  await feed;
  return Math.max(0, n - 1); // the header
}
