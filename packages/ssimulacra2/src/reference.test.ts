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
    const cell = (v: number, w: number) => v.toFixed(5).padStart(w);
    const lines = results.map(
      (r) =>
        `${r.pair.distorted.padEnd(34)} ${cell(r.score, 10)} ${cell(r.pair.ssimulacra2, 10)} ${cell(r.diff, 9)}`,
    );
    const worst = Math.max(...results.map((r) => Math.abs(r.diff)));
    console.log(
      [
        `${'distorted'.padEnd(34)} ${'kpress'.padStart(10)} ${'reference'.padStart(10)} ${'diff'.padStart(9)}`,
        ...lines,
        `max |diff| ${worst.toFixed(5)}`,
      ].join('\n'),
    );
    for (const r of results) {
      expect(Math.abs(r.diff), r.pair.distorted).toBeLessThanOrEqual(0.5);
    }
  });
});
