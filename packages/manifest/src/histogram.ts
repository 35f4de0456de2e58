/** One histogram bin: values v with lo <= v < hi (the last finite bin includes hi). */
export interface HistogramBin {
  /** Human label, e.g. "30–35 dB". */
  label: string;
  lo: number;
  hi: number;
  count: number;
}

export interface BinSpec {
  label: string;
  lo: number;
  hi: number;
}

/** Fixed bins over a value, O(bins) memory. Values outside every bin are counted in `outside`. */
export class FixedHistogram {
  private readonly counts: number[];
  outside = 0;

  constructor(private readonly specs: readonly BinSpec[]) {
    this.counts = specs.map(() => 0);
  }

  add(value: number): void {
    const specs = this.specs;
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i] as BinSpec;
      const last = i === specs.length - 1;
      if (value >= s.lo && (value < s.hi || (last && value === s.hi))) {
        this.counts[i] = (this.counts[i] ?? 0) + 1;
        return;
      }
    }
    this.outside++;
  }

  /** The count of each bin, in order, and `outside` last (a part's state; see SummaryBuilder.state). */
  countsState(): number[] {
    return [...this.counts, this.outside];
  }

  /** Adds another histogram's `countsState()` of the same bins (merging finalize parts). */
  addCounts(counts: readonly number[]): void {
    if (counts.length !== this.counts.length + 1) {
      throw new RangeError(
        `histogram state has ${counts.length} counts, expected ${this.counts.length + 1}`,
      );
    }
    for (let i = 0; i < this.counts.length; i++)
      this.counts[i] = (this.counts[i] ?? 0) + (counts[i] ?? 0);
    this.outside += counts[this.counts.length] ?? 0;
  }

  bins(): HistogramBin[] {
    return this.specs.map((s, i) => ({ ...s, count: this.counts[i] ?? 0 }));
  }
}

/**
 * Saved ratio per image, (original - output) / original: "< 0%" (output
 * larger), then ten 10% bins up to 100%.
 */
export const SAVED_RATIO_BINS: readonly BinSpec[] = [
  { label: '< 0%', lo: Number.NEGATIVE_INFINITY, hi: 0 },
  ...Array.from({ length: 10 }, (_, i) => ({
    label: `${i * 10}–${i * 10 + 10}%`,
    lo: i / 10,
    hi: (i + 1) / 10,
  })),
];

/** PSNR in dB: below 20, 5 dB steps to 50, 50 and over, and lossless (Infinity). */
export const PSNR_BINS: readonly BinSpec[] = [
  { label: '< 20 dB', lo: 0, hi: 20 },
  ...[20, 25, 30, 35, 40, 45].map((lo) => ({ label: `${lo}–${lo + 5} dB`, lo, hi: lo + 5 })),
  { label: '≥ 50 dB', lo: 50, hi: Number.MAX_VALUE },
  { label: 'lossless', lo: Number.POSITIVE_INFINITY, hi: Number.POSITIVE_INFINITY },
];

/** Palette sizes in powers of two: 1–2, 3–4, 5–8, ..., 129–256. */
export const COLOR_BINS: readonly BinSpec[] = [
  { label: '1–2', lo: 1, hi: 3 },
  ...[1, 2, 3, 4, 5, 6, 7].map((p) => ({
    label: `${2 ** p + 1}–${2 ** (p + 1)}`,
    lo: 2 ** p + 1,
    hi: 2 ** (p + 1) + 1,
  })),
];
