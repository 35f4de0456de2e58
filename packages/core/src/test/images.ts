import type { PixelImage } from '../types.js';

/** A tiny deterministic PRNG for test images (independent of the library's own). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * A natural-looking photo stand-in: smooth sky-like gradient, a few soft coloured blobs with
 * shading, and sensor-like noise. Tens of thousands of distinct colours.
 */
export function naturalImage(width: number, height: number, seed = 7): PixelImage {
  const rand = lcg(seed);
  const blobs = Array.from({ length: 6 }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: (0.15 + rand() * 0.25) * Math.min(width, height),
    c: [rand() * 255, rand() * 255, rand() * 255],
  }));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [40 + (150 * y) / height, 90 + (100 * x) / width, 200 - (120 * y) / height];
      for (const b of blobs) {
        const d = Math.hypot(x - b.x, y - b.y) / b.r;
        if (d < 1) {
          const t = (1 - d * d) ** 0.5;
          const shade = 0.6 + 0.4 * Math.cos((x + y) / 17);
          c = c.map((v, i) => v * (1 - t) + b.c[i] * shade * t);
        }
      }
      const o = (y * width + x) * 3;
      for (let i = 0; i < 3; i++) data[o + i] = clamp(c[i] + (rand() - 0.5) * 12);
    }
  }
  return { data, width, height, channels: 3 };
}

/** An image made of the given RGB(A) colours, each repeated `repeat` times, in order. */
export function paletteImage(colors: number[][], repeat: number, channels: 3 | 4 = 3): PixelImage {
  const pixels = colors.length * repeat;
  const data = new Uint8Array(pixels * channels);
  let o = 0;
  for (const c of colors) {
    for (let r = 0; r < repeat; r++) {
      for (let i = 0; i < channels; i++) data[o++] = c[i] ?? 255;
    }
  }
  return { data, width: pixels, height: 1, channels };
}

/** Four tight, well-separated colour clusters (noise of a few levels around each centre). */
export function blobsImage(width: number, height: number, seed = 3): PixelImage {
  const rand = lcg(seed);
  const centres = [
    [30, 40, 50],
    [200, 60, 70],
    [60, 190, 90],
    [220, 220, 200],
  ];
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const c = centres[Math.floor((p / (width * height)) * 4)];
    for (let i = 0; i < 3; i++) data[p * 3 + i] = clamp(c[i] + (rand() - 0.5) * 16);
  }
  return { data, width, height, channels: 3 };
}

/** Squared RGB(A) distance between a pixel of `data` and a palette entry. */
export function pixelDist2(
  data: ArrayLike<number>,
  o: number,
  palette: Uint8Array,
  e: number,
  channels: number,
): number {
  let s = 0;
  for (let i = 0; i < channels; i++) {
    const d = data[o + i] - palette[e * 4 + i];
    s += d * d;
  }
  return s;
}
