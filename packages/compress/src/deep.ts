/**
 * A source deeper than 8 bits per channel (issue 26, DESIGN invariant 10:
 * bit depth is never reduced silently), in the pool thread:
 *
 * - without `allow8bit`: never quantized. A 16-bit PNG of exactly its samples
 *   (codec's reencodeLossless16, which proves the samples identical before it
 *   answers) when that is smaller; else the original is kept, with the reason.
 * - with `allow8bit`: the 8-bit palette as for any image, its PSNR measured
 *   against the full-depth source (so the loss of depth counts).
 *
 * Kept apart from task.ts so that the 8-bit path reads as it did.
 */
import {
  compressImage,
  depthOf,
  inspectSource,
  PROVENANCE_KEYWORD,
  reencodeLossless16,
} from '@kpress/codec';
import { paletteResult } from './palette-result.js';
import type { CompressTask, CompressTaskResult } from './task-types.js';

/** The reason a deep source is kept as it is, in the row. */
export function keptDeepReason(bitsPerSample: number, why: string): string {
  return `${bitsPerSample}-bit source kept at full depth: ${why}`;
}

/** What the header said of the source. */
export interface DeepSource {
  bitDepth: number;
  /** After EXIF orientation. */
  width: number;
  height: number;
}

/** The source's bit depth and oriented size, from its header (decode's checks first; no pixel decoded). */
export async function readSourceHeader(
  input: Buffer,
  maxPixels?: number,
): Promise<DeepSource & { high: boolean }> {
  const { meta } = await inspectSource(input, maxPixels === undefined ? {} : { maxPixels });
  const depth = depthOf(meta);
  const size = meta.autoOrient ?? meta;
  return {
    bitDepth: depth.bitsPerSample,
    high: depth.high,
    width: size.width,
    height: size.height,
  };
}

/**
 * For one file outside the pool (`kpress compress in out`): the deep answer
 * (see the module note) when the source is deeper than 8 bits, else
 * undefined (the 8-bit path). A refused source throws its CodecError.
 */
export async function compressIfDeep(
  input: Buffer,
  task: CompressTask,
): Promise<CompressTaskResult | undefined> {
  const started = performance.now();
  const source = await readSourceHeader(input, task.maxPixels);
  return source.high ? compressDeep(input, task, source, started) : undefined;
}

/** Compresses a deep source the way its options allow (see the module note). */
export async function compressDeep(
  input: Buffer,
  task: CompressTask,
  source: DeepSource,
  started: number,
): Promise<CompressTaskResult> {
  if (task.options.allow8bit === true) return reduceTo8Bit(input, task, source, started);
  const t0 = performance.now();
  const r = await reencodeLossless16(input, {
    maxPixels: task.maxPixels,
    ...(task.options.effort === undefined ? {} : { effort: task.options.effort }),
    keepMetadata: task.options.stripMetadata !== true,
    text: provenanceText(task, source.bitDepth),
  });
  const encodeMs = performance.now() - t0;
  if (r.kind === 'keep-original') {
    return {
      ok: false,
      code: 'DEEP_KEPT',
      message: keptDeepReason(source.bitDepth, r.reason),
      keepOriginal: true,
      codecMs: performance.now() - started,
      source: task.source,
      ...source,
    };
  }
  return {
    ok: true,
    png: new Uint8Array(r.png.buffer, r.png.byteOffset, r.png.byteLength),
    width: source.width,
    height: source.height,
    colors: null,
    psnr: Number.POSITIVE_INFINITY,
    // the same samples, proven before returning: mathematically lossless on the metric's scale
    ssimulacra2: 100,
    bitDepth: source.bitDepth,
    hasAlpha: r.channels === 2 || r.channels === 4,
    format: r.format,
    timings: { decodeMs: 0, quantizeMs: 0, scoreMs: 0, encodeMs },
    codecMs: performance.now() - started,
  };
}

/** The Software and kpress text chunks of a lossless 16-bit output. */
function provenanceText(task: CompressTask, bitDepth: number) {
  const p = task.provenance;
  if (p === undefined) return [];
  return [
    { keyword: 'Software', text: p.software },
    {
      keyword: PROVENANCE_KEYWORD,
      text: JSON.stringify({ ...p.facts, losslessBitDepth: bitDepth, psnr: 'Infinity' }),
    },
  ];
}

/** `--allow-8bit`: the 8-bit palette, its PSNR against the full-depth source. */
async function reduceTo8Bit(
  input: Buffer,
  task: CompressTask,
  source: DeepSource,
  started: number,
): Promise<CompressTaskResult> {
  const r = await compressImage(input, {
    ...task.options,
    maxPixels: task.maxPixels,
    fullDepthPsnr: true,
    ...(task.provenance === undefined
      ? {}
      : {
          provenance: {
            ...task.provenance,
            facts: { ...task.provenance.facts, sourceBitDepth: source.bitDepth },
          },
        }),
  });
  // scored against the source's 8-bit view (the PSNR is against its full depth)
  return paletteResult(r, input, task, source.bitDepth, started);
}
