import { performance } from 'node:perf_hooks';
import {
  ditherQuantized,
  type ImageOptions,
  type ImageOptionsInput,
  type PixelImage,
  type QuantizeResult,
  quantize,
  resolveImageOptions,
} from '@kpress/core';
import { decode } from './decode.js';
import { palettePsnrAgainstFullDepth } from './depth-psnr.js';
import { decodeFullDepth } from './full-depth.js';
import { paletteScore, roundScore } from './perceptual-score.js';
import { encodePalettePng } from './png.js';
import { targetPalette } from './target-palette.js';

/**
 * The image options (@kpress/core ImageOptions: target, colors, quality, seed,
 * effort, dither, stripMetadata; each absent one its default, filled in by
 * resolveImageOptions) and what only the codec needs. Unless `stripMetadata`,
 * the source's metadata goes into the PNG: EXIF (orientation reset to 1), XMP
 * and PNG text chunks, and the `sRGB` chunk, since decode converts the pixels
 * to sRGB through the source's ICC profile (the pixels are sRGB either way).
 */
export interface CompressOptions extends ImageOptionsInput {
  /** Pixel limit for decode. Default 268402689 (sharp's). */
  maxPixels?: number;
  /**
   * Provenance written into the PNG, so that a file copied out of S3 still
   * says what it is: a `Software` chunk naming `software`, and a `kpress`
   * text chunk holding `facts` as JSON with the palette size, PSNR and
   * SSIMULACRA 2.1 score (`ssimulacra2`, 2 decimals; null where there is
   * none, see `CompressResult.ssimulacra2`) added.
   * Default none (no text chunks).
   */
  provenance?: { software: string; facts: Record<string, string | number> };
  /**
   * Measure the PSNR against the source at full depth (decodeFullDepth's
   * `srgb` view, palettePsnrAgainstFullDepth) instead of its 8-bit decode, so
   * that reducing a 16-bit source to 8 bits is counted. For a source deeper
   * than 8 bits reduced by `allow8bit`. A `quality` target still picks the
   * palette size by the 8-bit PSNR. Default false.
   */
  fullDepthPsnr?: boolean;
}

/** The keyword of the text chunk holding a kpress PNG's provenance (JSON). */
export const PROVENANCE_KEYWORD = 'kpress';

export interface CompressResult {
  /** The palette PNG. */
  png: Buffer;
  /** After EXIF orientation. */
  width: number;
  height: number;
  /** Palette entries actually written (never more than asked). */
  colors: number;
  /** dB over RGB, or RGBA when the image has transparency, output vs oriented source. */
  psnr: number;
  /**
   * SSIMULACRA 2.1 score, output vs the same oriented source pixels (see
   * perceptual-score.ts), rounded to 2 decimals; null when the image is smaller
   * than 8x8 (the metric is not defined there) or too large for the metric's
   * 4 GiB WebAssembly memory (about 46 MP, 30 MP with transparency).
   */
  ssimulacra2: number | null;
  hasAlpha: boolean;
  /** Source format as sharp names it (jpeg, png, ...). */
  format: string;
  /** Lloyd iterations the palette took (see QuantizeResult.iterations). */
  iterations: number;
  /** Palettes tried: 1 without a target; with one, the probes of its search (target-palette.ts). */
  probes: number;
  timings: { decodeMs: number; quantizeMs: number; scoreMs: number; encodeMs: number };
}

/**
 * Encoded image bytes in, palette PNG bytes out: decode (sharp), k-means
 * palette (@kpress/core; with a `target`, the search of target-palette.ts),
 * exact palette PNG. Refusals throw a CodecError (BELOW_TARGET: no palette
 * reaches the target; the caller keeps the original).
 * Quantization is synchronous CPU work: callers that must keep an event loop
 * responsive should run this in a worker thread.
 */
export async function compressImage(
  input: Buffer,
  options: CompressOptions = {},
): Promise<CompressResult> {
  // every option checked by its one rule and defaulted, in @kpress/core
  const o = resolveImageOptions(options);
  const t0 = performance.now();
  const image = await decode(input, { maxPixels: options.maxPixels });
  const t1 = performance.now();
  const searched =
    o.target === undefined
      ? undefined
      : targetPalette(image, {
          target: o.target,
          colors: o.colors,
          seed: o.seed,
          dither: o.dither,
        });
  const dithered = searched?.result ?? fixedPalette(image, o);
  const q = options.fullDepthPsnr
    ? {
        ...dithered,
        psnr: palettePsnrAgainstFullDepth(
          await decodeFullDepth(input, { maxPixels: options.maxPixels, view: 'srgb' }),
          { width: image.width, height: image.height, ...dithered },
        ),
      }
    : dithered;
  const t2 = performance.now();
  // the search scored the exact pixels stored already
  const raw = searched === undefined ? paletteScore(image, q) : searched.score;
  const score = raw === null ? null : roundScore(raw);
  const t2s = performance.now();
  const scoreMs = t2s - t2 + (searched?.scoreMs ?? 0);
  const p = options.provenance;
  const text =
    p === undefined
      ? []
      : [
          { keyword: 'Software', text: p.software },
          {
            keyword: PROVENANCE_KEYWORD,
            text: JSON.stringify({
              ...p.facts,
              colorsWritten: q.colors,
              psnr: Number.isFinite(q.psnr) ? Math.round(q.psnr * 1000) / 1000 : 'Infinity',
              ssimulacra2: score,
            }),
          },
        ];
  const kept = o.stripMetadata ? undefined : image.metadata;
  const png = await encodePalettePng(
    { width: image.width, height: image.height, ...q },
    {
      effort: o.effort,
      text: [...(kept?.text ?? []), ...text],
      srgb: kept !== undefined,
      ...(kept?.exif === undefined ? {} : { exif: kept.exif }),
      ...(kept?.xmp === undefined ? {} : { xmp: kept.xmp }),
    },
  );
  const t3 = performance.now();
  return {
    png,
    width: image.width,
    height: image.height,
    colors: q.colors,
    psnr: q.psnr,
    ssimulacra2: score,
    hasAlpha: q.hasAlpha,
    format: image.format,
    iterations: q.iterations,
    probes: searched?.probes ?? 1,
    timings: {
      decodeMs: t1 - t0,
      quantizeMs: t2 - t1 - (searched?.scoreMs ?? 0),
      scoreMs,
      encodeMs: t3 - t2s,
    },
  };
}

/** The palette without a target: `colors` entries, or the fewest that reach `quality` (PSNR); dithered when asked. */
function fixedPalette(image: PixelImage, o: ImageOptions): QuantizeResult {
  const palette = quantize(image, {
    colors: o.colors,
    seed: o.seed,
    ...(o.quality === undefined ? {} : { quality: o.quality }),
  });
  return o.dither ? ditherQuantized(image, palette) : palette;
}
