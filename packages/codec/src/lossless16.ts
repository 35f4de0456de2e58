/**
 * The lossless answer for a source deeper than 8 bits (DESIGN invariant 10):
 * a 16-bit PNG of exactly its samples when that is smaller, proven before it
 * is returned; otherwise "keep the original", with the reason.
 */
import type { Metadata } from 'sharp';
import { depthOf, type SourceDepth } from './bit-depth.js';
import { type DecodeOptions, inspectSource } from './decode.js';
import {
  decodeFullDepth,
  type FullDepthImage,
  firstDifference,
  NoLosslessFormError,
} from './full-depth.js';
import { COLOUR_TYPE_16, encodePng16, pngColourChunks } from './png16.js';
import { sourceMetadata } from './source-metadata.js';

/** Options of {@link reencodeLossless16}. */
export interface Lossless16Options extends DecodeOptions {
  /** Effort 1..5 of the 16-bit PNG (png16.ts). Default 3. */
  effort?: number;
  /**
   * Carry the source's ICC profile, PNG colour chunks, EXIF (as it was: the
   * samples are not rotated), XMP and PNG text. Default true; false keeps
   * only the ICC profile and colour chunks, without which the samples would
   * mean other colours.
   */
  keepMetadata?: boolean;
  /** More text chunks, written after the source's (kpress's provenance). Default none. */
  text?: ReadonlyArray<{ keyword: string; text: string }>;
}

/** What to write for a deep source. */
export type Lossless16Result =
  /** A 16-bit PNG that sharp decodes to exactly the source's samples, and smaller than it. */
  | { kind: 'png16'; png: Buffer; depth: SourceDepth; channels: 1 | 2 | 3 | 4; format: string }
  /** Keep the source byte for byte: no PNG of its samples, not smaller, or not identical. */
  | { kind: 'keep-original'; reason: string; depth: SourceDepth; format: string };

/**
 * Re-encodes a deep source (`depth.high`) as a 16-bit PNG, when one is
 * smaller and decodes (through sharp, the same full-depth decode) to the
 * identical samples, width, height and channels. Refusals of decode (not an
 * image, corrupt, too many pixels, ...) throw their CodecError, as `decode`'s.
 */
export async function reencodeLossless16(
  input: Buffer,
  options: Lossless16Options = {},
): Promise<Lossless16Result> {
  const decodeOptions = options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels };
  const { meta, format } = await inspectSource(input, decodeOptions);
  const depth = depthOf(meta);
  const keep = (reason: string): Lossless16Result => ({
    kind: 'keep-original',
    reason,
    depth,
    format,
  });
  if (!depth.high) return keep(`${depth.bitsPerSample}-bit samples: no 16-bit re-encode to make`);
  let source: FullDepthImage;
  try {
    source = await decodeFullDepth(input, { ...decodeOptions, view: 'stored' });
  } catch (err) {
    if (err instanceof NoLosslessFormError) return keep(err.message);
    throw err;
  }
  const png = encodePng16(source, {
    ...(options.effort === undefined ? {} : { effort: options.effort }),
    ...(meta.icc === undefined ? {} : { icc: meta.icc }),
    chunks: format === 'png' ? pngColourChunks(input, COLOUR_TYPE_16[source.channels]) : [],
    ...withText(options.keepMetadata === false ? {} : keptMetadata(meta), options.text),
  });
  if (png.length >= input.length) {
    return keep(
      `a 16-bit PNG of its samples is ${png.length} bytes, not smaller than the ${input.length} bytes of the original`,
    );
  }
  const back = await decodeFullDepth(png, { ...decodeOptions, view: 'stored' });
  const difference = firstDifference(back, source);
  if (difference !== undefined)
    return keep(`the 16-bit PNG does not decode to the same samples: ${difference}`);
  return { kind: 'png16', png, depth, channels: source.channels, format };
}

/** The kept metadata with the caller's text chunks after the source's. */
function withText<T extends { text?: ReadonlyArray<{ keyword: string; text: string }> }>(
  kept: T,
  extra: Lossless16Options['text'],
): T {
  return extra === undefined ? kept : { ...kept, text: [...(kept.text ?? []), ...extra] };
}

/** The source's EXIF (as it was, orientation included), XMP and PNG text, for the re-encode. */
function keptMetadata(meta: Metadata) {
  const kept = sourceMetadata(meta);
  const exif = meta.exif;
  const tiff =
    exif !== undefined && exif.length > 14
      ? exif.subarray(0, 6).toString('latin1') === 'Exif\0\0'
        ? exif.subarray(6)
        : exif
      : undefined;
  return {
    ...(tiff === undefined ? {} : { exif: tiff }),
    ...(kept.xmp === undefined ? {} : { xmp: kept.xmp }),
    text: kept.text,
  };
}
