import { z } from 'zod';
import { BoundedHeap } from './bounded-heap.js';
import {
  COLOR_BINS,
  FixedHistogram,
  type HistogramBin,
  PSNR_BINS,
  SAVED_RATIO_BINS,
} from './histogram.js';
import { keyHash } from './key-hash.js';
import type { ManifestRow, RowStatus } from './row.js';
import {
  type ScoreDistribution,
  ScoreDistributionSchema,
  ScoreHistogram,
  type ScoreHistogramState,
} from './score-distribution.js';

const count = z.number().int().min(0);

/** summary.json (DESIGN.md). */
export const SummarySchema = z.object({
  batchId: z.string().min(1),
  /** Source prefix URL, e.g. s3://bucket/photos/. */
  source: z.string().min(1),
  /** Destination prefix URL. */
  dest: z.string().min(1),
  /** Palette size asked for. */
  colors: z.number().int().min(1).max(256),
  /** ISO 8601 times. */
  startedAt: z.string().min(1),
  finishedAt: z.string().min(1),
  counts: z.object({
    total: count,
    compressed: count,
    keptOriginal: count,
    failed: count,
    /** Objects copied byte for byte (not images, DICOM, damaged, over the limits); absent in older summaries. */
    copied: count.default(0),
    /** Such objects left out by `imagesOnly` (nothing written); absent in older summaries. */
    skipped: count.default(0),
    /** Rows whose source was deleted before the finalize (counted in the others too). */
    sourceDeleted: count.default(0),
    /** Compressed rows whose PSNR missed the batch's `--quality` target (`qualityMet: false`). */
    qualityMissed: count.default(0),
  }),
  /**
   * Over the compressed and kept-original rows (the images); saved = original
   * - output. Copies are not savings: their bytes are `copied` (source bytes
   * = bytes written; absent in older summaries, which had no copies).
   */
  bytes: z.object({
    original: count,
    output: count,
    saved: z.number().int(),
    copied: count.default(0),
  }),
  /** saved / original, 0 when original is 0. */
  savedRatio: z.number(),
  /** Fixity recorded: outputs whose row carries their SHA-256 (absent in older summaries). */
  fixity: z.object({ outputs: count, outputDigests: count }).optional(),
  /**
   * SSIMULACRA 2.1 scores of the rows that carry one: count, min, 5th
   * percentile, median, and rows below each band (score-distribution.ts).
   * Absent in older summaries.
   */
  ssimulacra2: ScoreDistributionSchema.optional(),
  /** The kpress version that wrote the summary (absent in older ones). */
  kpressVersion: z.string().min(1).optional(),
});
export type Summary = z.infer<typeof SummarySchema>;

/** What summary() needs besides the rows. */
export type SummaryMeta = Pick<
  Summary,
  'batchId' | 'source' | 'dest' | 'colors' | 'startedAt' | 'finishedAt' | 'kpressVersion'
>;

/** A row among the largest savings. */
export interface SavingEntry {
  key: string;
  outputKey: string | null;
  status: RowStatus;
  originalBytes: number;
  outputBytes: number;
  savedBytes: number;
  /** savedBytes / originalBytes, 0 when originalBytes is 0. */
  savedRatio: number;
  /** dB; Infinity when lossless, null when unknown. */
  psnr: number | null;
  colors: number | null;
}

/** A compressed row among the lowest SSIMULACRA 2.1 scores (the report's worst cases). */
export interface WorstEntry {
  key: string;
  outputKey: string;
  /** SSIMULACRA 2.1 score of the output against the source. */
  score: number;
  colors: number | null;
  originalBytes: number;
  outputBytes: number;
  /** Pixels, after EXIF orientation; null when unknown. */
  width: number | null;
  height: number | null;
  /**
   * SHA-256 (hex) of the source as read and of the output as written, so
   * the crop is made only from those bytes; null or absent when unknown
   * (older rows and parts).
   */
  sha256?: string | null;
  outputSha256?: string | null;
}

/** A failed row: its key and reason (truncated to `errorChars`). */
export interface FailureEntry {
  key: string;
  error: string;
}

/** One point of the per-image sample (scatter plot, per-image bars). */
export interface SamplePoint {
  key: string;
  status: RowStatus;
  originalBytes: number;
  outputBytes: number;
  savedRatio: number;
  /** dB; Infinity when lossless, null when unknown. */
  psnr: number | null;
  colors: number | null;
}

/** Everything the report needs from the rows, bounded whatever their number. */
export interface ReportAggregate {
  counts: Summary['counts'];
  bytes: Summary['bytes'];
  savedRatio: number;
  /** The rows with the largest saved bytes, largest first (ties: by key). */
  largestSavings: SavingEntry[];
  /** The first failures added (up to `failures`), and how many failed in all. */
  failures: { total: number; shown: FailureEntry[] };
  /** Outputs written, and those whose row carries their SHA-256. */
  fixity: { outputs: number; outputDigests: number };
  /** Saved ratio per non-failed image (SAVED_RATIO_BINS); images of 0 bytes are left out. */
  savedRatioHistogram: HistogramBin[];
  /** PSNR per row that has one (PSNR_BINS). */
  psnrHistogram: HistogramBin[];
  /** Palette size per row that has one (COLOR_BINS). */
  colorHistogram: HistogramBin[];
  /**
   * PSNR over the rows that have one: min/max/mean over the finite values,
   * `lossless` counts the infinite ones; min/max/mean are null when no
   * finite value was seen.
   */
  psnr: {
    count: number;
    lossless: number;
    min: number | null;
    max: number | null;
    mean: number | null;
  };
  /** SSIMULACRA 2.1 scores over the rows that have one (as in summary.json). */
  ssimulacra2: ScoreDistribution;
  /** The compressed rows with the lowest scores, lowest first (ties: by key); up to `worst`; never a lossless one (PSNR Infinity). */
  worst: WorstEntry[];
  /** The same scores in SCORE_BINS (below 0, then the bands of the scale). */
  ssimulacra2Histogram: HistogramBin[];
  /**
   * A sample of non-failed rows (up to `samplePoints`), chosen by a hash of
   * the key so it is the same whatever the order of rows; all of them when
   * there are fewer. Sorted by key.
   */
  sample: SamplePoint[];
}

/** A number that JSON can hold: PSNR's Infinity (lossless) travels as the string "Infinity". */
type JsonPsnr = number | null | 'Infinity';
const toJsonPsnr = (v: number | null): JsonPsnr =>
  v === Number.POSITIVE_INFINITY ? 'Infinity' : v;
const fromJsonPsnr = (v: JsonPsnr): number | null =>
  v === 'Infinity' ? Number.POSITIVE_INFINITY : v;

/**
 * A SummaryBuilder's whole state as JSON, so that finalize parts built on
 * different workers merge into exactly what one builder fed every row in
 * order would hold (see `merge`).
 */
export interface SummaryState {
  version: 1;
  counts: Summary['counts'];
  original: number;
  output: number;
  /** Bytes of the copied rows (absent in parts written before copies existed). */
  copied?: number;
  fixity: { outputs: number; outputDigests: number };
  largest: (Omit<SavingEntry, 'psnr'> & { psnr: JsonPsnr })[];
  failuresShown: FailureEntry[];
  sample: { hash: number; point: Omit<SamplePoint, 'psnr'> & { psnr: JsonPsnr } }[];
  histograms: { ratio: number[]; psnr: number[]; colors: number[] };
  psnr: {
    count: number;
    lossless: number;
    finite: number;
    sumMilli: number;
    min: number | null;
    max: number | null;
  };
  /** The score histogram (absent in parts written before scores were recorded). */
  scores?: ScoreHistogramState;
  /** The worst-scored compressed rows kept (absent in parts written before they were). */
  worst?: WorstEntry[];
}

/** SummaryBuilder options; every field optional. */
export interface SummaryBuilderOptions {
  /** How many of the largest savings to keep. Default 10. */
  largest?: number;
  /** How many failures to keep with their reasons. Default 1,000. */
  failures?: number;
  /** Size of the per-image sample for the scatter plot. Default 2,000. */
  samplePoints?: number;
  /** Failure reasons longer than this are cut (with "…"). Default 500. */
  errorChars?: number;
  /** Seed of the key hash that picks the sample. Default 0. */
  seed?: number;
  /** How many of the compressed rows with the lowest SSIMULACRA 2.1 scores to keep. Default 12. */
  worst?: number;
}

function intOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Hashed {
  hash: number;
  point: SamplePoint;
}

/**
 * Streams manifest rows into summary.json and the report's aggregate.
 * Memory is O(1) in the number of rows: counters, fixed histograms (the
 * scores' is 20,001 buckets, score-distribution.ts) and capped collections
 * (largest savings, failures, sample).
 */
export class SummaryBuilder {
  private readonly fixity = { outputs: 0, outputDigests: 0 };
  private readonly counts = {
    total: 0,
    compressed: 0,
    keptOriginal: 0,
    failed: 0,
    copied: 0,
    skipped: 0,
    sourceDeleted: 0,
    qualityMissed: 0,
  };
  private original = 0;
  private output = 0;
  private copiedBytes = 0;
  private readonly largest: BoundedHeap<SavingEntry>;
  private readonly failureCap: number;
  private readonly errorChars: number;
  private readonly seed: number;
  private readonly failuresShown: FailureEntry[] = [];
  private readonly sampleHeap: BoundedHeap<Hashed>;
  private readonly ratioHist = new FixedHistogram(SAVED_RATIO_BINS);
  private readonly psnrHist = new FixedHistogram(PSNR_BINS);
  private readonly colorHist = new FixedHistogram(COLOR_BINS);
  private psnrCount = 0;
  private psnrLossless = 0;
  private psnrFinite = 0;
  /** Sum of the finite PSNRs in integer millidecibels: exact, so the mean is the same in any order. */
  private psnrSumMilli = 0;
  private psnrMin = Number.POSITIVE_INFINITY;
  private psnrMax = Number.NEGATIVE_INFINITY;
  private readonly scores = new ScoreHistogram();
  private readonly worst: BoundedHeap<WorstEntry>;

  constructor(options: SummaryBuilderOptions = {}) {
    const largest = intOption('largest', options.largest, 10, 0);
    this.failureCap = intOption('failures', options.failures, 1000, 0);
    const samplePoints = intOption('samplePoints', options.samplePoints, 2000, 0);
    this.errorChars = intOption('errorChars', options.errorChars, 500, 1);
    this.seed = intOption('seed', options.seed, 0, 0);
    this.largest = new BoundedHeap<SavingEntry>(
      largest,
      (a, b) => a.savedBytes - b.savedBytes || byKey(b.key, a.key),
    );
    // Keep the lowest scores: rank a above b when its score is lower, then its key smaller.
    this.worst = new BoundedHeap<WorstEntry>(
      intOption('worst', options.worst, 12, 0),
      (a, b) => b.score - a.score || byKey(b.key, a.key),
    );
    // Keep the smallest hashes: rank a above b when its hash is smaller.
    this.sampleHeap = new BoundedHeap<Hashed>(
      samplePoints,
      (a, b) => b.hash - a.hash || byKey(b.point.key, a.point.key),
    );
  }

  /** Rows added so far. */
  get total(): number {
    return this.counts.total;
  }

  /** Adds one row (already validated, e.g. by parseRow). */
  add(row: ManifestRow): void {
    const c = this.counts;
    c.total++;
    if (row.sourceDeleted === true) c.sourceDeleted++;
    if (row.qualityMet === false) c.qualityMissed++;
    if (row.status !== 'failed' && row.outputKey !== null) {
      this.fixity.outputs++;
      if (row.outputSha256) this.fixity.outputDigests++;
    }
    if (row.status === 'failed') {
      this.addFailure(row);
      return;
    }
    if (row.status === 'copied' || row.status === 'skipped') {
      this.addCopy(row);
      return;
    }
    if (row.status === 'compressed') c.compressed++;
    else c.keptOriginal++;

    const outputBytes = row.outputBytes ?? row.originalBytes;
    this.original += row.originalBytes;
    this.output += outputBytes;
    const savedBytes = row.originalBytes - outputBytes;
    const savedRatio = row.originalBytes > 0 ? savedBytes / row.originalBytes : 0;
    if (row.originalBytes > 0) this.ratioHist.add(savedRatio);
    if (row.psnr !== null) this.addPsnr(row.psnr);
    if (row.colors !== null) this.colorHist.add(row.colors);
    if (row.ssimulacra2 !== null && row.ssimulacra2 !== undefined) {
      this.addScore(row, row.ssimulacra2, outputBytes);
    }
    this.offerImage(row, outputBytes, savedBytes, savedRatio);
  }

  /** A failed row: counted, and its reason kept (cut to errorChars) while under failureCap. */
  private addFailure(row: ManifestRow): void {
    this.counts.failed++;
    if (this.failuresShown.length < this.failureCap) {
      const reason = row.error ?? 'unknown error';
      const error =
        reason.length > this.errorChars ? `${reason.slice(0, this.errorChars)}…` : reason;
      this.failuresShown.push({ key: row.key, error });
    }
  }

  /** A copied or skipped row: not an image kpress compressed or kept, so counted apart, never as savings. */
  private addCopy(row: ManifestRow): void {
    if (row.status === 'skipped') this.counts.skipped++;
    else {
      this.counts.copied++;
      this.copiedBytes += row.outputBytes ?? row.originalBytes;
    }
  }

  /** One row's PSNR: its histogram, the lossless count, and the finite ones' sum, min and max. */
  private addPsnr(psnr: number): void {
    this.psnrCount++;
    this.psnrHist.add(psnr);
    if (psnr === Number.POSITIVE_INFINITY) {
      this.psnrLossless++;
    } else {
      this.psnrFinite++;
      this.psnrSumMilli += Math.round(psnr * 1000);
      if (psnr < this.psnrMin) this.psnrMin = psnr;
      if (psnr > this.psnrMax) this.psnrMax = psnr;
    }
  }

  /** One row's SSIMULACRA 2.1 score: its distribution, and a compressed output's place among the worst. */
  private addScore(row: ManifestRow, score: number, outputBytes: number): void {
    this.scores.add(score);
    // a lossless output (PSNR Infinity) has nothing to show, whatever the other scores
    if (
      row.status === 'compressed' &&
      row.outputKey !== null &&
      row.psnr !== Number.POSITIVE_INFINITY
    ) {
      this.worst.offer({
        key: row.key,
        outputKey: row.outputKey,
        score,
        colors: row.colors,
        originalBytes: row.originalBytes,
        outputBytes,
        width: row.width,
        height: row.height,
        sha256: row.sha256 ?? null,
        outputSha256: row.outputSha256 ?? null,
      });
    }
  }

  /** A compressed or kept row offered to the largest savings and to the key-hash sample. */
  private offerImage(
    row: ManifestRow,
    outputBytes: number,
    savedBytes: number,
    savedRatio: number,
  ): void {
    this.largest.offer({
      key: row.key,
      outputKey: row.outputKey,
      status: row.status,
      originalBytes: row.originalBytes,
      outputBytes,
      savedBytes,
      savedRatio,
      psnr: row.psnr,
      colors: row.colors,
    });
    const hash = keyHash(row.key, this.seed);
    this.sampleHeap.offer({
      hash,
      point: {
        key: row.key,
        status: row.status,
        originalBytes: row.originalBytes,
        outputBytes,
        savedRatio,
        psnr: row.psnr,
        colors: row.colors,
      },
    });
  }

  private bytes(): Summary['bytes'] {
    return {
      original: this.original,
      output: this.output,
      saved: this.original - this.output,
      copied: this.copiedBytes,
    };
  }

  private ratio(): number {
    return this.original > 0 ? (this.original - this.output) / this.original : 0;
  }

  /** summary.json for the rows added so far; throws a ZodError naming a bad meta field. */
  summary(meta: SummaryMeta): Summary {
    return SummarySchema.parse({
      batchId: meta.batchId,
      source: meta.source,
      dest: meta.dest,
      colors: meta.colors,
      startedAt: meta.startedAt,
      finishedAt: meta.finishedAt,
      counts: { ...this.counts },
      bytes: this.bytes(),
      savedRatio: this.ratio(),
      fixity: { ...this.fixity },
      ssimulacra2: this.scores.distribution(),
      ...(meta.kpressVersion === undefined ? {} : { kpressVersion: meta.kpressVersion }),
    });
  }

  /** The report's aggregate for the rows added so far. */
  aggregate(): ReportAggregate {
    const finite = this.psnrFinite > 0;
    return {
      counts: { ...this.counts },
      bytes: this.bytes(),
      savedRatio: this.ratio(),
      largestSavings: this.largest.sorted(),
      failures: { total: this.counts.failed, shown: [...this.failuresShown] },
      fixity: { ...this.fixity },
      savedRatioHistogram: this.ratioHist.bins(),
      psnrHistogram: this.psnrHist.bins(),
      colorHistogram: this.colorHist.bins(),
      psnr: {
        count: this.psnrCount,
        lossless: this.psnrLossless,
        min: finite ? this.psnrMin : null,
        max: finite ? this.psnrMax : null,
        mean: finite ? this.psnrSumMilli / 1000 / this.psnrFinite : null,
      },
      ssimulacra2: this.scores.distribution(),
      ssimulacra2Histogram: this.scores.bins(),
      worst: this.worst.sorted(),
      sample: this.sampleHeap
        .sorted()
        .map((h) => h.point)
        .sort((a, b) => byKey(a.key, b.key)),
    };
  }

  /** The whole state, as JSON (a finalize part's; see `merge`). */
  state(): SummaryState {
    return {
      version: 1,
      counts: { ...this.counts },
      original: this.original,
      output: this.output,
      copied: this.copiedBytes,
      fixity: { ...this.fixity },
      largest: this.largest.sorted().map((e) => ({ ...e, psnr: toJsonPsnr(e.psnr) })),
      failuresShown: [...this.failuresShown],
      sample: this.sampleHeap
        .sorted()
        .map((h) => ({ hash: h.hash, point: { ...h.point, psnr: toJsonPsnr(h.point.psnr) } })),
      histograms: {
        ratio: this.ratioHist.countsState(),
        psnr: this.psnrHist.countsState(),
        colors: this.colorHist.countsState(),
      },
      psnr: {
        count: this.psnrCount,
        lossless: this.psnrLossless,
        finite: this.psnrFinite,
        sumMilli: this.psnrSumMilli,
        min: Number.isFinite(this.psnrMin) ? this.psnrMin : null,
        max: Number.isFinite(this.psnrMax) ? this.psnrMax : null,
      },
      scores: this.scores.state(),
      worst: this.worst.sorted(),
    };
  }

  /**
   * Adds the rows behind another builder's `state()`, as if they had been
   * added here after the rows so far. Merging the states of consecutive key
   * ranges in key order gives what one builder fed every row in that order
   * holds: sums and histograms add, the capped collections keep the same
   * members (largest savings and the sample rank by value then key; the
   * failures shown are the first ones in order), and the PSNR mean is summed
   * exactly. Both builders must have the same options.
   */
  merge(state: SummaryState): void {
    if (state.version !== 1)
      throw new RangeError(`summary state version ${state.version} is not 1`);
    for (const k of Object.keys(this.counts) as (keyof Summary['counts'])[]) {
      this.counts[k] += state.counts[k] ?? 0;
    }
    this.original += state.original;
    this.output += state.output;
    this.copiedBytes += state.copied ?? 0;
    this.fixity.outputs += state.fixity.outputs;
    this.fixity.outputDigests += state.fixity.outputDigests;
    for (const e of state.largest) this.largest.offer({ ...e, psnr: fromJsonPsnr(e.psnr) });
    for (const f of state.failuresShown) {
      if (this.failuresShown.length >= this.failureCap) break;
      this.failuresShown.push(f);
    }
    for (const h of state.sample) {
      this.sampleHeap.offer({
        hash: h.hash,
        point: { ...h.point, psnr: fromJsonPsnr(h.point.psnr) },
      });
    }
    this.ratioHist.addCounts(state.histograms.ratio);
    this.psnrHist.addCounts(state.histograms.psnr);
    this.colorHist.addCounts(state.histograms.colors);
    const p = state.psnr;
    this.psnrCount += p.count;
    this.psnrLossless += p.lossless;
    this.psnrFinite += p.finite;
    this.psnrSumMilli += p.sumMilli;
    if (p.min !== null && p.min < this.psnrMin) this.psnrMin = p.min;
    if (p.max !== null && p.max > this.psnrMax) this.psnrMax = p.max;
    if (state.scores !== undefined) this.scores.merge(state.scores);
    for (const w of state.worst ?? []) this.worst.offer(w);
  }

  /** Sizes of the retained collections (for tests and diagnostics). */
  retained(): { largest: number; failures: number; sample: number } {
    return {
      largest: this.largest.size,
      failures: this.failuresShown.length,
      sample: this.sampleHeap.size,
    };
  }
}
