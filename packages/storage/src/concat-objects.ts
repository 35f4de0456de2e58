/**
 * One object made of others, in order, mostly without reading them: a
 * multipart upload whose parts are server-side copies (UploadPartCopy) of
 * the sources, where S3's rules allow. Every part but the last must be at
 * least 5 MiB, so sources smaller than that are read and uploaded together
 * until a part is big enough; a source that follows such a run is read too,
 * or, when it is big, only its head (a ranged GET completing the part) and
 * the rest copied. No part exceeds 5 GiB: a bigger source is copied in byte
 * ranges. Stores without UploadPartCopy (s3rver) get every part uploaded.
 */
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { MultipartParts } from './multipart-parts.js';
import type { Storage } from './storage.js';
import { StorageError, toStorageError } from './storage-error.js';

export { copyRanges } from './multipart-parts.js';

/** S3's smallest part, except the last: 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** S3's largest part, and the most one UploadPartCopy copies: 5 GiB. */
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
/** S3's most parts in one upload. */
const MAX_PARTS = 10_000;

/** One object to append, with its size (from a listing or a HEAD). */
export interface ConcatSource {
  key: string;
  size: number;
}

/** Options of {@link concatObjects}. */
export interface ConcatOptions {
  /** Content-Type of the result. Default `application/octet-stream`. */
  contentType?: string;
  /**
   * Smallest part but the last. Default 5 MiB (S3's rule); smaller only for
   * stores that allow it (tests), never below 1 byte.
   */
  minPartBytes?: number;
  /**
   * Largest part: a source bigger than this is copied in byte ranges of at
   * most this many bytes (UploadPartCopy with CopySourceRange). Default 5 GiB
   * (S3's rule); smaller only for tests; at least twice `minPartBytes`, so
   * that every range is a valid part.
   */
  maxPartBytes?: number;
}

/** What the concatenation took. */
export interface ConcatResult {
  bytes: number;
  /** Parts copied server-side (their bytes never came here). */
  copiedParts: number;
  /** Parts uploaded from bytes read here. */
  uploadedParts: number;
  /** Bytes read from the sources to upload them. */
  readBytes: number;
}

/**
 * Writes `destKey` in `bucket` as the concatenation of `sources` (same
 * bucket), in order. Small results (under one part) are read and PUT whole.
 * On failure the multipart upload is aborted and nothing is left at `destKey`.
 */
export async function concatObjects(
  storage: Storage,
  bucket: string,
  sources: readonly ConcatSource[],
  destKey: string,
  options: ConcatOptions = {},
): Promise<ConcatResult> {
  const { minPart, maxPart } = partLimits(options);
  const contentType = options.contentType ?? 'application/octet-stream';
  const total = sources.reduce((n, s) => n + s.size, 0);
  if (total < minPart) return putWhole(storage, bucket, sources, destKey, contentType);

  // keep under S3's part count: with very many sources, parts grow past the minimum
  const target = Math.max(minPart, Math.ceil(total / (MAX_PARTS - 10)));
  const result: ConcatResult = { bytes: total, copiedParts: 0, uploadedParts: 0, readBytes: 0 };
  let uploadId: string | undefined;
  try {
    const created = await storage.client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: destKey, ContentType: contentType }),
    );
    uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
    const parts = new MultipartParts(
      { storage, bucket, destKey, uploadId, minPart, maxPart, target },
      result,
    );
    for (const s of sources) await parts.append(s);
    await parts.complete();
    return result;
  } catch (err) {
    if (uploadId !== undefined) {
      await storage.client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: destKey, UploadId: uploadId }))
        .catch(() => {});
    }
    if (err instanceof StorageError) throw err;
    throw toStorageError(err, 'concat', bucket, destKey);
  }
}

/** The smallest and largest part `options` allow, checked. */
function partLimits(options: ConcatOptions): { minPart: number; maxPart: number } {
  const minPart = options.minPartBytes ?? MIN_PART_BYTES;
  if (!Number.isInteger(minPart) || minPart < 1) {
    throw new RangeError(`minPartBytes must be a positive integer, got ${options.minPartBytes}`);
  }
  const maxPart = options.maxPartBytes ?? MAX_PART_BYTES;
  if (!Number.isInteger(maxPart) || maxPart < 2 * minPart) {
    throw new RangeError(
      `maxPartBytes must be a whole number at least twice minPartBytes (${2 * minPart}), got ${options.maxPartBytes}`,
    );
  }
  return { minPart, maxPart };
}

/** A result under one part: every source read and the whole PUT at once. */
async function putWhole(
  storage: Storage,
  bucket: string,
  sources: readonly ConcatSource[],
  destKey: string,
  contentType: string,
): Promise<ConcatResult> {
  const bodies: Buffer[] = [];
  for (const s of sources) {
    if (s.size > 0)
      bodies.push(await storage.getObject(bucket, s.key, { maxBytes: Math.max(1, s.size) }));
  }
  const body = Buffer.concat(bodies);
  await storage.putObject(bucket, destKey, body, { contentType });
  return { bytes: body.length, copiedParts: 0, uploadedParts: 1, readBytes: body.length };
}
