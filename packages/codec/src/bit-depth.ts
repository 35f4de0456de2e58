/**
 * A source's bit depth, from sharp's metadata (DESIGN invariant 10: bit depth
 * is never reduced silently). PNG and GIF report `bitsPerSample` (1, 2, 4, 8
 * or 16); other formats only the sample format libvips decodes to (`depth`:
 * `uchar`, `ushort`, `float`, ...), from which the bits are taken.
 */
import type { Metadata } from 'sharp';
import { type DecodeOptions, inspectSource } from './decode.js';

/** A source's bit depth. */
export interface SourceDepth {
  /** Bits per sample of one channel: 1, 2, 4, 8, 16, 32 or 64. */
  bitsPerSample: number;
  /** The sample format libvips decodes it to: `uchar`, `ushort`, `float`, ... */
  sampleFormat: string;
  /** More than 8 bits per sample: an 8-bit palette would lose levels. */
  high: boolean;
}

/** Bits of each libvips sample format (`sharp.metadata().depth`). */
const FORMAT_BITS: Readonly<Record<string, number>> = {
  uchar: 8,
  char: 8,
  ushort: 16,
  short: 16,
  uint: 32,
  int: 32,
  float: 32,
  complex: 32,
  double: 64,
  dpcomplex: 64,
};

/** The bit depth sharp's metadata says. Pure. Unknown formats count as high (never reduced unasked). */
export function depthOf(meta: Pick<Metadata, 'depth' | 'bitsPerSample'>): SourceDepth {
  const sampleFormat = meta.depth ?? 'uchar';
  const fromFormat = FORMAT_BITS[sampleFormat];
  const bitsPerSample = meta.bitsPerSample ?? fromFormat ?? 16;
  return {
    bitsPerSample,
    sampleFormat,
    high: bitsPerSample > 8 || fromFormat === undefined || fromFormat > 8,
  };
}

/**
 * The bit depth of an encoded image, from its header (no pixel decoded),
 * after decode's own checks (signature sniff first: sharp never parses a
 * refused format); a refused source throws its CodecError.
 */
export async function sourceBitDepth(
  input: Buffer,
  options: DecodeOptions = {},
): Promise<SourceDepth> {
  return depthOf((await inspectSource(input, options)).meta);
}
