import { describe, expect, it } from 'vitest';
import { exactPoints } from './coarse.js';
import { buildHistogram, releaseHistogram } from './hist.js';
import { kmeansPlusPlus } from './init.js';
import { WeightedKmeans } from './kmeans.js';
import { NearestSearch, UNWEIGHTED, wdist2 } from './nearest.js';
import { resolveOptions } from './options.js';
import { initialCentres, prepare, quantize, releasePrepared } from './quantize.js';
import { Random } from './random.js';
import { lcg, naturalImage } from './test/images.js';
import { TreeKmeans } from './tree-kmeans.js';
import { buildTree } from './tree.js';
import type { PixelImage } from './types.js';

const PERCEPTUAL = resolveOptions({ distance: 'perceptual' }).metric;

/** The smallest `metric` distance from point o of `points` to any of k centres. */
function bruteMin(
  points: ArrayLike<number>,
  o: number,
  centres: Float64Array,
  k: number,
  metric: Float64Array,
): number {
  let best = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) best = Math.min(best, wdist2(points, o, centres, j * 4, metric));
  return best;
}

/** An image with every alpha from 0 to 255 mixed in. */
function translucent(width: number, height: number): PixelImage {
  const base = naturalImage(width, height, 5);
  const rand = lcg(11);
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = base.data[p * 3 + c] as number;
    data[p * 4 + 3] = rand() < 0.2 ? Math.floor(rand() * 256) : 255;
  }
  return { data, width, height, channels: 4 };
}

describe("the 'perceptual' colour distance", () => {
  it('is the squared channel scales, and a bad distance is refused by name', () => {
    expect(Array.from(PERCEPTUAL)).toEqual([0.85 * 0.85, 1, 0.6 * 0.6, 1]);
    expect(Array.from(resolveOptions().metric)).toEqual([1, 1, 1, 1]);
    expect(() => resolveOptions({ distance: 'lab' as 'rgb' })).toThrow(
      /^distance must be 'rgb' or 'perceptual', got .lab.$/,
    );
  });

  it('NearestSearch finds the nearest centre under the weighted distance (duplicates and ties included)', () => {
    const rand = lcg(3);
    for (const k of [1, 2, 16, 255]) {
      const centres = new Float64Array(k * 4);
      for (let i = 0; i < k * 4; i++) centres[i] = Math.floor(rand() * 256);
      if (k > 2) centres.copyWithin(4, 0, 4); // a duplicate entry
      for (const metric of [UNWEIGHTED, PERCEPTUAL]) {
        const search = new NearestSearch(centres, k, metric);
        for (let q = 0; q < 2000; q++) {
          const x = [rand() * 255, rand() * 255, rand() * 255, rand() < 0.5 ? 255 : rand() * 255];
          const j = search.nearest(x[0] as number, x[1] as number, x[2] as number, x[3] as number);
          const got = wdist2(x, 0, centres, j * 4, metric);
          expect(got).toBe(bruteMin(x, 0, centres, k, metric));
          expect(search.best1).toBe(got);
        }
      }
    }
  });

  it('the tree and the coarse-cell k-means assign every colour to its weighted-nearest centre', () => {
    for (const image of [naturalImage(120, 90, 9), translucent(100, 80)]) {
      const hist = buildHistogram(image);
      const s = exactPoints(hist);
      const start = kmeansPlusPlus(s.points, s.weights, s.n, 24, new Random(2), 8, PERCEPTUAL);
      const tree = new TreeKmeans(buildTree(hist), start.centres, start.count, PERCEPTUAL);
      tree.run(20, 0.2, 1.8);
      const a = tree.nearestAssignment();
      const lloyd = new WeightedKmeans(
        s.points,
        s.weights,
        s.n,
        start.centres,
        start.count,
        PERCEPTUAL,
      );
      lloyd.run(20, 0.2);
      lloyd.reassign();
      for (let i = 0; i < hist.size; i++) {
        const o = i * 4;
        expect(wdist2(hist.colors, o, tree.centres, (a[i] as number) * 4, PERCEPTUAL)).toBe(
          bruteMin(hist.colors, o, tree.centres, start.count, PERCEPTUAL),
        );
        expect(
          wdist2(s.points, o, lloyd.centres, (lloyd.assign[i] as number) * 4, PERCEPTUAL),
        ).toBe(bruteMin(s.points, o, lloyd.centres, start.count, PERCEPTUAL));
      }
      releaseHistogram(hist);
    }
  });

  it('lowers the weighted error it is asked to minimise; rgb stays the default, unchanged', () => {
    const image = naturalImage(160, 120, 4);
    for (const colors of [16, 64]) {
      const weighted = (r: ReturnType<typeof quantize>) => {
        let e = 0;
        for (let p = 0; p < r.indices.length; p++) {
          e += wdist2(
            [
              image.data[p * 3] as number,
              image.data[p * 3 + 1] as number,
              image.data[p * 3 + 2] as number,
              255,
            ],
            0,
            r.palette,
            (r.indices[p] as number) * 4,
            PERCEPTUAL,
          );
        }
        return e;
      };
      const rgb = quantize(image, { colors });
      const perceptual = quantize(image, { colors, distance: 'perceptual' });
      expect(weighted(perceptual)).toBeLessThan(weighted(rgb));
      expect(perceptual.mse).toBeGreaterThan(rgb.mse); // plain MSE is what rgb minimises
      expect(quantize(image, { colors, distance: 'rgb' })).toEqual(rgb);
    }
  });
});

describe('k-means++ seeding shared between palette sizes', () => {
  it('the first k of a longer seeding are the seeding of k, for each distance', () => {
    const image = naturalImage(200, 150, 6);
    for (const distance of ['rgb', 'perceptual'] as const) {
      const prepared = prepare(image);
      const long = initialCentres(prepared, 200, 1, distance);
      const short = initialCentres(prepared, 37, 1, distance); // from the cache
      const fresh = initialCentres(prepare(image), 37, 1, distance); // drawn alone
      expect(short.count).toBe(37);
      expect(Array.from(short.centres)).toEqual(Array.from(fresh.centres));
      expect(Array.from(short.centres)).toEqual(Array.from(long.centres.subarray(0, 37 * 4)));
      releasePrepared(prepared);
    }
    const prepared = prepare(image);
    const rgb = initialCentres(prepared, 50, 1, 'rgb');
    const perceptual = initialCentres(prepared, 50, 1, 'perceptual');
    expect(Array.from(rgb.centres)).not.toEqual(Array.from(perceptual.centres));
    releasePrepared(prepared);
  });
});
