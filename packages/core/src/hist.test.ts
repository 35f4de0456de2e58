import { describe, expect, it } from 'vitest';
import { buildHistogram, releaseHistogram } from './hist.js';
import { naturalImage, paletteImage } from './test/images.js';
import { buildTree } from './tree.js';

function asMap(colors: Uint8Array, counts: Float64Array, n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(colors.subarray(i * 4, i * 4 + 4).join(','), counts[i]);
  return m;
}

function naiveCounts(data: Uint8Array, channels: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let o = 0; o < data.length; o += channels) {
    const a = channels === 4 ? data[o + 3] : 255;
    if (a === 0) continue;
    const key = `${data[o]},${data[o + 1]},${data[o + 2]},${a}`;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

describe('colour histogram', () => {
  it('counts every distinct colour exactly on the dense path, and reuses its table cleanly', () => {
    const image = naturalImage(520, 512, 13); // >= 2^18 pixels: dense table
    const h = buildHistogram(image);
    expect(h.lookup.kind).toBe('dense');
    expect(asMap(h.colors, h.counts, h.size)).toEqual(naiveCounts(image.data as Uint8Array, 3));
    releaseHistogram(h);
    const other = naturalImage(520, 512, 14);
    const h2 = buildHistogram(other);
    expect(asMap(h2.colors, h2.counts, h2.size)).toEqual(naiveCounts(other.data as Uint8Array, 3));
    releaseHistogram(h2);
  });

  it('counts past 65535 pixels of one colour on the dense path (16-bit counts carry over)', () => {
    const image = paletteImage(
      [
        [10, 20, 30],
        [200, 100, 0],
        [10, 20, 31],
      ],
      140_000,
    );
    for (let round = 0; round < 2; round++) {
      const h = buildHistogram(image);
      expect(h.lookup.kind).toBe('dense');
      expect(h.size).toBe(3);
      expect(Array.from(h.counts)).toEqual([140_000, 140_000, 140_000]);
      // Key order: (10,20,30) < (10,20,31) < (200,100,0).
      expect(Array.from(h.colors)).toEqual([10, 20, 30, 255, 10, 20, 31, 255, 200, 100, 0, 255]);
      releaseHistogram(h);
    }
  });

  it('counts exactly at the 16-bit wrap boundaries (65535, 65536, 65537, 131072 pixels)', () => {
    const sizes = [65535, 65536, 65537, 131072, 308];
    const pixels = sizes.reduce((a, b) => a + b, 0);
    const data = new Uint8Array(pixels * 3);
    let p = 0;
    sizes.forEach((n, c) => {
      for (let i = 0; i < n; i++, p++) data.set([c, 7, 9], p * 3);
    });
    for (let round = 0; round < 2; round++) {
      const h = buildHistogram({ data, width: pixels / 4, height: 4, channels: 3 });
      expect(h.lookup.kind).toBe('dense');
      expect(h.size).toBe(sizes.length);
      expect(Array.from(h.counts)).toEqual(sizes);
      releaseHistogram(h);
    }
  });

  it('counts on the hash path, setting fully transparent pixels apart', () => {
    const image = naturalImage(100, 80, 15);
    const rgba = new Uint8Array(100 * 80 * 4);
    for (let p = 0; p < 8000; p++) {
      rgba.set(image.data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = p % 7 === 0 ? 0 : p % 5 === 0 ? 128 : 255;
    }
    const h = buildHistogram({ data: rgba, width: 100, height: 80, channels: 4 });
    expect(h.lookup.kind).toBe('hash');
    expect(h.hasAlpha).toBe(true);
    expect(h.transparentCount).toBe(Math.ceil(8000 / 7));
    expect(asMap(h.colors, h.counts, h.size)).toEqual(naiveCounts(rgba, 4));
  });
});

describe('colour tree', () => {
  it('partitions the colours: node sums, weights and boxes match their ranges', () => {
    const h = buildHistogram(naturalImage(120, 100, 16));
    const t = buildTree(h);
    expect(t.start[0]).toBe(0);
    expect(t.end[0]).toBe(h.size);
    expect(t.weight[0]).toBe(120 * 100);
    let outside = 0;
    for (let node = 0; node < t.nodes; node++) {
      let w = 0;
      let s = 0;
      for (let p = t.start[node]; p < t.end[node]; p++) {
        w += t.weights[p];
        s += t.weights[p] * t.points[p * 4 + 1];
        for (let d = 0; d < 4; d++) {
          const v = t.points[p * 4 + d];
          if (v < t.lo[node * 4 + d] || v > t.hi[node * 4 + d]) outside++;
        }
      }
      expect(t.weight[node]).toBe(w);
      expect(t.sum[node * 4 + 1]).toBe(s);
      if (t.childCount[node] > 0) {
        const first = t.firstChild[node];
        const last = first + t.childCount[node] - 1;
        expect(t.start[first]).toBe(t.start[node]);
        expect(t.end[last]).toBe(t.end[node]);
        for (let c = first; c < last; c++) expect(t.end[c]).toBe(t.start[c + 1]);
      }
    }
    expect(outside).toBe(0);
    expect(t.nodes).toBeGreaterThan(10);
    // Morton order maps back to every distinct colour once.
    expect(new Set(t.order).size).toBe(h.size);
  });
});
