import { KPRESS_VERSION } from '@kpress/config';
import {
  type BatchFile,
  batchFileKeys,
  describeBatch,
  type ListingFile,
  parseBatchFile,
  sameBatchOptions,
  StorageError,
  type Storage,
} from '@kpress/storage';

/** `listing.json`: written when the listing has ended. */
export function listingKey(destPrefix: string, batchId: string): string {
  return batchFileKeys(destPrefix, batchId).listing;
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
  const existing = await storage.getJsonIfExists(destBucket, key);
  if (existing !== undefined) {
    const batch = parseBatchFile(existing, `s3://${destBucket}/${key}`);
    if (
      batch.source !== wanted.source ||
      batch.dest !== wanted.dest ||
      !sameBatchOptions(batch.options, wanted.options) ||
      JSON.stringify(batch.keyList ?? null) !== JSON.stringify(wanted.keyList ?? null)
    ) {
      throw new Error(
        `batch ${wanted.batchId} exists with different settings (${describeBatch(batch)}); this run asked for ${describeBatch(wanted)}: use the same settings or another --batch`,
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
