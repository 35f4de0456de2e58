import { KPRESS_VERSION } from '@kpress/config';
import {
  type BatchFile,
  type BatchOptions,
  batchFileKeys,
  type ListingFile,
  parseBatchFile,
  StorageError,
  type Storage,
} from '@kpress/storage';

/** `listing.json`: written when the listing has ended. */
export function listingKey(destPrefix: string, batchId: string): string {
  return batchFileKeys(destPrefix, batchId).batch.replace(/batch\.json$/, 'listing.json');
}

function sameOptions(a: BatchOptions, b: BatchOptions): boolean {
  return a.colors === b.colors && a.seed === b.seed && a.quality === b.quality;
}

function describe(b: Pick<BatchFile, 'source' | 'dest' | 'options'>): string {
  const q = b.options.quality === undefined ? '' : ` --quality ${b.options.quality}`;
  return `${b.source} -> ${b.dest} --colors ${b.options.colors} --seed ${b.options.seed}${q}`;
}

/**
 * Writes `<dest>_kpress/<batch>/batch.json`, or, when the batch exists already
 * (a rerun), reads it and refuses different source, destination or options.
 * Returns the batch file in force (its createdAt is the first run's).
 */
export async function openBatchFile(
  storage: Storage,
  destBucket: string,
  destPrefix: string,
  wanted: Omit<BatchFile, 'version' | 'createdAt'>,
  now: Date = new Date(),
): Promise<{ batch: BatchFile; rerun: boolean }> {
  const key = batchFileKeys(destPrefix, wanted.batchId).batch;
  let existing: unknown;
  try {
    existing = await storage.getJson(destBucket, key);
  } catch (err) {
    if (!(err instanceof StorageError && err.code === 'NoSuchKey')) throw err;
  }
  if (existing !== undefined) {
    const batch = parseBatchFile(existing, `s3://${destBucket}/${key}`);
    if (
      batch.source !== wanted.source ||
      batch.dest !== wanted.dest ||
      !sameOptions(batch.options, wanted.options)
    ) {
      throw new Error(
        `batch ${wanted.batchId} exists with different settings (${describe(batch)}); this run asked for ${describe(wanted)}: use the same settings or another --batch`,
      );
    }
    return { batch, rerun: true };
  }
  const batch: BatchFile = {
    version: 1,
    ...wanted,
    createdAt: now.toISOString(),
    kpressVersion: KPRESS_VERSION,
  };
  try {
    // conditional: an enqueue of the same batch id that raced this one keeps its file
    await storage.putJson(destBucket, key, batch, { ifNoneMatch: true });
  } catch (err) {
    if (err instanceof StorageError && err.code === 'PreconditionFailed') {
      return openBatchFile(storage, destBucket, destPrefix, wanted, now);
    }
    throw err;
  }
  return { batch, rerun: false };
}

/** Records the listing total (after the whole listing is queued). */
export async function writeListingFile(
  storage: Storage,
  destBucket: string,
  destPrefix: string,
  batchId: string,
  listing: ListingFile,
): Promise<void> {
  await storage.putJson(destBucket, listingKey(destPrefix, batchId), listing);
}
