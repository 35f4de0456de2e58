// The native kernels (native/*.c) against the TypeScript ones: the same centres, assignments,
// bounds, palettes and indices, bit for bit, on the sample photos, random images and edge cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coarsePoints, exactPoints } from './coarse.js';
import { ditherQuantized } from './dither.js';
import { paletteMse } from './metrics.js';
import { buildHistogram, type ColorHistogram, releaseHistogram } from './hist.js';
import { kmeansPlusPlus } from './init.js';
import { WeightedKmeans } from './kmeans.js';
import { UNWEIGHTED } from './nearest.js';
import { coreKernels, useNativeKernels } from './native.js';
import { bits, both, off } from './test/both.js';
import { resolveOptions } from './options.js';
import { quantize } from './quantize.js';
import { Random } from './random.js';
import { lcg, naturalImage, paletteImage } from './test/images.js';
import { samplePhoto, withAlpha } from './test/photos.js';
import { buildTree } from './tree.js';
import { TreeKmeans } from './tree-kmeans.js';
import type { ColourDistance, PixelImage, QuantizeResult } from './types.js';

const KS = [2, 16, 64, 255, 256];

function expectSameQuantize(
  image: PixelImage,
  colors: number,
  quality?: number,
  distance: ColourDistance = 'rgb',
): void {
  const { native, ts } = both(() => quantize(image, { colors, quality, distance }));
  expect(native.colors).toBe(ts.colors);
  expect(bits(native.palette).equals(bits(ts.palette))).toBe(true);
  expect(bits(native.indices).equals(bits(ts.indices))).toBe(true);
  expect(native.iterations).toBe(ts.iterations);
  expect(Object.is(native.mse, ts.mse)).toBe(true);
}

/** Every kernel on one histogram: seeding, Hamerly Lloyd, tree Lloyd and its assignment. */
function expectSameKernels(hist: ColorHistogram, k: number, seed = 1): void {
  const tree = buildTree(hist);
  const seedPoints = hist.size > 4096 ? coarsePoints(hist) : exactPoints(hist);
  const { native, ts } = both(() => {
    const random = new Random(seed);
    const s = seedPoints;
    const start = kmeansPlusPlus(s.points, s.weights, s.n, k, random);
    const hamerly = new WeightedKmeans(s.points, s.weights, s.n, start.centres, start.count);
    const firstAssign = Int32Array.from(hamerly.assign);
    const passes = hamerly.run(30, 0.01);
    const km = new TreeKmeans(tree, hamerly.centres, start.count);
    const exact = km.run(30, 0.01, 1.8);
    return {
      state: random.state,
      start,
      firstAssign,
      hamerly,
      passes,
      exact,
      centres: km.centres,
      assignment: km.nearestAssignment(),
    };
  });
  expect(native.state).toBe(ts.state);
  expect(native.start.count).toBe(ts.start.count);
  expect(bits(native.start.centres).equals(bits(ts.start.centres))).toBe(true);
  expect(bits(native.firstAssign).equals(bits(ts.firstAssign))).toBe(true);
  expect(native.passes).toBe(ts.passes);
  for (const field of ['centres', 'assign', 'upper', 'lower', 'sums', 'mass'] as const) {
    const a = (native.hamerly as unknown as Record<string, ArrayBufferView>)[field];
    const b = (ts.hamerly as unknown as Record<string, ArrayBufferView>)[field];
    expect(bits(a as ArrayBufferView).equals(bits(b as ArrayBufferView)), field).toBe(true);
  }
  expect(native.exact).toBe(ts.exact);
  expect(bits(native.centres).equals(bits(ts.centres))).toBe(true);
  expect(bits(native.assignment).equals(bits(ts.assignment))).toBe(true);
}

/** Uniform noise: every pixel drawn at random (RGB, or RGBA with random alpha). */
function noiseImage(width: number, height: number, channels: 3 | 4, seed: number): PixelImage {
  const rand = lcg(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { data, width, height, channels };
}

beforeAll(() => useNativeKernels(true));
afterAll(() => useNativeKernels(true));

describe('native k-means kernels: the same bits as TypeScript', () => {
  it('are loaded (built by pnpm install; KPRESS_CORE_NATIVE=off turns them off)', () => {
    if (off)
      expect(coreKernels()).toEqual({ name: 'typescript', reason: 'KPRESS_CORE_NATIVE=off' });
    else expect(coreKernels()).toEqual({ name: 'native' });
  });

  for (const name of ['astronaut.png', 'chelsea.png', 'coffee.png', 'chelsea.png+alpha']) {
    it(`${name}: palettes and indices at k = ${KS.join(', ')}`, async () => {
      const photo = await samplePhoto(name.replace('+alpha', ''));
      // the alpha version at half size: TypeScript alone takes ~4 s a palette on the whole one
      const image = name.endsWith('+alpha') ? withAlpha(photo, 2) : photo;
      for (const k of KS) expectSameQuantize(image, k);
    });
  }

  it('the dither: chelsea.png, coffee.png and the alpha version at k = 2, 16, 256', async () => {
    const chelsea = await samplePhoto('chelsea.png');
    const coffee = await samplePhoto('coffee.png');
    for (const image of [chelsea, coffee, withAlpha(chelsea, 2)]) {
      for (const k of [2, 16, 256]) {
        const q = quantize(image, { colors: k });
        for (const maxError of [64, 8, 1000]) {
          const { native, ts } = both(() => ditherQuantized(image, q, maxError));
          expect(bits(native.indices).equals(bits(ts.indices))).toBe(true);
          expect(Object.is(native.mse, ts.mse)).toBe(true);
        }
      }
    }
  });

  it('the dither with a maxError of NaN: Math.min and Math.max give NaN, and so does C', () => {
    // the transparent entry has the lowest projection: a NaN colour lands on it in the
    // TypeScript, while a colour clamped to black would land on the dark opaque entry
    const image: PixelImage = {
      data: new Uint8Array([50, 50, 50, 255, 60, 60, 60, 255, 70, 70, 70, 0, 200, 200, 200, 255]),
      width: 2,
      height: 2,
      channels: 4,
    };
    const q: QuantizeResult = {
      palette: new Uint8Array([0, 0, 0, 0, 10, 10, 10, 255, 200, 200, 200, 255]),
      colors: 3,
      hasAlpha: true,
      indices: new Uint8Array(4),
      iterations: 0,
      mse: 0,
      psnr: 0,
    };
    for (const maxError of [Number.NaN, 64]) {
      const { native, ts } = both(() => ditherQuantized(image, q, maxError));
      expect(Array.from(native.indices)).toEqual(Array.from(ts.indices));
    }
  });

  it('the perceptual distance: astronaut.png and chelsea.png+alpha at k = 64, 256, and the dither under it', async () => {
    const astronaut = await samplePhoto('astronaut.png');
    const chelsea = withAlpha(await samplePhoto('chelsea.png'), 2);
    for (const image of [astronaut, chelsea]) {
      for (const k of [64, 256]) expectSameQuantize(image, k, undefined, 'perceptual');
      const q = quantize(image, { colors: 256, distance: 'perceptual' });
      const { metric } = resolveOptions({ distance: 'perceptual' });
      const { native, ts } = both(() => ditherQuantized(image, q, 64, metric));
      expect(bits(native.indices).equals(bits(ts.indices))).toBe(true);
    }
  });

  it('the dither on exact ties (grey midpoints, three-way ties, duplicate entries), both distances', () => {
    // maxError 0: no diffusion, every pixel its own nearest entry, so each tie is met as it is
    const width = 64;
    const height = 4;
    const data = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) {
      const v = (p % width) * 4 + 1; // odd greys: midway between the even entries below
      data.set(p < width * 2 ? [v, v, v] : [1, 1, p % 3], p * 3);
    }
    const image: PixelImage = { data, width, height, channels: 3 };
    const entries: number[][] = [];
    for (let v = 0; v < 256; v += 2) entries.push([v, v, v, 255]);
    entries.push([0, 0, 0, 255], [2, 0, 0, 255], [0, 2, 0, 255], [2, 0, 0, 255]); // ties, a duplicate
    const colors = Math.min(entries.length, 256);
    const palette = Uint8Array.from(entries.slice(0, colors).flat());
    const q = quantize(image, { colors: 2 });
    const result = { ...q, palette, colors };
    for (const distance of ['rgb', 'perceptual'] as const) {
      const { metric } = resolveOptions({ distance });
      for (const maxError of [0, 64]) {
        const { native, ts } = both(() => ditherQuantized(image, result, maxError, metric));
        expect(bits(native.indices).equals(bits(ts.indices))).toBe(true);
      }
    }
  });

  it("the dither's colour grid (colour_grid.c): random palettes, translucent entries, colours on cell edges, near ties", () => {
    // noise over the whole cube and runs of cell-edge levels (multiples of 8, 255), dithered onto
    // random palettes of 2..256 entries, some entries translucent (a constant term for opaque
    // colours) and some a hair apart (near ties the grid must leave to the search)
    const rand = lcg(11);
    const width = 96;
    const height = 48;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) {
      data[i] = i % 7 < 3 ? Math.min(255, Math.floor(rand() * 33) * 8) : Math.floor(rand() * 256);
    }
    const image: PixelImage = { data, width, height, channels: 3 };
    const base = quantize(image, { colors: 2 });
    for (const colors of [2, 7, 64, 255, 256]) {
      const palette = new Uint8Array(colors * 4);
      for (let j = 0; j < colors; j++) {
        const twin = j > 0 && j % 9 === 0; // a hair from the entry before
        for (let c = 0; c < 3; c++) {
          palette[j * 4 + c] = twin
            ? Math.min(255, (palette[(j - 1) * 4 + c] as number) + (c === 0 ? 1 : 0))
            : Math.floor(rand() * 256);
        }
        palette[j * 4 + 3] = j % 5 === 4 ? 128 + Math.floor(rand() * 127) : 255;
      }
      const result = { ...base, palette, colors };
      for (const distance of ['rgb', 'perceptual'] as const) {
        const { metric } = resolveOptions({ distance });
        for (const maxError of [0, 16, 64]) {
          const { native, ts } = both(() => ditherQuantized(image, result, maxError, metric));
          expect(bits(native.indices).equals(bits(ts.indices))).toBe(true);
        }
      }
    }
  });

  it('paletteMse on samples shorter or longer than width x height, as the TypeScript', () => {
    // the addon takes exactly sized images only; others keep the TypeScript's answers (NaN, ...)
    const palette = Uint8Array.of(10, 20, 30, 255, 200, 100, 0, 128);
    for (const channels of [3, 4] as const) {
      for (const extra of [-1, 0, 1, 2]) {
        const data = new Uint8Array(4 * channels + extra).map((_, i) => (i * 41) % 256);
        const indices = Uint8Array.of(0, 1, 1, 0);
        const image = { data, width: 2, height: 2, channels };
        const { native, ts } = both(() => paletteMse(image, palette, indices));
        expect(Object.is(native, ts)).toBe(true);
      }
    }
  });

  it('chelsea.png: the PSNR search (one seeding, every size its prefix)', async () => {
    expectSameQuantize(await samplePhoto('chelsea.png'), 256, 38);
  });

  it('coffee.png and its alpha version: every kernel, state by state', async () => {
    const photo = await samplePhoto('coffee.png');
    for (const image of [photo, withAlpha(photo, 2)]) {
      const hist = buildHistogram(image);
      for (const k of [2, 64, 256]) expectSameKernels(hist, k, 5);
      releaseHistogram(hist);
    }
  });

  it('random images: smooth, RGB noise, RGBA noise', () => {
    const images = [naturalImage(160, 120, 11), noiseImage(80, 60, 3, 2), noiseImage(80, 60, 4, 3)];
    for (const image of images) {
      for (const k of KS) expectSameQuantize(image, k);
      const hist = buildHistogram(image);
      for (const k of [2, 16, 256]) expectSameKernels(hist, k, 9);
      releaseHistogram(hist);
    }
  });

  it('one colour, k at or above the colours, ties, duplicate centres, transparency', () => {
    const one = paletteImage([[10, 20, 30]], 50);
    // colours symmetric about their mean: equal distances everywhere (ties to the lowest index)
    const ties = paletteImage(
      [
        [0, 0, 0],
        [255, 255, 255],
        [0, 255, 0],
        [255, 0, 255],
        [128, 128, 128],
      ],
      7,
    );
    const clear = paletteImage(
      [
        [0, 0, 0, 0],
        [9, 9, 9, 0],
        [200, 10, 10, 255],
        [10, 200, 10, 128],
        [10, 10, 200, 1],
      ],
      5,
      4,
    );
    for (const image of [one, ties, clear]) {
      for (const k of [2, 3, 4, 5, 16, 256]) {
        expectSameQuantize(image, k);
        const q = quantize(image, { colors: k });
        const { native, ts } = both(() => ditherQuantized(image, q));
        expect(bits(native.indices).equals(bits(ts.indices))).toBe(true);
      }
      const hist = buildHistogram(image);
      for (const k of [1, 2, 3, hist.size, hist.size + 1, 256]) expectSameKernels(hist, k, 3);
      // duplicate centres: every centre on the same colour, and pairs of equal centres
      const tree = buildTree(hist);
      const colours = Float64Array.from(hist.colors.subarray(0, hist.size * 4));
      const same = new Float64Array(4 * 4);
      for (let j = 0; j < 4; j++) same.set(colours.subarray(0, 4), j * 4);
      const pairs = new Float64Array(hist.size * 8);
      for (let j = 0; j < hist.size * 2; j++)
        pairs.set(colours.subarray((j >> 1) * 4, (j >> 1) * 4 + 4), j * 4);
      for (const [centres, k] of [
        [same, 4],
        [pairs, hist.size * 2],
      ] as const) {
        const { native, ts } = both(() => {
          const km = new TreeKmeans(tree, centres, k);
          const passes = km.run(10, 0.01, 1.8);
          const s = exactPoints(hist);
          const hamerly = new WeightedKmeans(s.points, s.weights, s.n, centres, k);
          hamerly.run(10, 0.01);
          return { passes, centres: km.centres, assign: km.nearestAssignment(), hamerly };
        });
        expect(native.passes).toBe(ts.passes);
        expect(bits(native.centres).equals(bits(ts.centres))).toBe(true);
        expect(bits(native.assign).equals(bits(ts.assign))).toBe(true);
        expect(bits(native.hamerly.centres).equals(bits(ts.hamerly.centres))).toBe(true);
        expect(bits(native.hamerly.assign).equals(bits(ts.hamerly.assign))).toBe(true);
      }
      releaseHistogram(hist);
    }
  });

  it('refuses arrays that do not fit instead of reading past them', async () => {
    const { nativeKernels } = await import('./native.js');
    const addon = nativeKernels();
    if (off) return expect(addon).toBeUndefined();
    expect(addon).toBeDefined();
    const small = new Float64Array(4);
    expect(() =>
      addon?.seed(small, new Float64Array(1), 2, 2, 8, new Uint32Array(1), small, UNWEIGHTED),
    ).toThrow(/bad array/);
    // a metric of fewer than 4 weights is refused too
    expect(() =>
      addon?.seed(
        small,
        new Float64Array(2),
        1,
        1,
        8,
        new Uint32Array(1),
        small,
        new Float64Array(3),
      ),
    ).toThrow(/bad array/);
    const hist = buildHistogram(naturalImage(40, 30, 1));
    const t = buildTree(hist);
    const k = 4;
    const args = (cand: Int32Array) =>
      addon?.treeAssign(
        t.lo,
        t.hi,
        t.points,
        t.firstChild,
        t.childCount,
        t.start,
        t.end,
        t.weights,
        t.sum,
        t.weight,
        new Float64Array(k * 4),
        k,
        t.opaque,
        new Float64Array(k * 4),
        new Float64Array(k),
        cand,
        null,
        UNWEIGHTED,
      );
    expect(() => args(new Int32Array(k))).toThrow(/bad array/);
    expect(() => args(new Int32Array(k * 12))).not.toThrow();
    releaseHistogram(hist);
  });
});
