/**
 * Decoding at full depth: 16-bit samples, where `decode` asks sharp for 8-bit
 * (`depth: 'uchar'`). Two views of a source:
 *
 * - `stored`: the samples as the file holds them, for a lossless re-encode:
 *   no EXIF rotation, no ICC transform (`ignoreIcc`), the source's own
 *   channels (grey, grey+alpha, RGB, RGBA). Only 8- and 16-bit unsigned
 *   integer grey or RGB sources have this view; others (CMYK, Lab, float)
 *   are refused with the reason, since a PNG cannot hold them as they are.
 * - `srgb`: what `decode` sees, at 16 bits: EXIF-oriented, converted to sRGB
 *   through the source's ICC profile, 3 channels or 4 with alpha. The
 *   reference an 8-bit result is measured against (depth-psnr.ts).
 */
import type { OutputInfo, Sharp } from 'sharp';
import { sharp } from './sharp.js';
import { type SourceDepth, depthOf } from './bit-depth.js';
import { type DecodeOptions, inspectSource, pixelError } from './decode.js';

/** Interleaved 16-bit samples. */
export interface FullDepthImage {
  /** `width * height * channels` samples, 0..65535, row-major, interleaved. */
  data: Uint16Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** The source's depth (a 12-bit source's samples are 16-bit here, as libvips scales them). */
  depth: SourceDepth;
  /** The source container, as sharp names it. */
  format: string;
}

/** Options of {@link decodeFullDepth}. */
export interface FullDepthOptions extends DecodeOptions {
  /** `stored` (default): the file's own samples; `srgb`: oriented sRGB, as `decode` sees it. */
  view?: 'stored' | 'srgb';
}

/** Colour spaces (sharp's `space`) whose samples a PNG holds as they are. */
const PNG_SPACES = new Set(['b-w', 'grey16', 'srgb', 'rgb', 'rgb16']);

/** Thrown when a source has no `stored` view a PNG can hold. */
export class NoLosslessFormError extends Error {
  override readonly name = 'NoLosslessFormError';
}

/** Decodes `input` at 16 bits per sample (see the module note for the two views). */
export async function decodeFullDepth(
  input: Buffer,
  options: FullDepthOptions = {},
): Promise<FullDepthImage> {
  const { meta, format, sharpOptions } = await inspectSource(input, options);
  const depth = depthOf(meta);
  const view = options.view ?? 'stored';
  let pipeline: Sharp;
  if (view === 'srgb') {
    pipeline = sharp(input, sharpOptions).autoOrient().toColourspace('rgb16');
  } else {
    const space = meta.space ?? '';
    if (!PNG_SPACES.has(space) || !['uchar', 'ushort'].includes(depth.sampleFormat)) {
      throw new NoLosslessFormError(
        `a PNG cannot hold this ${format}'s samples as they are (${space || 'unknown'} colour, ${depth.sampleFormat} samples)`,
      );
    }
    const grey = (meta.channels ?? 3) <= 2;
    pipeline = sharp(input, { ...sharpOptions, ignoreIcc: true }).toColourspace(
      grey ? 'grey16' : 'rgb16',
    );
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw pixelError(format, err);
  }
  const { info } = raw;
  const channels = info.channels as FullDepthImage['channels'];
  if (view === 'stored' && channels !== meta.channels) {
    throw new NoLosslessFormError(
      `${format} has ${meta.channels} channels, but decodes to ${channels}: not its stored samples`,
    );
  }
  // native byte order, as sharp writes raw samples; copied when not 2-byte aligned
  const bytes = raw.data.byteOffset % 2 === 0 ? raw.data : Buffer.from(raw.data);
  const data = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  return { data, width: info.width, height: info.height, channels, depth, format };
}

/** Where two images' samples first differ, or undefined when they are identical. Pure. */
export function firstDifference(
  a: Pick<FullDepthImage, 'data' | 'width' | 'height' | 'channels'>,
  b: Pick<FullDepthImage, 'data' | 'width' | 'height' | 'channels'>,
): string | undefined {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    return `${a.width}x${a.height} with ${a.channels} channels, against ${b.width}x${b.height} with ${b.channels}`;
  }
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] !== b.data[i]) {
      const pixel = Math.floor(i / a.channels);
      const at = `(${pixel % a.width}, ${Math.floor(pixel / a.width)}) channel ${i % a.channels}`;
      return `sample at ${at} is ${a.data[i]}, against ${b.data[i]}`;
    }
  }
  if (a.data.length !== b.data.length) return `${a.data.length} samples, against ${b.data.length}`;
  return undefined;
}
