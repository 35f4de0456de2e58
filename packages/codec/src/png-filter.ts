/**
 * PNG row filters (PNG spec section 9) for 16-bit grey, grey+alpha, RGB and
 * RGBA rows, big-endian samples. Pure. Unlike a palette image (filter None on
 * every row, see the README), a deep image of a photograph or a scan is much
 * smaller filtered: each row gets the filter with the smallest sum of absolute
 * values (libpng's heuristic), or one filter for every row.
 */

/** A filter for every row (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth), or per row the smallest. */
export type FilterStrategy = 0 | 1 | 2 | 3 | 4 | 'adaptive';

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/**
 * Writes row `cur` filtered with `type` into `out` at `at` (type byte first).
 * One loop per filter, the first pixel (no left neighbour) apart: this runs
 * on every byte of a deep image up to five times.
 */
function filterRow(
  type: number,
  cur: Uint8Array,
  prev: Uint8Array,
  bpp: number,
  out: Uint8Array,
  at: number,
): void {
  out[at] = type;
  const o = at + 1;
  const n = cur.length;
  const head = Math.min(bpp, n);
  switch (type) {
    case 0:
      out.set(cur, o);
      return;
    case 1:
      for (let i = 0; i < head; i++) out[o + i] = cur[i] as number;
      for (let i = head; i < n; i++)
        out[o + i] = ((cur[i] as number) - (cur[i - bpp] as number)) & 0xff;
      return;
    case 2:
      for (let i = 0; i < n; i++) out[o + i] = ((cur[i] as number) - (prev[i] as number)) & 0xff;
      return;
    case 3:
      for (let i = 0; i < head; i++)
        out[o + i] = ((cur[i] as number) - ((prev[i] as number) >> 1)) & 0xff;
      for (let i = head; i < n; i++)
        out[o + i] =
          ((cur[i] as number) - (((cur[i - bpp] as number) + (prev[i] as number)) >> 1)) & 0xff;
      return;
    default:
      for (let i = 0; i < head; i++) out[o + i] = ((cur[i] as number) - (prev[i] as number)) & 0xff;
      for (let i = head; i < n; i++) {
        const pred = paeth(cur[i - bpp] as number, prev[i] as number, prev[i - bpp] as number);
        out[o + i] = ((cur[i] as number) - pred) & 0xff;
      }
  }
}

/** libpng's cost of a filtered row: the sum of its bytes taken as signed. */
function cost(row: Uint8Array, from: number, length: number): number {
  let sum = 0;
  for (let i = from; i < from + length; i++) {
    const v = row[i] as number;
    sum += v < 128 ? v : 256 - v;
  }
  return sum;
}

/** One row of 16-bit samples as PNG wants them: big-endian. */
function rowBytes(samples: Uint16Array, start: number, count: number, out: Uint8Array): void {
  for (let i = 0; i < count; i++) {
    const v = samples[start + i] as number;
    out[i * 2] = v >>> 8;
    out[i * 2 + 1] = v & 0xff;
  }
}

/** The filtered scanlines of a 16-bit image: `height` rows of a type byte and `width * channels * 2` bytes. */
export function filterScanlines16(
  samples: Uint16Array,
  width: number,
  height: number,
  channels: number,
  strategy: FilterStrategy,
): Uint8Array {
  const perRow = width * channels;
  const stride = perRow * 2;
  const bpp = channels * 2;
  const out = new Uint8Array((stride + 1) * height);
  let prev = new Uint8Array(stride);
  let cur = new Uint8Array(stride);
  const trial = new Uint8Array(stride + 1);
  for (let y = 0; y < height; y++) {
    rowBytes(samples, y * perRow, perRow, cur);
    const at = y * (stride + 1);
    if (strategy !== 'adaptive') {
      filterRow(strategy, cur, prev, bpp, out, at);
    } else {
      let best = Number.POSITIVE_INFINITY;
      let bestType = 0;
      for (let type = 0; type <= 4; type++) {
        filterRow(type, cur, prev, bpp, trial, 0);
        const c = cost(trial, 1, stride);
        if (c < best) {
          best = c;
          bestType = type;
        }
      }
      filterRow(bestType, cur, prev, bpp, out, at);
    }
    [prev, cur] = [cur, prev];
  }
  return out;
}
