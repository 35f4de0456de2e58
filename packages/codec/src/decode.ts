import { countFrames } from './animation.js';
import { type SourceMetadata, sourceMetadata } from './source-metadata.js';
import type { PixelImage } from '@kpress/core';
import type { Metadata, OutputInfo } from 'sharp';
import { sharp } from './sharp.js';
import { CodecError } from './errors.js';
import { ALLOWED_FORMATS, type AllowedFormat, formatLabel, sniffFormat } from './sniff.js';

/** sharp's own default pixel limit (0x3FFF x 0x3FFF). */
export const DEFAULT_MAX_PIXELS = 268402689;

export interface DecodeOptions {
  /**
   * Refuse images with more pixels than this (width x height of one frame),
   * checked from the header before any pixel is decoded.
   * Default 268402689 (sharp's default limit).
   */
  maxPixels?: number;
}

/**
 * An image ready for quantization: 8-bit sRGB, EXIF orientation applied,
 * 3 channels, or 4 when the image has real transparency.
 */
export type DecodedImage = PixelImage & {
  /** The source container, as sharp names it: jpeg, png, webp, gif, tiff, heif, jp2k. */
  format: string;
  /** Width as stored in the file, before EXIF orientation. */
  originalWidth: number;
  /** Height as stored in the file, before EXIF orientation. */
  originalHeight: number;
  /** The source's EXIF, XMP and PNG text, for the output (the pixels are sRGB). */
  metadata: SourceMetadata;
  /** True when `channels` is 4, i.e. some pixel is not fully opaque. */
  hasAlpha: boolean;
};

/** Failure detail of a sharp error: its first line, minus sharp's generic prefixes. */
function sharpDetail(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message
    .replace(/^Input (buffer|file) has corrupt header:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const first = lines[0] ?? 'unreadable data';
  return /unsupported image format/i.test(first) ? 'unreadable data after the signature' : first;
}

function checkMaxPixels(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`maxPixels must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function corrupt(format: string, err: unknown): CodecError {
  return new CodecError(
    'CORRUPT',
    `truncated or corrupt ${formatLabel(format)}: ${sharpDetail(err)}`,
    { cause: err },
  );
}

/** True when every alpha byte of an RGBA buffer is 255. */
function alphaIsOpaque(data: Uint8Array): boolean {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

function dropAlpha(data: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    out[o] = data[i] as number;
    out[o + 1] = data[i + 1] as number;
    out[o + 2] = data[i + 2] as number;
  }
  return out;
}

/** What {@link inspectSource} found: sharp's metadata of an accepted source, and its format. */
export interface InspectedSource {
  meta: Metadata;
  /** As sharp names it: jpeg, png, webp, gif, tiff, heif, jp2k. */
  format: string;
  /** The sharp constructor options to decode it with (failOn, limitInputPixels). */
  sharpOptions: { failOn: 'error'; limitInputPixels: number };
}

/**
 * The checks every decode makes before any pixel is decoded, from the bytes
 * and the header: refuses with a {@link CodecError} empty input, non-images,
 * formats outside the allow-list, too many pixels, animated or multi-page
 * images, and a header sharp cannot read.
 */
export async function inspectSource(
  input: Buffer,
  options: DecodeOptions = {},
): Promise<InspectedSource> {
  const maxPixels = checkMaxPixels(options.maxPixels ?? DEFAULT_MAX_PIXELS);
  if (input.length === 0) throw new CodecError('EMPTY', 'empty input (0 bytes)');

  const sniffed = sniffFormat(input);
  if (sniffed.kind === 'refused') {
    throw new CodecError(
      'UNSUPPORTED_FORMAT',
      `unsupported format ${sniffed.name}: only ${ALLOWED_FORMATS.map(formatLabel).join(', ')} are accepted`,
    );
  }
  if (sniffed.kind === 'unknown') {
    throw new CodecError(
      'NOT_AN_IMAGE',
      `not an image: no known image signature in the first bytes (${input.length} bytes)`,
    );
  }
  const sniffedFormat: AllowedFormat = sniffed.format;

  const sharpOptions = { failOn: 'error', limitInputPixels: maxPixels } as const;
  let meta: Metadata;
  try {
    meta = await sharp(input, { ...sharpOptions, limitInputPixels: false }).metadata();
  } catch (err) {
    const loader = sharp.format[sniffedFormat === 'jp2k' ? 'jp2' : sniffedFormat];
    if (!loader?.input.buffer && /unsupported image format/i.test(String(err))) {
      throw new CodecError(
        'UNSUPPORTED_FORMAT',
        `unsupported format ${formatLabel(sniffedFormat)}: this build of sharp/libvips cannot read it`,
        { cause: err },
      );
    }
    throw corrupt(sniffedFormat, err);
  }
  // sharp names JPEG 2000 'jp2k' in metadata and 'jp2' in its format table.
  const format = meta.format === ('jp2' as string) ? 'jp2k' : (meta.format as string);
  if (!(ALLOWED_FORMATS as readonly string[]).includes(format)) {
    throw new CodecError(
      'UNSUPPORTED_FORMAT',
      `unsupported format ${formatLabel(format)} (signature said ${formatLabel(sniffedFormat)})`,
    );
  }
  const width = meta.width;
  const frameHeight = meta.pageHeight ?? meta.height;
  if (!(width > 0 && frameHeight > 0)) {
    throw new CodecError('CORRUPT', `truncated or corrupt ${formatLabel(format)}: no dimensions`);
  }
  const pixels = width * frameHeight;
  if (pixels > maxPixels) {
    throw new CodecError(
      'TOO_MANY_PIXELS',
      `too many pixels: ${width}x${frameHeight} is ${pixels} pixels, more than maxPixels ${maxPixels}`,
    );
  }
  // sharp reads only the default image of an APNG: the file's own structure counts too
  const counted = countFrames(input, sniffedFormat);
  if (counted.frames > 1 && (meta.pages ?? 1) <= 1) {
    const n = sniffedFormat === 'png' ? `${counted.frames} frames` : 'more than one frame or page';
    throw new CodecError('MULTI_FRAME', `${counted.what} with ${n}: a palette PNG holds one`);
  }
  const pages = meta.pages ?? 1;
  if (pages > 1) {
    const what =
      format === 'gif' || format === 'webp'
        ? `animated ${formatLabel(format)}`
        : `multi-page ${formatLabel(format)}`;
    throw new CodecError(
      'MULTI_FRAME',
      `${what} with ${pages} ${format === 'gif' || format === 'webp' ? 'frames' : 'pages'}: a palette PNG holds one`,
    );
  }
  return { meta, format, sharpOptions };
}

/** A sharp failure while decoding pixels, as a CodecError. */
export function pixelError(format: string, err: unknown): CodecError {
  if (/pixel limit/i.test(String(err))) {
    return new CodecError('TOO_MANY_PIXELS', `too many pixels: ${sharpDetail(err)}`, {
      cause: err,
    });
  }
  return corrupt(format, err);
}

/**
 * Decodes an encoded image into 8-bit sRGB pixels, refusing with a
 * {@link CodecError} anything an archive should not (or cannot) compress
 * (see {@link inspectSource}), and truncated or corrupt data.
 */
export async function decode(input: Buffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  const { meta, format, sharpOptions } = await inspectSource(input, options);
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(input, sharpOptions)
      .autoOrient()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw pixelError(format, err);
  }
  const { info } = raw;
  const count = info.width * info.height;
  let data: Uint8Array = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  let channels: 3 | 4;
  if (info.channels === 3) {
    channels = 3;
  } else if (info.channels === 4) {
    if (alphaIsOpaque(data)) {
      data = dropAlpha(data, count);
      channels = 3;
    } else {
      channels = 4;
    }
  } else {
    throw new CodecError(
      'CORRUPT',
      `unexpected ${info.channels}-channel ${formatLabel(format)} after sRGB conversion`,
    );
  }
  return {
    data,
    width: info.width,
    height: info.height,
    channels,
    format,
    originalWidth: meta.width,
    originalHeight: meta.height,
    hasAlpha: channels === 4,
    metadata: sourceMetadata(meta),
  };
}
