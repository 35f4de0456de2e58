import { describe, expect, it } from 'vitest';
import type { ManifestRow } from './row.js';
import { SummaryBuilder, SummarySchema } from './summary-builder.js';

const meta = {
  batchId: 'b1',
  source: 's3://src/photos/',
  dest: 's3://dst/photos/',
  colors: 16,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
};

function compressed(
  key: string,
  originalBytes: number,
  outputBytes: number,
  psnr = 30,
  colors = 16,
): ManifestRow {
  return {
    key,
    status: 'compressed',
    originalBytes,
    outputKey: `out/${key}.png`,
    outputBytes,
    width: 10,
    height: 10,
    colors,
    psnr,
    ms: 1,
    error: null,
  };
}
function kept(key: string, bytes: number): ManifestRow {
  return {
    key,
    status: 'kept-original',
    originalBytes: bytes,
    outputKey: `out/${key}`,
    outputBytes: bytes,
    width: 10,
    height: 10,
    colors: null,
    psnr: null,
    ms: 1,
    error: 'palette PNG not smaller than the original',
  };
}
function failed(key: string, bytes: number, error = 'truncated JPEG'): ManifestRow {
  return {
    key,
    status: 'failed',
    originalBytes: bytes,
    outputKey: null,
    outputBytes: null,
    width: null,
    height: null,
    colors: null,
    psnr: null,
    ms: 1,
    error,
  };
}

describe('SummaryBuilder.summary', () => {
  it('counts statuses and sums bytes over the rows that did not fail', () => {
    const b = new SummaryBuilder();
    b.add({ ...compressed('a', 1000, 250), ssimulacra2: 81.44 }); // saves 750
    b.add({ ...compressed('b', 3000, 1000), ssimulacra2: 12.5 }); // saves 2000
    b.add(kept('c', 500)); // saves 0
    b.add(failed('d', 99999)); // excluded from bytes
    b.add({ ...compressed('e', 100, 50), qualityMet: false }); // a --quality target missed
    b.add({ ...compressed('f', 100, 50), qualityMet: true, ssimulacra2: 90 });
    const s = b.summary(meta);
    expect(s).toEqual({
      ...meta,
      counts: {
        total: 6,
        compressed: 4,
        keptOriginal: 1,
        failed: 1,
        copied: 0,
        skipped: 0,
        sourceDeleted: 0,
        qualityMissed: 1,
      },
      bytes: { original: 4700, output: 1850, saved: 2850, copied: 0 },
      savedRatio: 2850 / 4700,
      // five outputs written; these rows carry no digest
      fixity: { outputs: 5, outputDigests: 0 },
      // the three rows that carry a score (e has none: a row from before scores)
      ssimulacra2: {
        count: 3,
        min: 12.5,
        p5: 12.5,
        median: 81.44,
        below: { '30': 1, '50': 1, '70': 1, '80': 1, '85': 2, '90': 2 },
      },
    });
    expect(b.aggregate().ssimulacra2).toEqual(s.ssimulacra2);
    expect(SummarySchema.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it('counts copies and skips apart: their bytes are no savings, and merge keeps them', () => {
    const copied = (key: string, bytes: number): ManifestRow => ({
      ...kept(key, bytes),
      status: 'copied',
      error: 'not an image',
    });
    const skipped = (key: string, bytes: number): ManifestRow => ({
      ...failed(key, bytes),
      status: 'skipped',
      error: 'not an image',
    });
    const rows = [
      compressed('a', 1000, 250),
      kept('b', 500),
      copied('c', 7000),
      copied('d', 3000),
      skipped('e', 400),
    ];
    const b = new SummaryBuilder();
    for (const r of rows) b.add(r);
    const s = b.summary(meta);
    expect(s.counts).toMatchObject({
      total: 5,
      compressed: 1,
      keptOriginal: 1,
      copied: 2,
      skipped: 1,
      failed: 0,
    });
    // the images' bytes only: 1500 -> 750, half saved; the copies' 10,000 bytes apart
    expect(s.bytes).toEqual({ original: 1500, output: 750, saved: 750, copied: 10_000 });
    expect(s.savedRatio).toBe(0.5);
    // the copies are outputs too (manifest-sha256.txt, verify)
    expect(s.fixity?.outputs).toBe(4);
    const first = new SummaryBuilder();
    const second = new SummaryBuilder();
    for (const r of rows.slice(0, 3)) first.add(r);
    for (const r of rows.slice(3)) second.add(r);
    first.merge(JSON.parse(JSON.stringify(second.state())));
    expect(first.summary(meta)).toEqual(s);
    // an older summary, written before copies, reads with none
    const old = JSON.parse(JSON.stringify(s));
    delete old.counts.copied;
    delete old.counts.skipped;
    delete old.bytes.copied;
    expect(SummarySchema.parse(old).counts.copied).toBe(0);
    expect(SummarySchema.parse(old).bytes.copied).toBe(0);
  });

  it('gives a ratio of 0 when nothing succeeded or there are no rows', () => {
    expect(new SummaryBuilder().summary(meta)).toMatchObject({
      counts: {
        total: 0,
        compressed: 0,
        keptOriginal: 0,
        failed: 0,
        sourceDeleted: 0,
        qualityMissed: 0,
      },
      bytes: { original: 0, output: 0, saved: 0 },
      savedRatio: 0,
    });
    const b = new SummaryBuilder();
    b.add(failed('x', 10));
    b.add(failed('y', 20));
    expect(b.summary(meta)).toMatchObject({
      counts: { total: 2, failed: 2 },
      bytes: { original: 0, output: 0, saved: 0 },
      savedRatio: 0,
    });
  });

  it('handles zero-byte sources without dividing by zero', () => {
    const b = new SummaryBuilder();
    b.add(kept('empty', 0));
    const s = b.summary(meta);
    expect(s.savedRatio).toBe(0);
    expect(s.counts.keptOriginal).toBe(1);
    const agg = b.aggregate();
    expect(agg.largestSavings[0]?.savedRatio).toBe(0);
    expect(agg.savedRatioHistogram.reduce((n, bin) => n + bin.count, 0)).toBe(0);
  });

  it('names a bad meta field', () => {
    expect(() => new SummaryBuilder().summary({ ...meta, colors: 0 })).toThrow(/colors/);
  });

  it('rejects bad options with the option name and value', () => {
    expect(() => new SummaryBuilder({ largest: -1 })).toThrow(RangeError);
    expect(() => new SummaryBuilder({ samplePoints: 1.5 })).toThrow(/samplePoints.*1\.5/);
  });
});

describe('SummaryBuilder.aggregate', () => {
  it('keeps the largest savings, largest first', () => {
    const b = new SummaryBuilder({ largest: 2 });
    b.add(compressed('small', 100, 90));
    b.add(compressed('big', 10000, 1000));
    b.add(compressed('mid', 5000, 1000));
    b.add(kept('kept', 50000));
    const agg = b.aggregate();
    expect(agg.largestSavings.map((e) => [e.key, e.savedBytes])).toEqual([
      ['big', 9000],
      ['mid', 4000],
    ]);
    expect(agg.largestSavings[0]?.savedRatio).toBeCloseTo(0.9);
  });

  it('bins saved ratio, PSNR and colours', () => {
    const b = new SummaryBuilder();
    b.add(compressed('a', 1000, 950, 19, 2)); // 5% ; <20 dB ; 1–2
    b.add(compressed('b', 1000, 500, 30, 16)); // 50% ; 30–35 ; 9–16
    b.add(compressed('c', 1000, 0, Number.POSITIVE_INFINITY, 256)); // 100% ; lossless ; 129–256
    b.add(compressed('d', 1000, 1200, 52, 3)); // -20% ; >=50 ; 3–4
    b.add(kept('e', 1000)); // 0%
    b.add(failed('f', 1000));
    const agg = b.aggregate();
    const counts = (h: { label: string; count: number }[]) =>
      Object.fromEntries(h.filter((x) => x.count > 0).map((x) => [x.label, x.count]));
    expect(counts(agg.savedRatioHistogram)).toEqual({
      '< 0%': 1,
      '0–10%': 2,
      '50–60%': 1,
      '90–100%': 1,
    });
    expect(counts(agg.psnrHistogram)).toEqual({
      '< 20 dB': 1,
      '30–35 dB': 1,
      '≥ 50 dB': 1,
      lossless: 1,
    });
    expect(counts(agg.colorHistogram)).toEqual({ '1–2': 1, '3–4': 1, '9–16': 1, '129–256': 1 });
    expect(agg.psnr).toEqual({ count: 4, lossless: 1, min: 19, max: 52, mean: (19 + 30 + 52) / 3 });
  });

  it('keeps failures with reasons, cut when long', () => {
    const b = new SummaryBuilder({ failures: 2, errorChars: 5 });
    b.add(failed('x', 1, 'short'));
    b.add(failed('y', 1, 'much too long'));
    b.add(failed('z', 1, 'dropped'));
    expect(b.aggregate().failures).toEqual({
      total: 3,
      shown: [
        { key: 'x', error: 'short' },
        { key: 'y', error: 'much …' },
      ],
    });
  });

  it('samples the same rows whatever the order they come in', () => {
    const rows = Array.from({ length: 500 }, (_, i) => compressed(`k${i}`, 1000, i));
    const a = new SummaryBuilder({ samplePoints: 50 });
    const b = new SummaryBuilder({ samplePoints: 50 });
    for (const r of rows) a.add(r);
    for (const r of [...rows].reverse()) b.add(r);
    const sa = a.aggregate().sample;
    expect(sa).toHaveLength(50);
    expect(b.aggregate().sample).toEqual(sa);
    const c = new SummaryBuilder({ samplePoints: 50, seed: 7 });
    for (const r of rows) c.add(r);
    expect(c.aggregate().sample.map((p) => p.key)).not.toEqual(sa.map((p) => p.key));
  });

  it('keeps every row in the sample when there are fewer than the cap', () => {
    const b = new SummaryBuilder();
    for (let i = 0; i < 5; i++) b.add(compressed(`k${i}`, 100, 10 * i));
    b.add(failed('bad', 1));
    expect(b.aggregate().sample.map((p) => p.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });

  it('stays bounded over 200,000 rows', () => {
    const b = new SummaryBuilder();
    for (let i = 0; i < 200_000; i++) {
      if (i % 10 === 0) b.add(failed(`f/${i}.jpg`, 10, `reason ${i}`));
      else
        b.add(
          compressed(
            `ok/${i}.jpg`,
            10_000 + (i % 997),
            1000 + (i % 13),
            25 + (i % 20),
            1 + (i % 256),
          ),
        );
    }
    expect(b.retained()).toEqual({ largest: 10, failures: 1000, sample: 2000 });
    const agg = b.aggregate();
    expect(agg.counts).toEqual({
      total: 200_000,
      compressed: 180_000,
      keptOriginal: 0,
      failed: 20_000,
      copied: 0,
      skipped: 0,
      sourceDeleted: 0,
      qualityMissed: 0,
    });
    expect(agg.failures.total).toBe(20_000);
    expect(agg.failures.shown).toHaveLength(1000);
    expect(agg.failures.shown[0]?.key).toBe('f/0.jpg');
    expect(agg.sample).toHaveLength(2000);
    expect(agg.largestSavings).toHaveLength(10);
    // brute force: the ten largest savings among the compressed rows, ties by key
    const all: [string, number][] = [];
    for (let i = 0; i < 200_000; i++) {
      if (i % 10 !== 0) all.push([`ok/${i}.jpg`, 10_000 + (i % 997) - 1000 - (i % 13)]);
    }
    all.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    expect(agg.largestSavings.map((e) => [e.key, e.savedBytes])).toEqual(all.slice(0, 10));
    expect(JSON.stringify(agg).length).toBeLessThan(1_000_000);
  });
});

describe('SummaryBuilder state and merge (finalize parts)', () => {
  // 600 rows in key order: compressed, kept, failed and lossless, with ties in saved bytes
  const rows: ManifestRow[] = Array.from({ length: 600 }, (_, i) => {
    const key = `k/${String(i).padStart(4, '0')}.jpg`;
    if (i % 17 === 0) return failed(key, 100 + i, `reason ${i}`);
    if (i % 11 === 0) return kept(key, 50 + i);
    const row = compressed(
      key,
      1000 + (i % 37) * 10,
      400 + (i % 5) * 10,
      i % 13 === 0 ? Infinity : 25 + (i % 97) / 7,
      2 + (i % 200),
    );
    // scores (2 decimals) on most compressed rows, some below -100
    return i % 7 === 0 ? row : { ...row, ssimulacra2: Math.round((i * 37.77) % 230) - 130 + 0.25 };
  });
  const options = { largest: 7, failures: 5, samplePoints: 40 };

  it('merging the states of consecutive ranges, in order, gives what one builder gives', () => {
    const serial = new SummaryBuilder(options);
    for (const r of rows) serial.add(r);
    for (const cuts of [
      [0, 600],
      [0, 1, 250, 251, 599, 600],
      [0, 100, 200, 300, 400, 500, 600],
    ]) {
      const merged = new SummaryBuilder(options);
      for (let i = 0; i + 1 < cuts.length; i++) {
        const part = new SummaryBuilder(options);
        for (const r of rows.slice(cuts[i], cuts[i + 1])) part.add(r);
        // through JSON, as the parts travel between workers
        merged.merge(JSON.parse(JSON.stringify(part.state())));
      }
      expect(merged.aggregate()).toEqual(serial.aggregate());
      expect(merged.aggregate().ssimulacra2.count).toBeGreaterThan(400);
      expect(merged.summary(meta)).toEqual(serial.summary(meta));
      expect(JSON.stringify(merged.state())).toBe(JSON.stringify(serial.state()));
    }
  });

  it('keeps lossless PSNRs through JSON, and refuses another version', () => {
    const b = new SummaryBuilder();
    b.add(compressed('a', 100, 10, Infinity));
    const m = new SummaryBuilder();
    m.merge(JSON.parse(JSON.stringify(b.state())));
    expect(m.aggregate().largestSavings[0]?.psnr).toBe(Infinity);
    expect(m.aggregate().psnr.lossless).toBe(1);
    expect(() => m.merge({ ...b.state(), version: 2 as 1 })).toThrow(/version 2/);
  });
});

describe('SummaryBuilder worst cases (the report’s lowest scores)', () => {
  const scored = (key: string, score: number, status: ManifestRow['status'] = 'compressed') => ({
    ...(status === 'compressed' ? compressed(key, 1000, 400) : kept(key, 1000)),
    ssimulacra2: score,
  });
  // 5,000 rows with many tied scores; some kept originals with low scores (not outputs: never worst)
  const rows: ManifestRow[] = Array.from({ length: 5000 }, (_, i) => {
    const key = `w/${String((i * 7919) % 5000).padStart(5, '0')}.jpg`;
    if (i % 50 === 0) return scored(key, -500, 'kept-original');
    if (i % 9 === 0) return compressed(key, 1000, 400);
    return scored(key, Math.round(((i * 31) % 400) / 4) / 1 - 10);
  });
  const bruteForce = (n: number) =>
    rows
      .filter((r) => r.status === 'compressed' && typeof r.ssimulacra2 === 'number')
      .map((r) => [r.key, r.ssimulacra2 as number] as const)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n);

  it('keeps the N compressed rows with the lowest scores, lowest first, ties by key', () => {
    const b = new SummaryBuilder({ worst: 12 });
    for (const r of rows) b.add(r);
    const worst = b.aggregate().worst;
    expect(worst).toHaveLength(12);
    expect(worst.map((w) => [w.key, w.score])).toEqual(bruteForce(12));
    // many rows tie at the lowest score: the key decides, so the choice is deterministic
    expect(new Set(worst.map((w) => w.score)).size).toBeLessThan(12);
    expect(worst[0]).toMatchObject({ outputBytes: 400, originalBytes: 1000, colors: 16 });
    expect(worst[0]?.outputKey).toBe(`out/${worst[0]?.key}.png`);
  });

  it('gives the same worst cases whatever the order of rows, and through merged parts', () => {
    const forward = new SummaryBuilder({ worst: 20 });
    const backward = new SummaryBuilder({ worst: 20 });
    for (const r of rows) forward.add(r);
    for (const r of [...rows].reverse()) backward.add(r);
    expect(backward.aggregate().worst).toEqual(forward.aggregate().worst);
    const merged = new SummaryBuilder({ worst: 20 });
    for (let i = 0; i < rows.length; i += 1300) {
      const part = new SummaryBuilder({ worst: 20 });
      for (const r of rows.slice(i, i + 1300)) part.add(r);
      merged.merge(JSON.parse(JSON.stringify(part.state())));
    }
    expect(merged.aggregate().worst).toEqual(forward.aggregate().worst);
    expect(merged.aggregate().worst.map((w) => [w.key, w.score])).toEqual(bruteForce(20));
  });

  it('never counts a lossless output (PSNR Infinity, e.g. a 16-bit source kept 16-bit) among the worst', () => {
    const b = new SummaryBuilder({ worst: 12 });
    b.add({ ...compressed('deep16.png', 1000, 800, Infinity), ssimulacra2: 100 });
    b.add({ ...compressed('photo.jpg', 1000, 400, 31), ssimulacra2: 33 });
    expect(b.aggregate().worst.map((w) => w.key)).toEqual(['photo.jpg']);
    // its score still counts in the distribution
    expect(b.aggregate().ssimulacra2.count).toBe(2);
  });

  it('keeps none with worst 0, reads parts written before worst cases were kept, refuses -1', () => {
    const off = new SummaryBuilder({ worst: 0 });
    for (const r of rows) off.add(r);
    expect(off.aggregate().worst).toEqual([]);
    const old = new SummaryBuilder();
    for (const r of rows.slice(0, 100)) old.add(r);
    const { worst: _dropped, ...olderState } = old.state();
    const merged = new SummaryBuilder();
    merged.merge(olderState);
    expect(merged.aggregate().worst).toEqual([]);
    expect(merged.aggregate().ssimulacra2).toEqual(old.aggregate().ssimulacra2);
    expect(() => new SummaryBuilder({ worst: -1 })).toThrow(
      'worst must be an integer >= 0, got -1',
    );
  });
});
