import { type Config, loadConfig } from '@kpress/config';
import { type Summary, SummarySchema } from '@kpress/manifest';
import { BatchTracker } from '@kpress/queue';
import {
  batchFileKeys,
  ListingFileSchema,
  parseS3Url,
  StorageError,
  Storage,
} from '@kpress/storage';
import { listingKey } from './batch.js';
import { connectRedis } from './preflight.js';

/** Options of {@link waitForBatch}. */
export interface WaitOptions {
  /** Destination `s3://bucket/prefix/` of the batch. */
  dest: string;
  batchId: string;
  /** Configuration; default `loadConfig(process.env)`. */
  config?: Config;
  /** Between two looks, in ms. Default 1000. */
  pollMs?: number;
  /** Told at each look. */
  onProgress?: (p: WaitProgress) => void;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface WaitProgress {
  /** Source objects in the batch (from listing.json); undefined until known. */
  total: number | undefined;
  /** Objects with a record (total minus jobs still pending). */
  done: number;
  /** Jobs still pending. */
  pending: number;
}

/**
 * Waits until the batch's summary.json exists (written last by the finalize,
 * after the manifests and report.html) and returns it; reports progress
 * meanwhile from the batch's pending jobs.
 */
export async function waitForBatch(options: WaitOptions): Promise<Summary> {
  const config = options.config ?? loadConfig(process.env);
  const dest = parseS3Url(options.dest);
  const files = batchFileKeys(dest.prefix, options.batchId);
  const pollMs = options.pollMs ?? 1000;
  const storage = new Storage({ config });
  const redis = await connectRedis(config);
  const tracker = new BatchTracker(redis, config.queueName);
  let total: number | undefined;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        return SummarySchema.parse(await storage.getJson(dest.bucket, files.summary));
      } catch (err) {
        if (!(err instanceof StorageError && err.code === 'NoSuchKey')) throw err;
      }
      if (total === undefined) {
        try {
          total = ListingFileSchema.parse(
            await storage.getJson(dest.bucket, listingKey(dest.prefix, options.batchId)),
          ).total;
        } catch (err) {
          if (!(err instanceof StorageError && err.code === 'NoSuchKey')) throw err;
        }
      }
      const pending = await tracker.pending(options.batchId);
      options.onProgress?.({
        total,
        pending,
        done: total === undefined ? 0 : Math.max(0, total - pending),
      });
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    storage.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}
