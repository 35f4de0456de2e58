// The memory one `kpress compress` job takes per decoded pixel: the figure
// behind BYTES_PER_PIXEL (@kpress/config), hence the default pixel limit of a
// KPRESS_SLOT_MEMORY_MB budget. Peak RSS of one CLI process (`/usr/bin/time
// -f %M`) at several sizes; the least-squares slope is the bytes per added pixel.
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { sampleMosaic } from './images.js';

/** One kind of input and the flags it runs with. */
export interface MemoryCase {
  name: string;
  /** The input file's extension. */
  ext: 'png' | 'jpg';
  /** What the photo is turned into (see makeInput). */
  kind: 'rgb' | 'cutout' | 'ramp' | 'rgb16' | 'jpeg';
  /** Flags after `compress <in> <out>`. */
  flags: string[];
}

export const MEMORY_CASES: readonly MemoryCase[] = [
  { name: 'PNG, default target', ext: 'png', kind: 'rgb', flags: [] },
  { name: 'PNG, --colors 256', ext: 'png', kind: 'rgb', flags: ['--colors', '256'] },
  { name: 'PNG, --colors 16', ext: 'png', kind: 'rgb', flags: ['--colors', '16'] },
  { name: 'JPEG q90, default target', ext: 'jpg', kind: 'jpeg', flags: [] },
  { name: 'RGBA cutout, soft edge', ext: 'png', kind: 'cutout', flags: [] },
  { name: 'RGBA alpha ramp', ext: 'png', kind: 'ramp', flags: [] },
  { name: '16-bit PNG (lossless path)', ext: 'png', kind: 'rgb16', flags: [] },
];

/** Width x height of about `megapixels`, 3:2 like a camera's, even sides. */
export function sizeFor(megapixels: number): { width: number; height: number } {
  const height = 2 * Math.round(Math.sqrt((megapixels * 1e6) / 1.5) / 2);
  return { width: 2 * Math.round((height * 1.5) / 2), height };
}

/** A deterministic xorshift32 stream. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/**
 * Writes a `width` x `height` photo of `kind` at `path`: a 2x2 mosaic of the
 * samples with a little sensor-like noise (+-6 per sample), so that it has a
 * camera photo's millions of distinct colours. `cutout` adds alpha as a
 * product shot's: an opaque ellipse on a transparent ground with a soft edge
 * (translucent pixels along it only); `ramp` an alpha ramp (0 to 255 left
 * to right: nearly every pixel translucent, the worst case), `rgb16` is a
 * 16-bit PNG whose low bytes are noise too (a real 16-bit scan's), `jpeg`
 * quality 90.
 */
export async function makeInput(
  samples: string,
  kind: MemoryCase['kind'],
  width: number,
  height: number,
  path: string,
): Promise<void> {
  const mosaic = await (await sampleMosaic(samples, width, height)).raw().toBuffer();
  const next = xorshift(width * 31 + height);
  if (kind === 'rgb16') {
    const deep = new Uint16Array(mosaic.length);
    for (let i = 0; i < mosaic.length; i++) {
      const v = (mosaic[i] ?? 0) * 257 + (next() % 3073) - 1536;
      deep[i] = Math.max(0, Math.min(65535, v));
    }
    // a Uint16Array is read as 16-bit samples
    await sharp(deep, { raw: { width, height, channels: 3 } })
      .toColourspace('rgb16')
      .png({ compressionLevel: 1 })
      .toFile(path);
    return;
  }
  const channels = kind === 'cutout' || kind === 'ramp' ? 4 : 3;
  const out = Buffer.alloc(width * height * channels);
  for (let p = 0, i = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (mosaic[p * 3 + c] ?? 0) + (next() % 13) - 6;
      out[i++] = Math.max(0, Math.min(255, v));
    }
    if (kind === 'ramp') out[i++] = Math.round((255 * (p % width)) / (width - 1));
    else if (kind === 'cutout')
      out[i++] = cutoutAlpha(p % width, Math.floor(p / width), width, height);
  }
  const img = sharp(out, { raw: { width, height, channels } });
  if (kind === 'jpeg') await img.jpeg({ quality: 90 }).toFile(path);
  else await img.png({ compressionLevel: 1 }).toFile(path);
}

/** Alpha of an ellipse filling the image, opaque inside, with an edge 1% of its radius wide. */
function cutoutAlpha(x: number, y: number, width: number, height: number): number {
  const r = Math.hypot((2 * x) / width - 1, (2 * y) / height - 1) / 0.95;
  return Math.max(0, Math.min(255, Math.round(((1 - r) / 0.01) * 255)));
}

/** What one `kpress compress` process took. */
export interface PeakRss {
  /** Peak resident set, bytes (GNU time's %M, KiB, x 1024). */
  bytes: number;
  /** The CLI's exit status (1: no palette reached the target, or a 16-bit source kept). */
  status: number;
}

/** Peak RSS of `node <cli> compress <input> <output> ...flags`, under `/usr/bin/time -f %M`. */
export function peakRss(cli: string, input: string, output: string, flags: string[]): PeakRss {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'peak-rss-kib %M', process.execPath, cli, 'compress', input, output, ...flags],
    { encoding: 'utf8' },
  );
  const m = /peak-rss-kib (\d+)\s*$/.exec(r.stderr ?? '');
  if (m === null || (r.status !== 0 && r.status !== 1)) {
    throw new Error(`kpress compress ${input} exited ${r.status}: ${r.error ?? r.stderr}`);
  }
  return { bytes: Number(m[1]) * 1024, status: r.status ?? -1 };
}

/** Least-squares line `bytes = intercept + slope * pixels` through the points. */
export function fitLine(points: ReadonlyArray<{ pixels: number; bytes: number }>): {
  slope: number;
  intercept: number;
} {
  const n = points.length;
  if (n < 2) throw new RangeError('fitLine needs at least 2 points');
  const mx = points.reduce((s, p) => s + p.pixels, 0) / n;
  const my = points.reduce((s, p) => s + p.bytes, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.pixels - mx) * (p.bytes - my);
    sxx += (p.pixels - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('fitLine needs points of at least 2 sizes');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
