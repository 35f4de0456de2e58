import type { CompressResult } from '@kpress/codec';
import type { ImageOptionsInput } from '@kpress/core';
import type { WorstCropOptions } from '@kpress/report/crop';

/** What the pool thread is asked to do: compress one image. */
export interface CompressTask {
  /** The source bytes (transferred to the thread, not copied). */
  source: Uint8Array;
  /** The image options, whole (absent ones: their defaults, filled in by the codec). */
  options: ImageOptionsInput;
  maxPixels: number;
  /** Written into the PNG (Software and kpress text chunks); see CompressOptions.provenance. */
  provenance?: { software: string; facts: Record<string, string | number> };
}

/** A compressed image, as it comes back from the thread: the codec's facts (CompressResult), the PNG as plain bytes. */
export interface CompressTaskOk
  extends Pick<
    CompressResult,
    'width' | 'height' | 'ssimulacra2' | 'hasAlpha' | 'format' | 'timings'
  > {
  ok: true;
  png: Uint8Array;
  /** Palette size written; null for a lossless 16-bit re-encode of a deep source (deep.ts). */
  colors: number | null;
  /**
   * dB, output against the source; for a source deeper than 8 bits reduced
   * by allow8bit, against its full-depth samples; Infinity for a lossless
   * 16-bit re-encode.
   */
  psnr: number;
  /** Bits per sample of the source (8, 16, ...). */
  bitDepth: number;
  /** Wall time inside the thread, decode to encode. */
  codecMs: number;
  /**
   * The source bytes, sent back when the PNG is not smaller (the original is
   * kept): the worker's own copy was transferred to the thread.
   */
  source?: Uint8Array;
}

/**
 * A refused image. Errors lose their class and `code` when cloned across
 * threads, so the thread sends the facts instead.
 */
export interface CompressTaskRefused {
  ok: false;
  /** CodecError code (EMPTY, NOT_AN_IMAGE, CORRUPT, MULTI_FRAME, ...). */
  code: string;
  message: string;
  /** True for a good image to archive unchanged (MULTI_FRAME; BELOW_TARGET: no palette reaches the perceptual target). */
  keepOriginal: boolean;
  codecMs: number;
  /** Bits per sample of the source, when its header was read (a deep source kept at full depth). */
  bitDepth?: number;
  /** After EXIF orientation, when the header was read. */
  width?: number;
  height?: number;
  /** The source bytes, sent back to be kept or copied (see CompressTaskOk.source). */
  source?: Uint8Array;
}

export type CompressTaskResult = CompressTaskOk | CompressTaskRefused;

/** What the pool thread is asked to do for a report: one worst-case crop (makeWorstCrop). */
export interface CropTask {
  /** The source and output bytes (transferred to the thread). */
  source: Uint8Array;
  output: Uint8Array;
  options: WorstCropOptions;
}
