import { createHash } from 'node:crypto';
import type { WorstEntry } from '@kpress/manifest';
import type { WorstCase } from '../report-model.js';
import { makeWorstCrop, type WorstCrop, type WorstCropOptions } from './make-worst-crop.js';
import type { ReportImageSource } from './report-samples.js';

/** The bounds of the work per worst case. */
export interface WorstCaseLimits {
  /** Largest source or output fetched, bytes (KPRESS_MAX_BYTES). */
  maxBytes: number;
  /** Largest image decoded, pixels (KPRESS_MAX_PIXELS). */
  maxPixels: number;
  /** Side of each half of a crop, pixels. Default 192. */
  side?: number;
}

/** Makes one crop: makeWorstCrop, or a function that has it made elsewhere (a pool thread). */
export type WorstCropMaker = (
  source: Buffer,
  output: Buffer,
  options: WorstCropOptions,
) => Promise<WorstCrop>;

/** Throws when `bytes` are not those the row's digest names (replaced or overwritten since). */
function checkDigest(bytes: Buffer, expected: string | null | undefined, what: string): void {
  if (expected === null || expected === undefined) return;
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== expected) {
    throw new Error(`${what} (SHA-256 ${got}, the row says ${expected})`);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why `entry` is not fetched at all, or undefined when it may be. */
function overLimits(entry: WorstEntry, limits: WorstCaseLimits): string | undefined {
  if (entry.originalBytes > limits.maxBytes)
    return `not cropped: the source is ${entry.originalBytes} bytes, over the limit of ${limits.maxBytes} (KPRESS_MAX_BYTES)`;
  const pixels = (entry.width ?? 0) * (entry.height ?? 0);
  if (pixels > limits.maxPixels)
    return `not cropped: the image has ${pixels} pixels, over the limit of ${limits.maxPixels} (KPRESS_MAX_PIXELS)`;
  return undefined;
}

/**
 * A crop per worst case, one image at a time (memory: one source and one
 * output). Never throws for one image: one over the limits is skipped, one
 * whose fetch or decode fails, or whose source or output is no longer the
 * one the row's SHA-256 names, is kept without a crop, and its `note` says
 * why; `onSkip` hears about the failures.
 */
export async function reportWorstCases(
  worst: readonly WorstEntry[],
  images: ReportImageSource,
  limits: WorstCaseLimits,
  onSkip: (key: string, err: Error) => void = () => {},
  crop: WorstCropMaker = makeWorstCrop,
): Promise<WorstCase[]> {
  const out: WorstCase[] = [];
  for (const entry of worst) {
    const skipped = overLimits(entry, limits);
    if (skipped !== undefined) {
      out.push({ ...entry, cropDataUri: null, region: null, note: skipped });
      continue;
    }
    try {
      const source = await images.source(entry.key, limits.maxBytes);
      checkDigest(source, entry.sha256, `the source ${entry.key} is not the one compressed`);
      const output = await images.output(entry.outputKey, limits.maxBytes);
      checkDigest(
        output,
        entry.outputSha256,
        `the output ${entry.outputKey} is not the one written`,
      );
      const made = await crop(source, output, {
        maxPixels: limits.maxPixels,
        ...(limits.side === undefined ? {} : { side: limits.side }),
      });
      out.push({ ...entry, cropDataUri: made.dataUri, region: made.region, note: null });
    } catch (err) {
      onSkip(entry.key, err instanceof Error ? err : new Error(String(err)));
      out.push({
        ...entry,
        cropDataUri: null,
        region: null,
        note: `the crop could not be made: ${message(err)}`,
      });
    }
  }
  return out;
}
