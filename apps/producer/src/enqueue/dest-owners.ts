/**
 * Who else lives at a destination: the kpress batches whose `_kpress/` folder
 * is at the destination prefix, above it (an enclosing destination) or below
 * it (a nested one). A destination belongs to one batch at a time (DESIGN
 * invariant 8): `enqueue` refuses to start a batch where another batch with a
 * different source or options lives, or where destinations nest, because the
 * outputs of one would land among, or over, the other's.
 */
import type { Logger } from '@kpress/config';
import {
  type BatchFile,
  batchFileKeys,
  describeBatch,
  formatS3Url,
  KPRESS_DIR,
  parseBatchFile,
  sameBatchOptions,
  type S3Location,
  type Storage,
} from '@kpress/storage';

/** A batch found near the destination. */
export interface NearbyBatch {
  /** The destination prefix the batch writes to. */
  prefix: string;
  batchId: string;
  where: 'same' | 'above' | 'below';
}

/** Options of {@link checkDestinationOwners}. */
export interface DestinationCheckOptions {
  /** Folders below the destination looked into at most (each one LIST). Default 10,000. */
  maxFolders?: number;
  logger?: Logger;
}

/** The prefixes that enclose `prefix`: '' (the bucket) and each parent folder. */
export function enclosingPrefixes(prefix: string): string[] {
  const parts = prefix.split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++)
    out.push(
      parts
        .slice(0, i)
        .map((p) => `${p}/`)
        .join(''),
    );
  return out;
}

async function* batchIdsAt(
  storage: Storage,
  bucket: string,
  prefix: string,
): AsyncGenerator<string> {
  for await (const folder of storage.listFolders(bucket, `${prefix}${KPRESS_DIR}`)) {
    yield folder.slice(prefix.length + KPRESS_DIR.length, -1);
  }
}

/** Every batch at, above or below `dest` (below: at most `maxFolders` folders looked into). */
export async function* nearbyBatches(
  storage: Storage,
  dest: S3Location,
  options: DestinationCheckOptions = {},
): AsyncGenerator<NearbyBatch> {
  for await (const batchId of batchIdsAt(storage, dest.bucket, dest.prefix)) {
    yield { prefix: dest.prefix, batchId, where: 'same' };
  }
  for (const prefix of enclosingPrefixes(dest.prefix)) {
    for await (const batchId of batchIdsAt(storage, dest.bucket, prefix)) {
      yield { prefix, batchId, where: 'above' };
    }
  }
  // below: walk the folders breadth first; a folder named _kpress/ is kpress's own, not walked
  const maxFolders = options.maxFolders ?? 10_000;
  const queue = [dest.prefix];
  let looked = 0;
  while (queue.length > 0) {
    const folder = queue.shift() as string;
    if (looked++ >= maxFolders) {
      options.logger?.warn(
        { maxFolders },
        `destination ${formatS3Url(dest)} has more than ${maxFolders} folders: nested batches deeper than those were not looked for (outputs are still never written over another object)`,
      );
      return;
    }
    for await (const sub of storage.listFolders(dest.bucket, folder)) {
      if (sub === `${folder}${KPRESS_DIR}`) {
        if (folder !== dest.prefix) {
          for await (const batchId of batchIdsAt(storage, dest.bucket, folder)) {
            yield { prefix: folder, batchId, where: 'below' };
          }
        }
        continue;
      }
      queue.push(sub);
    }
  }
}

function sameSettings(a: BatchFile, b: Pick<BatchFile, 'source' | 'options'>): boolean {
  return a.source === b.source && sameBatchOptions(a.options, b.options);
}

/**
 * Throws, naming the batch, when the destination holds, or nests with,
 * another batch: one at the same prefix with another source or other options,
 * or any batch at an enclosing or nested prefix. A batch at the same prefix
 * with the same source and options may share it (its outputs are the same
 * images made the same way; the outputs themselves are never overwritten).
 */
export async function checkDestinationOwners(
  storage: Storage,
  dest: S3Location,
  wanted: Pick<BatchFile, 'batchId' | 'source' | 'options'>,
  options: DestinationCheckOptions = {},
): Promise<void> {
  for await (const near of nearbyBatches(storage, dest, options)) {
    if (near.where === 'same' && near.batchId === wanted.batchId) continue;
    const key = batchFileKeys(near.prefix, near.batchId).batch;
    let batch: BatchFile | undefined;
    const raw = await storage.getJsonIfExists(dest.bucket, key);
    try {
      if (raw !== undefined) batch = parseBatchFile(raw, `s3://${dest.bucket}/${key}`);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
    }
    const url = formatS3Url({ bucket: dest.bucket, prefix: near.prefix });
    if (batch === undefined) {
      throw new Error(
        `destination ${formatS3Url(dest)} is taken: ${url}${KPRESS_DIR}${near.batchId}/ holds no readable batch.json, so kpress cannot tell what wrote there; choose another destination`,
      );
    }
    if (near.where === 'same' && sameSettings(batch, wanted)) continue;
    const how =
      near.where === 'same'
        ? 'writes to this destination'
        : near.where === 'above'
          ? `writes to ${url}, which encloses this destination`
          : `writes to ${url}, inside this destination`;
    throw new Error(
      `destination ${formatS3Url(dest)} belongs to batch ${near.batchId} (${describeBatch(batch)}), which ${how}: its outputs would be mixed with or overwritten by this batch's; resume it with --batch ${near.batchId}, or choose another destination`,
    );
  }
}
