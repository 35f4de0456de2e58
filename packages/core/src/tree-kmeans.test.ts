import { describe, expect, it } from 'vitest';
import { buildHistogram, releaseHistogram } from './hist.js';
import { exactPoints } from './coarse.js';
import { TreeKmeans } from './tree-kmeans.js';
import { kmeansPlusPlus } from './init.js';
import { dist2 } from './nearest.js';
import { Random } from './random.js';
import { naturalImage } from './test/images.js';
import { buildTree } from './tree.js';

function setup(k: number) {
  const hist = buildHistogram(naturalImage(160, 120, 3));
  const tree = buildTree(hist);
  const s = exactPoints(hist);
  const start = kmeansPlusPlus(s.points, s.weights, s.n, k, new Random(7));
  return { hist, tree, start };
}

/** Weighted SSE of the colours against their nearest centre. */
function sse(km: TreeKmeans, hist: ReturnType<typeof buildHistogram>): number {
  const a = km.nearestAssignment();
  let e = 0;
  for (let i = 0; i < hist.size; i++)
    e += hist.counts[i] * dist2(hist.colors, i * 4, km.centres, a[i] * 4);
  return e;
}

describe('TreeKmeans over-relaxed Lloyd', () => {
  it('converges in fewer passes than plain Lloyd to a clustering as good', () => {
    const { hist, tree, start } = setup(16);
    const plain = new TreeKmeans(tree, start.centres, start.count);
    const plainIt = plain.run(500, 0.01, 1);
    const fast = new TreeKmeans(tree, start.centres, start.count);
    const fastIt = fast.run(500, 0.01, 1.8);
    expect(plainIt).toBeLessThan(500);
    expect(fastIt).toBeLessThan(plainIt);
    expect(sse(fast, hist)).toBeLessThan(sse(plain, hist) * 1.002);
    releaseHistogram(hist);
  });

  it('ends with every centre at its cluster mean (a plain final step)', () => {
    const { hist, tree, start } = setup(8);
    const km = new TreeKmeans(tree, start.centres, start.count);
    km.run(500, 0.001, 1.8);
    const a = km.nearestAssignment();
    const sums = new Float64Array(start.count * 4);
    const mass = new Float64Array(start.count);
    for (let i = 0; i < hist.size; i++) {
      mass[a[i]] += hist.counts[i];
      for (let d = 0; d < 4; d++) sums[a[i] * 4 + d] += hist.counts[i] * hist.colors[i * 4 + d];
    }
    for (let j = 0; j < start.count; j++) {
      for (let d = 0; d < 4; d++)
        expect(km.centres[j * 4 + d]).toBeCloseTo(sums[j * 4 + d] / mass[j], 1);
    }
    releaseHistogram(hist);
  });

  it('is deterministic', () => {
    const { hist, tree, start } = setup(32);
    const a = new TreeKmeans(tree, start.centres, start.count);
    const b = new TreeKmeans(tree, start.centres, start.count);
    expect(a.run(100, 0.2, 1.8)).toBe(b.run(100, 0.2, 1.8));
    expect(a.centres).toEqual(b.centres);
    releaseHistogram(hist);
  });
});
