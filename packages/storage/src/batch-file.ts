/**
 * `<dest>_kpress/<batch>/batch.json` (written by enqueue before any job) and
 * `listing.json` (written when the listing has ended).
 */
import { IMAGE_OPTIONS_SHAPE } from '@kpress/config';
import { EFFORT } from '@kpress/core';
import { z } from 'zod';

/** The batch's image options: IMAGE_OPTIONS_SHAPE (@kpress/config), which the job schema spreads too. */
export const BatchOptionsSchema = z.object(IMAGE_OPTIONS_SHAPE);
export type BatchOptions = z.infer<typeof BatchOptionsSchema>;

type OutputOptions = Pick<
  BatchOptions,
  'colors' | 'seed' | 'quality' | 'stripMetadata' | 'effort' | 'dither'
>;

/**
 * Whether two sets of image options make the same outputs, byte for byte
 * (an absent stripMetadata or dither is false, an absent effort the default). Effort
 * counts: it changes the bytes, though never the pixels.
 */
export function sameBatchOptions(a: OutputOptions, b: OutputOptions): boolean {
  return (
    a.colors === b.colors &&
    a.seed === b.seed &&
    a.quality === b.quality &&
    (a.stripMetadata === true) === (b.stripMetadata === true) &&
    (a.dither === true) === (b.dither === true) &&
    (a.effort ?? EFFORT.default) === (b.effort ?? EFFORT.default)
  );
}

/**
 * The `enqueue` flags that make a batch's options, in one order: the one
 * place they are spelled (describeBatch, the rerun command). Effort is
 * always named (absent = the default).
 */
export function batchOptionFlags(options: OutputOptions): string[] {
  return [
    `--colors ${options.colors}`,
    `--seed ${options.seed}`,
    ...(options.quality === undefined ? [] : [`--quality ${options.quality}`]),
    `--effort ${options.effort ?? EFFORT.default}`,
    ...(options.stripMetadata === true ? ['--strip-metadata'] : []),
    ...(options.dither === true ? ['--dither'] : []),
  ];
}

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
