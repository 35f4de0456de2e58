/**
 * Small deterministic images for the alpha, depth, grey and size cases, whose reference scores
 * (`ssimulacra2` 2.1, the reference tool, on PNGs of exactly these pixels) are in
 * score.test.ts. Test tooling; not part of the package.
 */
import type { ScoreImage } from '../types.js';

/** A pseudo-random generator (LCG), so that every run makes the same pixels. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

/** What the synthetic pair is made of. */
export interface SyntheticOptions {
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 3 | 4;
  /** 8 or 16 bits per sample. */
  depth: 8 | 16;
  /** With 4 channels: alpha varies (else every pixel is opaque). */
  translucent: boolean;
  /** Dark colours (a fifth of the brightness). */
  dark?: boolean;
  /** The distorted copy keeps the colours and changes only alpha. */
  alphaOnly?: boolean;
}

/** A textured original (gradients, a disc, noise) and a distorted copy (banded, noisier). */
export function syntheticPair(o: SyntheticOptions): {
  original: ScoreImage;
  distorted: ScoreImage;
} {
  const { width, height, channels, depth } = o;
  const max = depth === 16 ? 65535 : 255;
  const n = width * height * channels;
  const a = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const b = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const noise = lcg(7);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 3) ** 2;
      const base = [x / width, y / height, disc ? 0.9 : 0.2].map((v) => (o.dark ? v / 5 : v));
      const at = (y * width + x) * channels;
      const colours = channels === 4 ? 3 : channels;
      for (let c = 0; c < colours; c++) {
        const v = Math.min(1, Math.max(0, base[c] + (noise() - 128) / 2048));
        a[at + c] = Math.round(v * max);
        const banded = Math.floor(v * 12) / 12 + (noise() - 128) / 4096;
        b[at + c] = o.alphaOnly ? a[at + c] : Math.round(Math.min(1, Math.max(0, banded)) * max);
      }
      if (channels === 4) {
        const alpha = o.translucent ? ((x * 5 + y * 3) % 256) / 255 : 1;
        a[at + 3] = Math.round(alpha * max);
        b[at + 3] = o.translucent ? Math.round((Math.floor(alpha * 8) / 8) * max) : max;
      }
    }
  }
  return {
    original: { data: a, width, height, channels },
    distorted: { data: b, width, height, channels },
  };
}

/** The image without its alpha channel (RGBA -> RGB). */
export function dropAlpha(image: ScoreImage): ScoreImage {
  const { width, height } = image;
  const data = new (image.data.constructor as Uint8ArrayConstructor)(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = image.data[i * 4 + c];
  }
  return { data, width, height, channels: 3 };
}
