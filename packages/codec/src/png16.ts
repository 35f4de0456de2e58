/**
 * A 16-bit PNG writer: grey (colour type 0), grey + alpha (4), RGB (2) or
 * RGBA (6) at bit depth 16, deflated by libdeflate (@kpress/deflate, like the
 * palette writer), rows filtered (png-filter.ts). For a lossless re-encode of
 * a deep source (lossless16.ts): it writes the samples given, and the
 * source's colour facts (ICC profile, PNG colour chunks) so they mean the same.
 */
import { zlibCompress } from '@kpress/deflate';
import { effortPlan } from './effort.js';
import { hasPngSignature, PNG_SIGNATURE, pngChunk, pngChunks } from '@kpress/png';
import { textChunk } from './png.js';
import { type FilterStrategy, filterScanlines16 } from './png-filter.js';

/** The samples to write. */
export interface Png16Image {
  /** `width * height * channels` samples, row-major, interleaved. */
  data: Uint16Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
}

/** Options of {@link encodePng16}. */
export interface EncodePng16Options {
  /**
   * Effort 1..5, as the palette writer's (effort.ts): libdeflate's level,
   * and the row filters tried (the smallest kept): 1-2 per row the filter of
   * least absolute sum (libpng's heuristic); 3-4 that, or None, Sub or Up on
   * every row, ranked at a fast level; 5 that, or each of the five filters on
   * every row, each at its level. Default 3.
   */
  effort?: number;
  /** One filter strategy for the whole image, instead of the ones `effort` tries. Default none. */
  filter?: FilterStrategy;
  /** An ICC profile: an `iCCP` chunk. Default none. */
  icc?: Uint8Array;
  /** Chunks copied as they are, before the image data (a PNG source's `gAMA`, `cHRM`, ...). Default none. */
  chunks?: ReadonlyArray<Uint8Array>;
  /** Text chunks (`tEXt`, or `iTXt` beyond Latin-1). Default none. */
  text?: ReadonlyArray<{ keyword: string; text: string }>;
  /** EXIF as a TIFF structure, as it was (the samples are not rotated): `eXIf`. Default none. */
  exif?: Uint8Array;
  /** An XMP packet: `iTXt` `XML:com.adobe.xmp`. Default none. */
  xmp?: Uint8Array;
}

/** PNG colour type of each channel count. */
export const COLOUR_TYPE_16 = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

function validate16(image: Png16Image): void {
  const { width, height, channels } = image;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff)
      throw new RangeError(`${name} must be an integer from 1 to 2147483647, got ${v}`);
  }
  if (![1, 2, 3, 4].includes(channels))
    throw new RangeError(`channels must be 1, 2, 3 or 4, got ${channels}`);
  if (image.data.length !== width * height * channels) {
    throw new RangeError(
      `data must hold width x height x channels = ${width * height * channels} samples, got ${image.data.length}`,
    );
  }
}

/**
 * Filter strategies tried, smallest IDAT kept. Measured at level 10 on the
 * samples made 16-bit (sharp `toColourspace('rgb16')`), bytes: chelsea RGB
 * per-row 324,161, Sub 281,981, Up 287,764, Paeth 324,161, None 362,029;
 * astronaut RGB per-row 638,616, Up 578,996; grey images within 3% of each
 * other; chelsea converted to Display P3 at 16 bits: None 476,600, per-row
 * 603,968, Sub 577,974 (sharp's own PNG, None at zlib 6: 495,726). libpng's
 * per-row heuristic is misled by the low bytes of deep samples, and no one
 * filter wins everywhere, so effort 3-4 also tries None, Sub and Up on every
 * row.
 */
const SEARCH_SOME: FilterStrategy[] = ['adaptive', 0, 1, 2];
const SEARCH_ALL: FilterStrategy[] = ['adaptive', 0, 1, 2, 3, 4];
const FILTERS: readonly unknown[] = SEARCH_ALL;

/** libdeflate's level for ranking the strategies (effort 3-4): fast, and it ranked them as level 10 did on the samples. */
const RANKING_LEVEL = 1;

/**
 * The IDAT of the strategies `effort` tries: effort 5 deflates each at its
 * level and keeps the smallest; effort 3-4 ranks them at level 1 and deflates
 * only the smallest at its level (level 10 takes ~12 s on a 9-megapixel RGB
 * image, level 1 ~0.2 s).
 */
function smallestIdat(
  image: Png16Image,
  effort: number | undefined,
  filter: FilterStrategy | undefined,
): Buffer {
  const plan = effortPlan(effort);
  const strategies =
    filter !== undefined
      ? [filter]
      : plan.search
        ? SEARCH_ALL
        : effort !== undefined && effort <= 2
          ? ['adaptive' as const]
          : SEARCH_SOME;
  const rowsOf = (s: FilterStrategy) =>
    filterScanlines16(image.data, image.width, image.height, image.channels, s);
  if (strategies.length === 1)
    return zlibCompress(rowsOf(strategies[0] as FilterStrategy), plan.level);
  const level = plan.search ? plan.level : RANKING_LEVEL;
  let best: { rows: Uint8Array; idat: Buffer } | undefined;
  for (const s of strategies) {
    const rows = rowsOf(s);
    const idat = zlibCompress(rows, level);
    if (best === undefined || idat.length < best.idat.length) best = { rows, idat };
  }
  const winner = best as { rows: Uint8Array; idat: Buffer };
  return level === plan.level ? winner.idat : zlibCompress(winner.rows, plan.level);
}

/** Writes `image` as a non-interlaced 16-bit PNG. Synchronous: the deflate runs on the calling thread. */
export function encodePng16(image: Png16Image, options: EncodePng16Options = {}): Buffer {
  validate16(image);
  if (options.filter !== undefined && !FILTERS.includes(options.filter)) {
    throw new RangeError(
      `filter must be 0, 1, 2, 3, 4 or "adaptive", got ${JSON.stringify(options.filter)}`,
    );
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
  ihdr[8] = 16;
  ihdr[9] = COLOUR_TYPE_16[image.channels];
  const parts: Buffer[] = [PNG_SIGNATURE, pngChunk('IHDR', ihdr)];
  if (options.icc !== undefined) {
    const name = Buffer.from('ICC profile\0\0', 'latin1'); // keyword, NUL, method 0 (deflate)
    parts.push(pngChunk('iCCP', Buffer.concat([name, zlibCompress(options.icc, 9)])));
  }
  for (const c of options.chunks ?? []) parts.push(Buffer.from(c));
  for (const t of options.text ?? []) parts.push(textChunk(t.keyword, t.text));
  if (options.xmp !== undefined)
    parts.push(textChunk('XML:com.adobe.xmp', Buffer.from(options.xmp).toString('utf8'), true));
  if (options.exif !== undefined) parts.push(pngChunk('eXIf', options.exif));
  parts.push(
    pngChunk('IDAT', smallestIdat(image, options.effort, options.filter)),
    pngChunk('IEND', new Uint8Array(0)),
  );
  return Buffer.concat(parts);
}

/** Chunks of a PNG that say how its samples look and may be copied to a 16-bit re-encode of it. */
const COLOUR_CHUNKS = new Set(['gAMA', 'cHRM', 'sRGB', 'cICP', 'mDCV', 'cLLI', 'pHYs']);

/**
 * A PNG source's colour chunks (gAMA, cHRM, sRGB, cICP, mDCV, cLLI, pHYs),
 * whole, to copy into its re-encode; `sBIT` too (its significant bits, e.g. 12
 * of 16) when the re-encode's colour type is the source's. `iCCP` is not
 * among them: the writer makes its own from the profile. Pure; [] for a
 * non-PNG or a PNG cut short.
 */
export function pngColourChunks(png: Uint8Array, colourType: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (png.length < 33 || !hasPngSignature(png)) return out;
  const sameType = png[25] === colourType;
  for (const { at, length, type, whole } of pngChunks(png)) {
    if (type === 'IDAT' || type === 'IEND' || !whole) break;
    if (COLOUR_CHUNKS.has(type) || (type === 'sBIT' && sameType))
      out.push(png.subarray(at, at + 12 + length));
  }
  return out;
}
