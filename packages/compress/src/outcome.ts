import type { ManifestRow } from '@kpress/manifest';
import { keptKeyFor, outputKeyFor } from '@kpress/storage/layout';
import type { CompressTaskResult } from './task-types.js';
import { pngIsSmaller, qualityMet } from './verdict.js';

/** Where one source object sits: its key, prefixes, and size in bytes. */
export interface SourceRef {
  key: string;
  sourcePrefix: string;
  destPrefix: string;
  originalBytes: number;
}

/** What to write to the destination for one source object. */
export type Effect =
  | { kind: 'put'; key: string; body: Uint8Array }
  | { kind: 'copy'; key: string }
  | { kind: 'none' };

/** The decision for one object: what to write, and its manifest row. */
export interface Outcome {
  effect: Effect;
  /** The row without `ms` (filled in when the work is done). */
  row: Omit<ManifestRow, 'ms'>;
}

/**
 * Decides what happens to a source object once the codec has answered:
 * a smaller PNG is written as the output (a palette, or for a source deeper
 * than 8 bits without allow8bit a lossless 16-bit PNG: colors null, PSNR
 * Infinity; see deep.ts); a PNG that is not smaller,
 * or a good image a palette PNG cannot hold (multi-frame), keeps the original
 * byte for byte with the reason; any other refusal (not an image, DICOM,
 * a format sharp cannot read, damaged, over the pixel limit) is copied byte
 * for byte under its own name, or with `imagesOnly` skipped (nothing
 * written); both with the reason (copyOrSkip). A
 * compressed row carries its PSNR and SSIMULACRA 2.1 score; the other rows have
 * neither (null: nothing was compressed). With a quality target, a compressed
 * row says whether its PSNR reached it.
 */
export function decideOutcome(
  src: SourceRef,
  result: CompressTaskResult,
  quality?: number,
  /** `--images-only`: skip, rather than copy, what is not compressed or kept. Default false. */
  imagesOnly = false,
): Outcome {
  if (result.ok) {
    const met = qualityMet(result.psnr, quality);
    if (pngIsSmaller(result.png.byteLength, src.originalBytes)) {
      return {
        effect: {
          kind: 'put',
          key: outputKeyFor(src.key, src.sourcePrefix, src.destPrefix),
          body: result.png,
        },
        row: {
          key: src.key,
          status: 'compressed',
          originalBytes: src.originalBytes,
          outputKey: outputKeyFor(src.key, src.sourcePrefix, src.destPrefix),
          outputBytes: result.png.byteLength,
          width: result.width,
          height: result.height,
          colors: result.colors,
          psnr: result.psnr,
          ssimulacra2: result.ssimulacra2,
          error: null,
          bitDepth: result.bitDepth,
          ...(met === undefined ? {} : { qualityMet: met }),
        },
      };
    }
    return keptOriginal(
      src,
      `palette PNG (${result.png.byteLength} bytes) is not smaller than the original (${src.originalBytes} bytes)`,
      { width: result.width, height: result.height, bitDepth: result.bitDepth },
    );
  }
  if (result.keepOriginal) {
    return keptOriginal(src, result.message, {
      width: result.width ?? null,
      height: result.height ?? null,
      bitDepth: result.bitDepth ?? null,
    });
  }
  return copyOrSkip(src, result.message, imagesOnly, {
    width: result.width ?? null,
    height: result.height ?? null,
    bitDepth: result.bitDepth ?? null,
  });
}

/** What an image's row knows of it, when its header was read. */
type ImageFacts = { width: number | null; height: number | null; bitDepth: number | null };
const NO_FACTS: ImageFacts = { width: null, height: null, bitDepth: null };

/**
 * An object kpress cannot or should not compress (DESIGN invariant 2): a
 * `copied` row and its bytes copied under its own name (the kept original's
 * key, effect 'copy'), or with `imagesOnly` a `skipped` row, nothing written.
 * Both carry the reason.
 */
export function copyOrSkip(
  src: SourceRef,
  reason: string,
  imagesOnly: boolean,
  facts: ImageFacts = NO_FACTS,
): Outcome {
  if (reason.trim() === '')
    throw new RangeError(`a copied or skipped row needs a reason (key ${JSON.stringify(src.key)})`);
  if (imagesOnly) {
    return {
      effect: { kind: 'none' },
      row: { ...failedOutcome(src, reason).row, status: 'skipped', ...facts },
    };
  }
  const kept = keptOriginal(src, reason, facts);
  return { effect: kept.effect, row: { ...kept.row, status: 'copied' } };
}

function keptOriginal(
  src: SourceRef,
  reason: string,
  size: { width: number | null; height: number | null; bitDepth: number | null } = {
    width: null,
    height: null,
    bitDepth: null,
  },
): Outcome {
  const key = keptKeyFor(src.key, src.sourcePrefix, src.destPrefix);
  return {
    effect: { kind: 'copy', key },
    row: {
      key: src.key,
      status: 'kept-original',
      originalBytes: src.originalBytes,
      outputKey: key,
      outputBytes: src.originalBytes,
      width: size.width,
      height: size.height,
      colors: null,
      psnr: null,
      ssimulacra2: null,
      error: reason,
      bitDepth: size.bitDepth,
    },
  };
}

/** A failed row with its reason; nothing is written to the destination. */
export function failedOutcome(
  src: Pick<SourceRef, 'key' | 'originalBytes'>,
  reason: string,
): Outcome {
  if (reason.trim() === '')
    throw new RangeError(`a failed row needs a reason (key ${JSON.stringify(src.key)})`);
  return {
    effect: { kind: 'none' },
    row: {
      key: src.key,
      status: 'failed',
      originalBytes: src.originalBytes,
      outputKey: null,
      outputBytes: null,
      width: null,
      height: null,
      colors: null,
      psnr: null,
      ssimulacra2: null,
      error: reason,
    },
  };
}

/** The reason for an object over the size limit. */
export function tooLargeReason(limit: number, size?: number): string {
  const actual = size === undefined ? '' : ` (${size} bytes)`;
  return `object larger than the ${limit}-byte limit${actual} (KPRESS_MAX_BYTES)`;
}
