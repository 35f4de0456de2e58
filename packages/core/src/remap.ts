import { type ColorHistogram, hashFind } from './hist.js';
import { nativeKernels } from './native.js';
import type { PixelImage, QuantizeResult } from './types.js';

/**
 * Writes one palette index per pixel: each distinct colour's index is stored once in the
 * histogram's lookup (the per-colour cache), then every pixel is one table read.
 * The histogram stays usable for another palette (dense: the index table is rewritten for the
 * colours; hash: its values stay colour numbers).
 */
export function writeIndices(
  image: PixelImage,
  hist: ColorHistogram,
  colourIndex: Uint8Array,
  transparentIndex: number,
): Uint8Array {
  const data = image.data;
  const stride = image.channels;
  const indices = new Uint8Array(hist.pixels);
  const lookup = hist.lookup;
  if (lookup.kind === 'dense') {
    // 8-bit index table: a quarter of the memory traffic of the 32-bit count table.
    const index = lookup.index;
    const colors = hist.colors;
    for (let i = 0; i < hist.size; i++) {
      index[(colors[i * 4] << 16) | (colors[i * 4 + 1] << 8) | colors[i * 4 + 2]] = colourIndex[i];
    }
    const native = nativeKernels(); // the same loop in C (native/hist.c)
    if (native !== undefined) native.mapDense(data, stride, index, indices);
    else if (stride === 3) mapDense3(data, index, indices);
    else mapDense4(data, index, indices);
    return indices;
  }
  // the values stay colour numbers, so that the histogram serves another palette (palette-search.ts)
  const { values } = lookup;
  const native = nativeKernels();
  if (native !== undefined) {
    const bits = 32 - lookup.shift;
    native.mapHash(data, stride, lookup.keys, values, bits, colourIndex, transparentIndex, indices);
    return indices;
  }
  let prevKey = 0;
  let prevIndex = transparentIndex;
  for (let p = 0, o = 0; p < indices.length; p++, o += stride) {
    const a = stride === 4 ? data[o + 3] : 255;
    if (a === 0) {
      indices[p] = transparentIndex;
      continue;
    }
    const key = (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | a;
    if (key !== prevKey) {
      prevKey = key;
      prevIndex = colourIndex[values[hashFind(lookup, key)]];
    }
    indices[p] = prevIndex;
  }
  return indices;
}

/**
 * One index-table read per 3-byte pixel. A copy per pixel stride, the stride a constant: V8
 * compiles a tighter loop than with the stride in a variable.
 */
function mapDense3(data: Uint8Array | Uint8ClampedArray, index: Uint8Array, out: Uint8Array): void {
  for (let p = 0, o = 0; p < out.length; p++, o += 3) {
    out[p] = index[(data[o] << 16) | (data[o + 1] << 8) | data[o + 2]];
  }
}

/** mapDense3 for 4-byte pixels (opaque RGBA). */
function mapDense4(data: Uint8Array | Uint8ClampedArray, index: Uint8Array, out: Uint8Array): void {
  for (let p = 0, o = 0; p < out.length; p++, o += 4) {
    out[p] = index[(data[o] << 16) | (data[o + 1] << 8) | data[o + 2]];
  }
}

/** Reconstructs the quantized image: `channels` values per pixel (3 drops the alpha). */
export function remapToPixels(
  result: Pick<QuantizeResult, 'palette' | 'indices'>,
  channels: 3 | 4,
): Uint8Array {
  if (channels !== 3 && channels !== 4) {
    throw new RangeError(`channels must be 3 or 4, got ${channels}`);
  }
  const { palette, indices } = result;
  const out = new Uint8Array(indices.length * channels);
  for (let p = 0, o = 0; p < indices.length; p++, o += channels) {
    const e = indices[p] * 4;
    out[o] = palette[e];
    out[o + 1] = palette[e + 1];
    out[o + 2] = palette[e + 2];
    if (channels === 4) out[o + 3] = palette[e + 3];
  }
  return out;
}
