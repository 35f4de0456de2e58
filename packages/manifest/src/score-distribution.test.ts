import { describe, expect, it } from 'vitest';
import { SCORE_BANDS, ScoreDistributionSchema, ScoreHistogram } from './score-distribution.js';

/** Nearest-rank percentile over a sorted copy: the definition, computed the obvious way. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

/** Scores with 2 decimals, as rows carry them, from a fixed PRNG. */
function scores(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.round(((s / 2 ** 32) * 140 - 40) * 100) / 100); // -40 .. 100
  }
  return out;
}

describe('ScoreHistogram', () => {
  it('is empty: count 0, nulls, every band 0', () => {
    const d = new ScoreHistogram().distribution();
    expect(d).toEqual({
      count: 0,
      min: null,
      p5: null,
      median: null,
      below: { '30': 0, '50': 0, '70': 0, '80': 0, '85': 0, '90': 0 },
    });
    expect(ScoreDistributionSchema.parse(d)).toEqual(d);
  });

  it('gives exact min, p5, median and band counts for 2-decimal scores', () => {
    for (const n of [1, 2, 19, 20, 21, 1000, 20_001]) {
      const values = scores(n, n);
      const h = new ScoreHistogram();
      for (const v of values) h.add(v);
      const d = h.distribution();
      expect(d.count).toBe(n);
      expect(d.min).toBe(Math.min(...values));
      expect(d.p5, `p5 of ${n}`).toBe(nearestRank(values, 5));
      expect(d.median, `median of ${n}`).toBe(nearestRank(values, 50));
      for (const band of SCORE_BANDS) {
        expect(d.below[String(band)], `below ${band} of ${n}`).toBe(
          values.filter((v) => v < band).length,
        );
      }
    }
  });

  it('counts a score equal to a band as reaching it, and the median of an even count is the lower middle', () => {
    const h = new ScoreHistogram();
    for (const v of [80, 79.99, 90, 100]) h.add(v);
    const d = h.distribution();
    expect(d.below).toMatchObject({ '80': 1, '85': 2, '90': 2 });
    expect(d.median).toBe(80);
    expect(d.p5).toBe(79.99);
  });

  it('keeps the exact minimum below -100, and gives it for a percentile down there', () => {
    const h = new ScoreHistogram();
    h.add(-250.5);
    h.add(-120);
    for (let i = 0; i < 38; i++) h.add(85);
    const d = h.distribution();
    expect(d.min).toBe(-250.5);
    expect(d.p5).toBe(-250.5); // rank 2 of 40 lies under -100: the lower bound
    expect(d.median).toBe(85);
    expect(d.below['30']).toBe(2);
  });

  it('bins the scores by the bands of the scale for the report, each score once', () => {
    const h = new ScoreHistogram();
    for (const v of [-250, -0.01, 0, 29.99, 30, 69.99, 70, 79.99, 80, 84.99, 85, 89.99, 90, 100])
      h.add(v);
    expect(h.bins().map((b) => [b.label, b.count])).toEqual([
      ['< 0', 2],
      ['0–30', 2],
      ['30–50', 1],
      ['50–70', 1],
      ['70–80', 2],
      ['80–85', 2],
      ['85–90', 2],
      ['90–100', 2],
    ]);
    const values = scores(3000, 3);
    const many = new ScoreHistogram();
    for (const v of values) many.add(v);
    const bins = many.bins();
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3000);
    for (const b of bins)
      expect(b.count, b.label).toBe(
        values.filter((v) => v >= b.lo && (v < b.hi || (b.hi === 100 && v === 100))).length,
      );
  });

  it('refuses what is not a score, naming it', () => {
    const h = new ScoreHistogram();
    expect(() => h.add(100.01)).toThrow(/score must be a finite number <= 100, got 100.01/);
    expect(() => h.add(Number.NaN)).toThrow(/got NaN/);
  });

  it('merged from parts, equals one histogram fed every score; the state stays small', () => {
    const values = scores(5000, 7);
    const whole = new ScoreHistogram();
    for (const v of values) whole.add(v);
    const merged = new ScoreHistogram();
    for (const part of [values.slice(0, 1234), values.slice(1234, 1300), values.slice(1300)]) {
      const h = new ScoreHistogram();
      for (const v of part) h.add(v);
      merged.merge(JSON.parse(JSON.stringify(h.state())));
    }
    expect(merged.distribution()).toEqual(whole.distribution());
    // sparse: one entry per distinct score, never the 20,001 buckets
    expect(whole.state().buckets.length).toBe(new Set(values).size);
    expect(() =>
      merged.merge({ buckets: [[20_001, 1]], under: 0, min: null, below: [0, 0, 0, 0, 0, 0] }),
    ).toThrow(/bucket 20001 is outside 0..20000/);
  });
});
