import { type Summary, SummarySchema } from '@kpress/manifest';
import {
  type BatchFile,
  batchFileKeys,
  KPRESS_DIR,
  parseBatchFile,
  parseS3Url,
  type Storage,
} from '@kpress/storage';
import pLimit from 'p-limit';

/** A batch found under a destination: its batch.json, and its summary once finished. */
export interface DestBatch {
  batch: BatchFile;
  /** summary.json, when the batch finished. */
  summary?: Summary;
}

/**
 * The batches under `<dest>_kpress/`, oldest first (batch.json's createdAt,
 * then id). Reads each batch.json and summary.json, 8 at a time. A folder
 * without batch.json is skipped.
 */
export async function listDestBatches(storage: Storage, destUrl: string): Promise<DestBatch[]> {
  const dest = parseS3Url(destUrl);
  const ids: string[] = [];
  for await (const folder of storage.listFolders(dest.bucket, `${dest.prefix}${KPRESS_DIR}`)) {
    const id = folder.slice(dest.prefix.length + KPRESS_DIR.length).replace(/\/$/, '');
    if (id !== '') ids.push(id);
  }
  const limit = pLimit(8);
  const found = await Promise.all(
    ids.map((id) =>
      limit(async (): Promise<DestBatch | undefined> => {
        const files = batchFileKeys(dest.prefix, id);
        const raw = await storage.getJsonIfExists(dest.bucket, files.batch);
        if (raw === undefined) return undefined;
        const batch = parseBatchFile(raw, `s3://${dest.bucket}/${files.batch}`);
        const summary = await storage.getJsonIfExists(dest.bucket, files.summary);
        return summary === undefined ? { batch } : { batch, summary: SummarySchema.parse(summary) };
      }),
    ),
  );
  return found
    .filter((b): b is DestBatch => b !== undefined)
    .sort(
      (a, b) =>
        a.batch.createdAt.localeCompare(b.batch.createdAt) ||
        a.batch.batchId.localeCompare(b.batch.batchId),
    );
}

/**
 * `latest`: the id of the newest batch under the destination; any other
 * value is returned as it is. Throws when there is no batch.
 */
export async function resolveBatchId(
  storage: Storage,
  destUrl: string,
  batchId: string,
): Promise<string> {
  if (batchId !== 'latest') return batchId;
  const all = await listDestBatches(storage, destUrl);
  const last = all.at(-1);
  if (last === undefined)
    throw new Error(`no batch under ${destUrl} (no ${KPRESS_DIR}<id>/batch.json)`);
  return last.batch.batchId;
}
