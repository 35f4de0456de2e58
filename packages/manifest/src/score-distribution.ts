/**
 * The distribution of SSIMULACRA 2.1 scores over a batch's rows, in bounded
 * memory whatever the number of rows: a fixed histogram of 0.01-wide buckets
 * from -100 to 100 (20,001 counts, about 160 kB) plus the exact minimum and a
 * counter per band. Pure.
 *
 * Precision: rows carry scores rounded to 2 decimals, and each bucket holds
 * one such value, so the minimum, the 5th percentile and the median are exact
 * for scores from -100 up. A percentile that falls below -100 (a score that
 * low is an image destroyed) is given as the minimum, a lower bound. The band
 * counts are exact at any score. Percentiles are by nearest rank: the p-th is
 * the smallest score s with at least ceil(p/100 * count) scores <= s (so the
 * median of an even count is the lower middle one).
 */
import { z } from 'zod';
import type { HistogramBin } from './histogram.js';

/**
 * The bands of the scale (the metric's authors): 30 low, 50 medium, 70 high,
 * 80 very high (not noticeable side by side at 1:1), 85 excellent, 90
 * visually lossless. `below[b]` counts the scores under b.
 */
export const SCORE_BANDS = [30, 50, 70, 80, 85, 90] as const;

/** The report's histogram bins: below 0, then the bands of the scale up to 100 (included). */
export const SCORE_BINS: readonly { label: string; lo: number; hi: number }[] = [
  { label: '< 0', lo: Number.NEGATIVE_INFINITY, hi: 0 },
  ...[0, 30, 50, 70, 80, 85, 90].map((lo, i, all) => {
    const hi = all[i + 1] ?? 100;
    return { label: `${lo}–${hi}`, lo, hi };
  }),
];

const BUCKET = 0.01;
const LOW = -100;
const HIGH = 100;
const BUCKETS = Math.round((HIGH - LOW) / BUCKET) + 1;

const count = z.number().int().min(0);
const score = z.number().max(100).nullable();

/** summary.json's `ssimulacra2`: the scores of the rows that carry one. */
export const ScoreDistributionSchema = z.object({
  /** Rows with a score (compressed rows of 8x8 pixels or more). */
  count,
  /** Null when no row has a score. */
  min: score,
  p5: score,
  median: score,
  /** For each band (30, 50, 70, 80, 85, 90): rows scoring below it. */
  below: z.record(z.string().regex(/^\d+$/), count),
});
export type ScoreDistribution = z.infer<typeof ScoreDistributionSchema>;

/** A ScoreHistogram's state as JSON (finalize parts merge): non-zero buckets as [index, count]. */
export interface ScoreHistogramState {
  buckets: [number, number][];
  /** Scores under -100, with the exact minimum. */
  under: number;
  min: number | null;
  below: number[];
}

/** Streams scores into a ScoreDistribution; O(1) memory in the number of scores. */
export class ScoreHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private under = 0;
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private readonly below = SCORE_BANDS.map(() => 0);

  add(value: number): void {
    if (!Number.isFinite(value) || value > HIGH) {
      throw new RangeError(`an SSIMULACRA 2 score must be a finite number <= 100, got ${value}`);
    }
    this.total++;
    if (value < this.min) this.min = value;
    for (const [i, band] of SCORE_BANDS.entries()) {
      if (value < band) this.below[i] = (this.below[i] ?? 0) + 1;
    }
    const index = Math.round((value - LOW) / BUCKET);
    if (index < 0) this.under++;
    else this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  /** The smallest score s with at least ceil(p/100 * count) scores <= s; null when empty. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    if (rank <= this.under) return this.min;
    let seen = this.under;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.round((LOW + i * BUCKET) * 100) / 100;
    }
    throw new Error(`score histogram holds fewer than ${this.total} scores`);
  }

  distribution(): ScoreDistribution {
    const below: Record<string, number> = {};
    for (const [i, band] of SCORE_BANDS.entries()) below[String(band)] = this.below[i] ?? 0;
    return {
      count: this.total,
      min: this.total === 0 ? null : this.min,
      p5: this.percentile(5),
      median: this.percentile(50),
      below,
    };
  }

  /** Counts per SCORE_BINS bin (lo <= score < hi; 100 in the last), from the buckets. */
  bins(): HistogramBin[] {
    const out = SCORE_BINS.map((b) => ({ ...b, count: 0 }));
    const first = out[0] as HistogramBin;
    first.count += this.under;
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.counts[i] ?? 0;
      if (n === 0) continue;
      const score = Math.round((LOW + i * BUCKET) * 100) / 100;
      const bin = out.findLast((b) => score >= b.lo) ?? first;
      bin.count += n;
    }
    return out;
  }

  state(): ScoreHistogramState {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.counts[i] ?? 0;
      if (n > 0) buckets.push([i, n]);
    }
    return {
      buckets,
      under: this.under,
      min: this.total === 0 ? null : this.min,
      below: [...this.below],
    };
  }

  /** Adds the scores behind another histogram's `state()`. */
  merge(state: ScoreHistogramState): void {
    if (state.below.length !== SCORE_BANDS.length) {
      throw new RangeError(
        `score state has ${state.below.length} band counts, expected ${SCORE_BANDS.length}`,
      );
    }
    for (const [i, n] of state.buckets) {
      if (!Number.isInteger(i) || i < 0 || i >= BUCKETS) {
        throw new RangeError(`score state bucket ${i} is outside 0..${BUCKETS - 1}`);
      }
      this.counts[i] = (this.counts[i] ?? 0) + n;
      this.total += n;
    }
    this.under += state.under;
    this.total += state.under;
    if (state.min !== null && state.min < this.min) this.min = state.min;
    for (const [i, n] of state.below.entries()) this.below[i] = (this.below[i] ?? 0) + n;
  }
}
