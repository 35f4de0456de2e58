/**
 * Quick benchmark (a dev script, not part of the library; Node only):
 *   node dist/bench/quick.js [--colors 16,64,256] [--full] file.WxHxC.rgb ...
 * Raw files are interleaved 8-bit pixels named with their size, e.g. cat.451x300x3.rgb.
 * Prints megapixels per second of quantize() and, with --full, PSNR against fullPixelLloyd from
 * the same k-means++ start run nearly to convergence (tolerance 0.01, 300 iterations). Without files it runs on a synthetic 12-megapixel image.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { quantize } from '../quantize.js';
import { fullPixelLloyd, kmeansppInit } from '../reference.js';
import type { PixelImage } from '../types.js';

function load(path: string): PixelImage {
  const m = /\.(\d+)x(\d+)x([34])\.rgba?$/.exec(path);
  if (!m) throw new Error(`file name must end in .WxHxC.rgb, got ${path}`);
  const data = new Uint8Array(readFileSync(path));
  return { data, width: Number(m[1]), height: Number(m[2]), channels: Number(m[3]) as 3 | 4 };
}

function synthetic(width: number, height: number): PixelImage {
  const data = new Uint8Array(width * height * 3);
  let s = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1103515245) + 12345) | 0;
      const noise = ((s >>> 16) & 15) - 8;
      const o = (y * width + x) * 3;
      data[o] = Math.max(0, Math.min(255, ((x * 255) / width + noise) | 0));
      data[o + 1] = Math.max(0, Math.min(255, ((y * 255) / height + noise) | 0));
      data[o + 2] = Math.max(0, Math.min(255, (128 + 100 * Math.sin((x + y) / 300) + noise) | 0));
    }
  }
  return { data, width, height, channels: 3 };
}

const args = process.argv.slice(2);
let colorsList = [16, 64, 256];
let full = false;
// The reference runs (nearly) to convergence: tolerance 0.01, up to 300 iterations.
const refOptions = { maxIterations: 300, tolerance: 0.01 };
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--colors') colorsList = args[++i].split(',').map(Number);
  else if (args[i] === '--full') full = true;
  else files.push(args[i]);
}
const images: [string, PixelImage][] = files.length
  ? files.map((f) => [basename(f), load(f)])
  : [['synthetic-12mp', synthetic(4000, 3000)]];

for (const [name, image] of images) {
  const mp = (image.width * image.height) / 1e6;
  for (const colors of colorsList) {
    quantize(image, { colors }); // warm-up
    const runs = mp > 4 ? 3 : 5;
    let best = Number.POSITIVE_INFINITY;
    let bestCpu = Number.POSITIVE_INFINITY;
    let result = quantize(image, { colors });
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      result = quantize(image, { colors });
      const c1 = process.cpuUsage(c0);
      best = Math.min(best, performance.now() - t0);
      bestCpu = Math.min(bestCpu, (c1.user + c1.system) / 1000);
    }
    let line = `${name} k=${colors}: wall ${best.toFixed(1)} ms (${(mp / (best / 1000)).toFixed(1)} MP/s), cpu ${bestCpu.toFixed(1)} ms, psnr ${result.psnr.toFixed(3)} dB, colors ${result.colors}, iterations ${result.iterations}`;
    if (full) {
      const t0 = performance.now();
      const ref = fullPixelLloyd(image, kmeansppInit(image, { colors }), refOptions);
      const ms = performance.now() - t0;
      line += ` | fullPixelLloyd psnr ${ref.psnr.toFixed(3)} dB (${ref.iterations} it, ${ms.toFixed(0)} ms), diff ${(result.psnr - ref.psnr).toFixed(3)} dB`;
    }
    console.log(line);
  }
}
