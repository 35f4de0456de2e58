import { describe, expect, it } from 'vitest';
import { cropWhereMostDifferent, type DiffMap, maxSumWindow } from './diff-window.js';

function map(width: number, height: number, at: (x: number, y: number) => number): DiffMap {
  const values = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values[y * width + x] = at(x, y);
  return { width, height, values };
}

/** Every window's sum, the slow way: the best, first by y then x. */
function bruteForce(m: DiffMap, w: number, h: number): { x: number; y: number } {
  let best = { x: 0, y: 0 };
  let bestSum = -1;
  for (let y = 0; y + h <= m.height; y++) {
    for (let x = 0; x + w <= m.width; x++) {
      let sum = 0;
      for (let j = y; j < y + h; j++)
        for (let i = x; i < x + w; i++) sum += m.values[j * m.width + i] ?? 0;
      if (sum > bestSum) {
        bestSum = sum;
        best = { x, y };
      }
    }
  }
  return best;
}

describe('maxSumWindow', () => {
  it('finds the window over a block of difference', () => {
    const m = map(40, 30, (x, y) => (x >= 25 && x < 31 && y >= 4 && y < 10 ? 9 : 1));
    expect(maxSumWindow(m, 6, 6)).toEqual({ x: 25, y: 4, width: 6, height: 6 });
  });

  it('matches the brute force on random maps', () => {
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    for (let t = 0; t < 30; t++) {
      const w = 1 + Math.floor(rnd() * 25);
      const h = 1 + Math.floor(rnd() * 25);
      const m = map(w, h, () => Math.floor(rnd() * 10));
      const ww = 1 + Math.floor(rnd() * w);
      const wh = 1 + Math.floor(rnd() * h);
      expect(maxSumWindow(m, ww, wh)).toEqual({ ...bruteForce(m, ww, wh), width: ww, height: wh });
    }
  });

  it('breaks ties at the top left, and clamps a window larger than the map', () => {
    expect(
      maxSumWindow(
        map(10, 10, () => 0),
        3,
        3,
      ),
    ).toEqual({ x: 0, y: 0, width: 3, height: 3 });
    const twoPeaks = map(10, 10, (x, y) => ((x === 7 && y === 2) || (x === 2 && y === 7) ? 5 : 0));
    expect(maxSumWindow(twoPeaks, 1, 1)).toEqual({ x: 7, y: 2, width: 1, height: 1 });
    expect(
      maxSumWindow(
        map(4, 3, () => 1),
        100,
        100,
      ),
    ).toEqual({ x: 0, y: 0, width: 4, height: 3 });
  });

  it('refuses bad maps and sizes, naming them', () => {
    expect(() => maxSumWindow({ width: 3, height: 3, values: [1, 2] }, 1, 1)).toThrow(
      'map values must hold width * height = 9 cells, got 2',
    );
    expect(() =>
      maxSumWindow(
        map(3, 3, () => 1),
        0,
        1,
      ),
    ).toThrow('window width must be an integer in 1..');
    expect(() =>
      maxSumWindow(
        map(2, 1, (x) => (x === 1 ? -1 : 0)),
        1,
        1,
      ),
    ).toThrow('map value at (1, 0) must be >= 0, got -1');
  });
});

describe('cropWhereMostDifferent', () => {
  it('maps the best cells back to a pixel window of the side asked, inside the image', () => {
    // a 1000 x 600 image seen through 8-pixel cells (125 x 75), the difference at cells 100..110, 50..60
    const m = map(125, 75, (x, y) => (x >= 100 && x < 110 && y >= 50 && y < 60 ? 1 : 0));
    const crop = cropWhereMostDifferent(m, 8, 1000, 600, 192);
    expect(crop.width).toBe(192);
    expect(crop.height).toBe(192);
    // the 80 x 80 px block of difference (800..880, 400..480) lies inside the crop
    expect(crop.x).toBeLessThanOrEqual(800);
    expect(crop.x + crop.width).toBeGreaterThanOrEqual(880);
    expect(crop.y).toBeLessThanOrEqual(400);
    expect(crop.y + crop.height).toBeGreaterThanOrEqual(480);
  });

  it('keeps the crop inside the image at its edge, and takes the whole of a small image', () => {
    const corner = map(125, 75, (x, y) => (x === 124 && y === 74 ? 1 : 0));
    expect(cropWhereMostDifferent(corner, 8, 1000, 600, 192)).toEqual({
      x: 808,
      y: 408,
      width: 192,
      height: 192,
    });
    expect(
      cropWhereMostDifferent(
        map(10, 6, () => 1),
        1,
        10,
        6,
        192,
      ),
    ).toEqual({
      x: 0,
      y: 0,
      width: 10,
      height: 6,
    });
  });
});
