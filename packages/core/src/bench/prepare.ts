/**
 * Preparation benchmark (a dev script, not part of the library; Node only):
 *   node dist/bench/prepare.js [--reps 15] photo.png ...
 * Times prepare() (histogram, coarse cells, colour tree) and writeIndices() of each photo with
 * the native kernels and with TypeScript alone, side by side in one process: the two alternate
 * (native first on even rounds, TypeScript first on odd ones), the first two rounds are warm-up.
 * Prints the median and the fastest time of each, in milliseconds.
 */
import { useNativeKernels } from '../native.js';
import { prepare, releasePrepared } from '../quantize.js';
import { writeIndices } from '../remap.js';
import type { PixelImage } from '../types.js';

async function decode(path: string): Promise<PixelImage> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: info.channels as 3 | 4,
  };
}

/** One prepare() and one writeIndices() of the image: their times in ms. */
function once(image: PixelImage): [number, number] {
  const t0 = performance.now();
  const prepared = prepare(image);
  const t1 = performance.now();
  const colourIndex = new Uint8Array(prepared.hist.size);
  for (let i = 0; i < colourIndex.length; i++) colourIndex[i] = i & 255;
  const t2 = performance.now();
  writeIndices(image, prepared.hist, colourIndex, 0);
  const t3 = performance.now();
  releasePrepared(prepared);
  return [t1 - t0, t3 - t2];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)})`;

const args = process.argv.slice(2);
let reps = 15;
const at = args.indexOf('--reps');
if (at >= 0) reps = Number(args.splice(at, 2)[1]);
for (const path of args) {
  const image = await decode(path);
  const times = { native: [[], []] as number[][], ts: [[], []] as number[][] };
  for (let r = 0; r < reps + 2; r++) {
    for (const mode of r % 2 === 0 ? (['native', 'ts'] as const) : (['ts', 'native'] as const)) {
      useNativeKernels(mode === 'native');
      const [p, w] = once(image);
      if (r >= 2) {
        times[mode][0]?.push(p);
        times[mode][1]?.push(w);
      }
    }
  }
  useNativeKernels(true);
  const name = path.split('/').pop();
  console.log(
    `${name} ${image.width}x${image.height}x${image.channels}: prepare ms native ${fmt(times.native[0] ?? [])}, ` +
      `TypeScript ${fmt(times.ts[0] ?? [])}; writeIndices ms native ${fmt(times.native[1] ?? [])}, ` +
      `TypeScript ${fmt(times.ts[1] ?? [])}`,
  );
}
