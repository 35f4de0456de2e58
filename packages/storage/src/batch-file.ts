/**
 * `<dest>_kpress/<batch>/batch.json` (written by enqueue before any job) and
 * `listing.json` (written when the listing has ended).
 */
import { ImageOptionsSchema } from '@kpress/config';
import { imageOptionFlags, sameImageOptions, type StoredImageOptions } from '@kpress/core';
import { z } from 'zod';

/**
 * The batch's image options, as stored: @kpress/config's ImageOptionsSchema
 * (the job schema carries the same). Absent fields are their defaults
 * (@kpress/core resolveImageOptions): batch files from before an option existed read as made.
 */
export const BatchOptionsSchema = ImageOptionsSchema;
export type BatchOptions = StoredImageOptions;

/**
 * Whether two batches' options make the same outputs, byte for byte: @kpress/core's
 * sameImageOptions (an absent switch is off, an absent effort the default).
 */
export const sameBatchOptions = sameImageOptions;

/**
 * The `enqueue` flags that make a batch's options, in one order (describeBatch,
 * the rerun command): @kpress/core's imageOptionFlags.
 */
export const batchOptionFlags = imageOptionFlags;

/** The `enqueue` flag of a batch's key list (`--keys <url>` or `--inventory <url>`), if it has one. */
export function keyListFlags(keyList: BatchFile['keyList']): string[] {
  return keyList === undefined ? [] : [`--${keyList.kind} ${keyList.url}`];
}

/** A batch's settings as the enqueue command line that made them. */
export function describeBatch(b: Pick<BatchFile, 'source' | 'dest' | 'options'>): string {
  return `${b.source} -> ${b.dest} ${batchOptionFlags(b.options).join(' ')}`;
}

export const BatchFileSchema = z.object({
  version: z.literal(1),
  batchId: z.string().min(1),
  /** `s3://bucket/prefix/` */
  source: z.string().min(1),
  /** `s3://bucket/prefix/` */
  dest: z.string().min(1),
  options: BatchOptionsSchema,
  /** ISO time of the first enqueue. */
  createdAt: z.string().min(1),
  /** The kpress version of the first enqueue (absent in older batch files). */
  kpressVersion: z.string().min(1).optional(),
  /** Where the sources come from when not a listing of `source`: `--keys` or `--inventory` and its URL. */
  keyList: z.object({ kind: z.enum(['keys', 'inventory']), url: z.string().min(1) }).optional(),
});
export type BatchFile = z.infer<typeof BatchFileSchema>;

export const ListingFileSchema = z.object({
  /** Source objects under the prefix when the listing ended. */
  total: z.number().int().min(0),
  /** Jobs queued by that listing (the rest had a record already). */
  enqueued: z.number().int().min(0),
  finishedAt: z.string().min(1),
  /**
   * Where the finalize cuts the key space (relative keys, sorted, each the last
   * of its range; see finalize-range.ts): one range per this many listed keys
   * (KPRESS_FINALIZE_RANGE_KEYS). Absent or empty: one range.
   */
  rangeBoundaries: z.array(z.string().min(1)).optional(),
  /**
   * Set when the batch's sources are a key list (`--keys`, `--inventory`):
   * its URL, and the keys kept. Its ranges' keys are under `<batch>/keys/`.
   */
  keyList: z
    .object({
      kind: z.enum(['keys', 'inventory']),
      url: z.string().min(1),
      keys: z.number().int().min(0),
    })
    .optional(),
});
export type ListingFile = z.infer<typeof ListingFileSchema>;

/** Parses batch.json; the TypeError names the file and the bad field. */
export function parseBatchFile(value: unknown, where: string): BatchFile {
  const r = BatchFileSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TypeError(
      `${where} is not a kpress batch file: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return r.data;
}
