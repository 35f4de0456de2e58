/**
 * Where two images differ most: the window of a per-cell difference map with
 * the largest sum. Pure; O(cells) with a summed-area table.
 */

/** A difference map: `width * height` non-negative values, row by row. */
export interface DiffMap {
  width: number;
  height: number;
  values: ArrayLike<number>;
}

/** A window of a map, in cells: its top-left corner and its size. */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

function checkSize(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer in 1..${max}, got ${value}`);
  }
}

/**
 * The `width` x `height` window of `map` (clamped to the map) whose values
 * sum highest; ties go to the smallest y, then the smallest x, so the choice
 * is deterministic. Throws a RangeError on a bad map or size.
 */
export function maxSumWindow(map: DiffMap, width: number, height: number): Window {
  checkSize('map width', map.width, 1 << 16);
  checkSize('map height', map.height, 1 << 16);
  if (map.values.length !== map.width * map.height) {
    throw new RangeError(
      `map values must hold width * height = ${map.width * map.height} cells, got ${map.values.length}`,
    );
  }
  checkSize('window width', width, Number.MAX_SAFE_INTEGER);
  checkSize('window height', height, Number.MAX_SAFE_INTEGER);
  const w = Math.min(width, map.width);
  const h = Math.min(height, map.height);
  const stride = map.width + 1;
  // sat[(y) * stride + x] = sum of values[0..y-1][0..x-1]
  const sat = new Float64Array(stride * (map.height + 1));
  for (let y = 0; y < map.height; y++) {
    let row = 0;
    for (let x = 0; x < map.width; x++) {
      const v = map.values[y * map.width + x] ?? 0;
      if (!(v >= 0)) throw new RangeError(`map value at (${x}, ${y}) must be >= 0, got ${v}`);
      row += v;
      sat[(y + 1) * stride + x + 1] = (sat[y * stride + x + 1] ?? 0) + row;
    }
  }
  const at = (x: number, y: number) => sat[y * stride + x] ?? 0;
  let best: Window = { x: 0, y: 0, width: w, height: h };
  let bestSum = -1;
  for (let y = 0; y + h <= map.height; y++) {
    for (let x = 0; x + w <= map.width; x++) {
      const sum = at(x + w, y + h) - at(x, y + h) - at(x + w, y) + at(x, y);
      if (sum > bestSum) {
        bestSum = sum;
        best = { x, y, width: w, height: h };
      }
    }
  }
  return best;
}

/**
 * The crop in image pixels for an image of `imageWidth` x `imageHeight`
 * seen through a map whose cells are `cell` pixels square: a window of at
 * most `side` x `side` pixels (the whole side when the image is smaller),
 * over the map window that sums highest, clamped inside the image.
 */
export function cropWhereMostDifferent(
  map: DiffMap,
  cell: number,
  imageWidth: number,
  imageHeight: number,
  side: number,
): Window {
  checkSize('cell', cell, 1 << 16);
  checkSize('side', side, 1 << 16);
  checkSize('image width', imageWidth, Number.MAX_SAFE_INTEGER);
  checkSize('image height', imageHeight, Number.MAX_SAFE_INTEGER);
  const width = Math.min(side, imageWidth);
  const height = Math.min(side, imageHeight);
  const cells = maxSumWindow(
    map,
    Math.max(1, Math.round(width / cell)),
    Math.max(1, Math.round(height / cell)),
  );
  // centre the pixel window on the chosen cells, then keep it inside the image
  const cx = (cells.x + cells.width / 2) * cell;
  const cy = (cells.y + cells.height / 2) * cell;
  const x = Math.min(Math.max(0, Math.round(cx - width / 2)), imageWidth - width);
  const y = Math.min(Math.max(0, Math.round(cy - height / 2)), imageHeight - height);
  return { x, y, width, height };
}
