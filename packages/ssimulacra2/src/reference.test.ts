import { describe, expect, it } from 'vitest';
import { ssimulacra2 } from './score.js';
import { decodeLikeReference, referencePairs } from './test/pairs.js';

describe('SSIMULACRA 2.1 against the reference tool', () => {
  it('scores all 32 reference pairs within 0.5 of the reference (table printed)', async () => {
    const pairs = referencePairs();
    expect(pairs).toHaveLength(32);
    const results = [];
    for (const pair of pairs) {
      const original = await decodeLikeReference(pair.original);
      const distorted = await decodeLikeReference(pair.distorted);
      const score = ssimulacra2(original, distorted);
      results.push({ pair, score, diff: score - pair.ssimulacra2 });
    }
    const cell = (v: number, w: number) => v.toFixed(8).padStart(w);
    const lines = results.map(
      (r) =>
        `${r.pair.distorted.padEnd(34)} ${cell(r.score, 13)} ${cell(r.pair.ssimulacra2, 13)} ${cell(r.diff, 12)}`,
    );
    const worst = Math.max(...results.map((r) => Math.abs(r.diff)));
    console.log(
      [
        `${'distorted'.padEnd(34)} ${'kpress'.padStart(13)} ${'reference'.padStart(13)} ${'diff'.padStart(12)}`,
        ...lines,
        `max |diff| ${worst.toExponential(2)}`,
      ].join('\n'),
    );
    for (const r of results) {
      // the contract (DESIGN.md): within 0.5 of the reference
      expect(Math.abs(r.diff), r.pair.distorted).toBeLessThanOrEqual(0.5);
      // what this implementation holds to: the reference's own float32 arithmetic, so the same
      // score up to the 8 decimals the tool prints
      expect(Math.abs(r.diff), r.pair.distorted).toBeLessThanOrEqual(1e-6);
    }
  });
});
