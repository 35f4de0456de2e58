// The native preparation of an image (native/tree_build.c, native/hist.c) against the
// TypeScript: the same histogram, lookup tables, colour tree, coarse cells and indices, byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coarsePoints } from './coarse.js';
import { buildHistogram, releaseHistogram } from './hist.js';
import { nativeKernels, useNativeKernels } from './native.js';
import { writeIndices } from './remap.js';
import { bits, both, off } from './test/both.js';
import { lcg, naturalImage, paletteImage } from './test/images.js';
import { samplePhoto, withAlpha } from './test/photos.js';
import { buildTree } from './tree.js';
import type { PixelImage } from './types.js';

const TREE_ARRAYS = [
  'points',
  'weights',
  'order',
  'start',
  'end',
  'firstChild',
  'childCount',
  'weight',
  'sum',
  'lo',
  'hi',
] as const;

/** Everything prepared from an image, copied out before the histogram's tables are released. */
function prepareCopy(image: PixelImage) {
  const hist = buildHistogram(image);
  const tree = buildTree(hist);
  const colourIndex = new Uint8Array(hist.size);
  for (let i = 0; i < hist.size; i++) colourIndex[i] = (i * 7 + 3) & 255;
  const indices = writeIndices(image, hist, colourIndex, 200);
  const coarse = [coarsePoints(hist), coarsePoints(hist, 6)];
  const { lookup, colors } = hist;
  let table: ArrayBufferView;
  let used = -1;
  if (lookup.kind === 'dense') {
    // each colour's 16-bit count, and how many entries are non-zero (no stray writes)
    table = Uint16Array.from({ length: hist.size }, (_, i) => {
      const o = i * 4;
      return lookup.table[
        ((colors[o] as number) << 16) | ((colors[o + 1] as number) << 8) | (colors[o + 2] as number)
      ] as number;
    });
    used = 0;
    for (let key = 0; key < lookup.table.length; key++) if (lookup.table[key] !== 0) used++;
  } else {
    table = Buffer.concat([bits(lookup.keys), bits(lookup.values)]);
  }
  const copy = {
    kind: lookup.kind,
    mask: lookup.kind === 'hash' ? lookup.mask : 0,
    shift: lookup.kind === 'hash' ? lookup.shift : 0,
    table: Buffer.from(bits(table)),
    used,
    colors: Buffer.from(bits(hist.colors)),
    counts: Buffer.from(bits(hist.counts)),
    size: hist.size,
    transparentCount: hist.transparentCount,
    hasAlpha: hist.hasAlpha,
    pixels: hist.pixels,
    tree,
    indices,
    coarse,
  };
  releaseHistogram(hist);
  return copy;
}

function expectSamePreparation(image: PixelImage, kind?: 'dense' | 'hash'): void {
  const { native, ts } = both(() => prepareCopy(image));
  if (kind !== undefined) expect(ts.kind).toBe(kind);
  for (const field of [
    'kind',
    'mask',
    'shift',
    'used',
    'size',
    'transparentCount',
    'hasAlpha',
    'pixels',
  ] as const)
    expect(native[field], field).toBe(ts[field]);
  for (const field of ['table', 'colors', 'counts'] as const)
    expect(native[field].equals(ts[field]), field).toBe(true);
  expect(bits(native.indices).equals(bits(ts.indices)), 'indices').toBe(true);
  for (const [i, c] of native.coarse.entries()) {
    const t = ts.coarse[i];
    expect(c.n, 'coarse cells').toBe(t?.n);
    expect(bits(c.points).equals(bits(t?.points as Float64Array)), 'coarse points').toBe(true);
    expect(bits(c.weights).equals(bits(t?.weights as Float64Array)), 'coarse weights').toBe(true);
  }
  expect(native.tree.n).toBe(ts.tree.n);
  expect(native.tree.nodes).toBe(ts.tree.nodes);
  expect(native.tree.opaque).toBe(ts.tree.opaque);
  for (const field of TREE_ARRAYS) {
    expect(native.tree[field].length, field).toBe(ts.tree[field].length);
    expect(bits(native.tree[field]).equals(bits(ts.tree[field])), field).toBe(true);
  }
}

/** Uniform noise: every pixel drawn at random (RGB, or RGBA with random alpha). */
function noiseImage(width: number, height: number, channels: 3 | 4, seed: number): PixelImage {
  const rand = lcg(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { data, width, height, channels };
}

/** RGB as RGBA, alpha 255 everywhere (an opaque 4-channel image). */
function opaqueRgba(image: PixelImage): PixelImage {
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 4).fill(255);
  for (let p = 0; p < pixels; p++) data.set(image.data.subarray(p * 3, p * 3 + 3), p * 4);
  return { ...image, data, channels: 4 };
}

beforeAll(() => useNativeKernels(true));
afterAll(() => useNativeKernels(true));

describe('native preparation: the same histogram, tree, coarse cells and indices as TypeScript', () => {
  for (const name of ['astronaut.png', 'chelsea.png', 'coffee.png']) {
    it(`${name}, its alpha version and its 4-channel opaque version`, async () => {
      const photo = await samplePhoto(name);
      // the dense table from 2^18 pixels on (astronaut), the hash table below (chelsea, coffee)
      const kind = photo.width * photo.height >= 1 << 18 ? 'dense' : 'hash';
      expectSamePreparation(photo, kind);
      expectSamePreparation(withAlpha(photo), 'hash');
      expectSamePreparation(opaqueRgba(photo), kind);
    });
  }

  it('noise: many colours in the hash table (it grows past 65k) and in the dense one', () => {
    expectSamePreparation(noiseImage(300, 300, 3, 1), 'hash'); // 90k pixels, ~89k colours
    expectSamePreparation(noiseImage(300, 300, 4, 2), 'hash');
    expectSamePreparation(noiseImage(640, 480, 3, 3), 'dense'); // ~300k colours
    expectSamePreparation(opaqueRgba(noiseImage(512, 512, 3, 4)), 'dense');
    expectSamePreparation(naturalImage(600, 450, 5), 'dense');
  });

  it('counts past 65535 (the dense table wraps) and long runs', () => {
    // one colour on 300k pixels, another on 70k, then noise
    const image = noiseImage(700, 600, 3, 5);
    image.data.fill(17, 0, 300_000 * 3);
    image.data.fill(200, 300_000 * 3, 370_000 * 3);
    expectSamePreparation(image, 'dense');
    const rgba = noiseImage(300, 300, 4, 6);
    rgba.data.fill(255, 0, 70_000 * 4); // 70k white opaque pixels in one run
    expectSamePreparation(rgba, 'hash');
  });

  it('tiny images, one colour, all transparent, transparent runs', () => {
    const images: PixelImage[] = [
      paletteImage([[1, 2, 3]], 1),
      paletteImage([[1, 2, 3, 0]], 1, 4),
      paletteImage([[1, 2, 3, 7]], 1, 4),
      noiseImage(1, 37, 3, 7),
      noiseImage(53, 1, 4, 8),
      paletteImage(
        [
          [0, 0, 0, 0],
          [9, 9, 9, 0],
        ],
        50,
        4,
      ),
      paletteImage(
        [
          [5, 5, 5, 255],
          [0, 0, 0, 0],
          [5, 5, 5, 255],
          [6, 6, 6, 0],
          [7, 7, 7, 1],
        ],
        9,
        4,
      ),
      { ...noiseImage(512, 512, 3, 9), data: new Uint8Array(512 * 512 * 3) }, // dense, one colour
    ];
    for (const image of images) expectSamePreparation(image);
  });

  it('refuses arrays that do not fit instead of writing past them', () => {
    const addon = nativeKernels();
    if (off) return expect(addon).toBeUndefined();
    if (addon === undefined) throw new Error('the native kernels are not loaded');
    const data = new Uint8Array(30);
    const table = new Uint16Array(1 << 24);
    expect(() => addon.countDense(data, 3, table, new Int32Array(9), 0, 0, 30)).toThrow(
      /bad array/,
    );
    expect(() => addon.countDense(data, 3, table, new Int32Array(10), 0, 0, 31)).toThrow(
      /bad array/,
    );
    expect(addon.countDense(data, 3, table, new Int32Array(10), 0, 0, 30)).toBe(1);
    // a hash table handed in full (its size understated), without the key: refused, not probed for ever
    const pixel = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const fullKeys = Int32Array.of(7, 8);
    expect(() =>
      addon.hashCount(pixel, 3, fullKeys, Int32Array.of(1, 1), 1, Float64Array.of(0, 0, 0, 0, 0)),
    ).toThrow(/table is full/);
    expect(() => addon.mapDense(data, 3, new Uint8Array(1 << 20), new Uint8Array(10))).toThrow(
      /bad array/,
    );
    // a colour missing from the hash table
    const keys = new Int32Array(1 << 10);
    const values = new Int32Array(1 << 10);
    expect(() =>
      addon.mapHash(data, 3, keys, values, 10, new Uint8Array(1), 0, new Uint8Array(10)),
    ).toThrow(/not in the table/);
    // a tree whose child links lead outside it
    const t = buildTree(buildHistogram(naturalImage(40, 30, 1)));
    const firstChild = Int32Array.from(t.firstChild);
    firstChild[0] = t.nodes;
    const stats = () =>
      [
        new Float64Array(t.nodes),
        new Float64Array(t.nodes * 4),
        new Uint8Array(t.nodes * 4),
        new Uint8Array(t.nodes * 4),
      ] as const;
    expect(() =>
      addon.treeStatistics(
        t.points,
        t.weights,
        t.start,
        t.end,
        firstChild,
        t.childCount,
        ...stats(),
      ),
    ).toThrow(/bad tree/);
    expect(() =>
      addon.treeNodes(
        t.points,
        t.weights,
        t.n,
        t.points,
        t.weights,
        t.order,
        new Int32Array(1),
        new Int32Array(1),
        new Int32Array(1),
        new Int32Array(1),
        new Uint8Array(1),
      ),
    ).toThrow(/too few nodes/);
    // a hash table of more colours than said, dense keys out of order
    keys[3] = 5;
    keys[9] = 6;
    const two = () => [new Uint8Array(8), new Float64Array(2)] as const;
    expect(() => addon.hashColours(keys, values, 1, ...two())).toThrow(/other than size/);
    expect(() => addon.denseColours(Int32Array.of(7, 3), 2, table, ...two())).toThrow(/not sorted/);
    const colours = new Uint8Array(8);
    expect(() =>
      addon.coarseCells(
        colours,
        new Float64Array(2),
        2,
        5,
        new Float64Array(7),
        new Float64Array(2),
      ),
    ).toThrow(/bad array/);
  });
});
