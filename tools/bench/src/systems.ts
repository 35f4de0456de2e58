import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { compressImage, type DecodedImage, decode } from '@kpress/codec';
import { psnr } from '@kpress/core';
import { fullPixelLloyd, kmeansppInit, textbookKmeans } from '@kpress/core/reference';
import sharp from 'sharp';
import { median, type RunResult, type RunSpec } from './measure.js';

export const PNGQUANT = '/usr/bin/pngquant';
/** Full-pixel Lloyd reference: iterate until the palette moves less than this, or the cap. */
export const LLOYD = { maxIterations: 100, tolerance: 0.05 };

function countColours(rgb: Uint8Array, channels: number): number {
  const seen = new Uint8Array(1 << 21);
  let n = 0;
  for (let i = 0; i < rgb.length; i += channels) {
    const key = ((rgb[i] as number) << 16) | ((rgb[i + 1] as number) << 8) | (rgb[i + 2] as number);
    const bit = 1 << (key & 7);
    const at = key >> 3;
    if (!((seen[at] as number) & bit)) {
      seen[at] = (seen[at] as number) | bit;
      n++;
    }
  }
  return n;
}

/** PSNR of an encoded output against the oriented source, over the source's channels. */
async function psnrOfPng(
  src: DecodedImage,
  png: Buffer,
): Promise<{ psnr: number; colorsUsed: number }> {
  let pipeline = sharp(png);
  pipeline = src.channels === 3 ? pipeline.removeAlpha() : pipeline.ensureAlpha();
  const { data } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    psnr: psnr(src.data as Uint8Array, out, src.channels),
    colorsUsed: countColours(out, src.channels),
  };
}

async function timed<T>(
  reps: number,
  fn: () => Promise<T> | T,
): Promise<{ ms: number; cpuMs: number; last: T }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < reps; i++) {
    // no forced GC before a run: measured, a gc() there doubles kpress's next quantize
    // (astronaut.png k=16: 41 ms without, 85 ms with), which a worker never sees
    const c = process.cpuUsage();
    const t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return { ms: median(times), cpuMs: median(cpu), last: last as T };
}

/**
 * The top-left corner (at most 96 x 96) of an image: the slow references warm up on it (JIT,
 * allocation paths) before their one timed run on the whole image, which takes seconds.
 */
function corner(src: DecodedImage): DecodedImage {
  const width = Math.min(96, src.width);
  const height = Math.min(96, src.height);
  const ch = src.channels;
  const data = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    data.set(src.data.subarray(y * src.width * ch, (y * src.width + width) * ch), y * width * ch);
  }
  return { ...src, width, height, data };
}

/**
 * Untimed warm-up: V8 tiers code up over several calls (measured, kpress on chelsea k=16:
 * 141, 65, 60, 60, 32, 30, 30, 22 ms on successive calls), and a worker runs warm over thousands
 * of images. Runs `fn` at least once and until WARMUP_RUNS runs or WARMUP_MS have passed.
 */
export const WARMUP_RUNS = 6;
export const WARMUP_MS = 2500;

async function warmUp(fn: () => Promise<unknown> | unknown): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await fn();
    if (performance.now() - start > WARMUP_MS) break;
  }
}

/** A run's figures; peakRssMb only when measured outside this process (pngquant). */
export type SystemResult = Omit<RunResult, 'peakRssMb'> & { peakRssMb?: number };

export async function runSystem(spec: RunSpec): Promise<SystemResult> {
  const bytes = readFileSync(spec.input);
  const src = await decode(bytes);
  const megapixels = (src.width * src.height) / 1e6;
  const base = {
    system: spec.system,
    image: spec.input,
    colors: spec.colors,
    megapixels,
    iterations: Number.NaN,
    extrapolated: false,
  };
  /** Figures of an encoder seen only from outside (sharp, pngquant): its PNG checked against the source. */
  const encoderResult = async (run: { ms: number; cpuMs: number; last: Buffer }) => {
    const check = await psnrOfPng(src, run.last);
    return {
      ...base,
      endToEndMs: run.ms,
      cpuMs: run.cpuMs,
      quantizeMs: Number.NaN,
      psnr: check.psnr,
      bytes: run.last.length,
      colorsUsed: check.colorsUsed,
    };
  };
  const k = spec.colors;
  switch (spec.system) {
    case 'kpress':
    case 'kpress-zlib':
    case 'kpress-effort1':
    case 'kpress-effort2':
    case 'kpress-effort4':
    case 'kpress-effort5': {
      // kpress and kpress-zlib: the default effort (3); kpress-zlib runs with KPRESS_DEFLATE=zlib.
      const effort = /effort(\d)$/.exec(spec.system)?.[1];
      const options = { colors: k, seed: 1, ...(effort ? { effort: Number(effort) } : {}) };
      await warmUp(() => compressImage(bytes, options));
      const quantizeTimes: number[] = [];
      const run = await timed(spec.reps, async () => {
        const r = await compressImage(bytes, options);
        quantizeTimes.push(r.timings.quantizeMs);
        return r;
      });
      const check = await psnrOfPng(src, run.last.png);
      return {
        ...base,
        endToEndMs: run.ms,
        cpuMs: run.cpuMs,
        quantizeMs: median(quantizeTimes),
        psnr: run.last.psnr,
        bytes: run.last.png.length,
        colorsUsed: check.colorsUsed,
        iterations: run.last.iterations,
      };
    }
    case 'sharp':
    case 'sharp-effort1': {
      const effort = spec.system === 'sharp' ? 7 : 1;
      const encode = () =>
        sharp(bytes).autoOrient().png({ palette: true, colours: k, dither: 0, effort }).toBuffer();
      await warmUp(encode);
      return encoderResult(await timed(spec.reps, encode));
    }
    case 'pngquant': {
      const png = readFileSync(spec.pngInput);
      let rssKb = 0;
      const encode = () => {
        // /usr/bin/time -f %M: the child's peak RSS in KB, on the last stderr line.
        const r = spawnSync('/usr/bin/time', ['-f', '%M', PNGQUANT, '--nofs', String(k), '-'], {
          input: png,
          maxBuffer: 1 << 30,
        });
        if (r.status !== 0) throw new Error(`pngquant exited ${r.status}: ${r.stderr}`);
        rssKb = Math.max(rssKb, Number(r.stderr.toString().trim().split('\n').pop()));
        return r.stdout;
      };
      encode(); // warm-up (page cache, dynamic loading)
      const result = await encoderResult(await timed(spec.reps, encode));
      return { ...result, peakRssMb: rssKb / 1024 };
    }
    case 'full-lloyd': {
      const warm = corner(src);
      fullPixelLloyd(warm, kmeansppInit(warm, { colors: k, seed: 1 }), LLOYD);
      const run = await timed(1, () =>
        fullPixelLloyd(src, kmeansppInit(src, { colors: k, seed: 1 }), LLOYD),
      );
      return {
        ...base,
        endToEndMs: Number.NaN,
        cpuMs: Number.NaN,
        quantizeMs: run.ms,
        psnr: run.last.psnr,
        bytes: Number.NaN,
        colorsUsed: run.last.colors,
        iterations: run.last.iterations,
      };
    }
    case 'textbook': {
      textbookKmeans(corner(src), k, 1);
      const cap = spec.capIterations;
      const run = await timed(1, () =>
        textbookKmeans(src, k, 1, cap === undefined ? {} : { maxIterations: cap }),
      );
      if (cap === undefined || run.last.iterations < cap) {
        return {
          ...base,
          endToEndMs: Number.NaN,
          cpuMs: Number.NaN,
          quantizeMs: run.ms,
          psnr: run.last.psnr,
          bytes: Number.NaN,
          colorsUsed: run.last.colors,
          iterations: run.last.iterations,
        };
      }
      // Capped: one more run capped at 1 iteration separates the fixed cost (set-up, final
      // mapping) from the cost per iteration: estimate = T(1) + (to - 1) * (T(cap) - T(1)) / (cap - 1).
      const one = await timed(1, () => textbookKmeans(src, k, 1, { maxIterations: 1 }));
      const perIteration = cap > 1 ? Math.max(0, run.ms - one.ms) / (cap - 1) : run.ms;
      const to = Math.max(1, spec.extrapolateTo ?? cap);
      return {
        ...base,
        endToEndMs: Number.NaN,
        cpuMs: Number.NaN,
        quantizeMs: one.ms + (to - 1) * perIteration,
        psnr: Number.NaN,
        bytes: Number.NaN,
        colorsUsed: run.last.colors,
        iterations: to,
        extrapolated: true,
      };
    }
  }
}
