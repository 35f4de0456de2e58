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
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { copySource, type Storage } from './storage.js';
import { StorageError, toStorageError } from './storage-error.js';

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

/**
 * `size` bytes cut into the fewest ranges of at most `max` bytes, of nearly
 * equal size (so none is under `max / 2`): inclusive `[first, last]` offsets.
 */
export function copyRanges(size: number, max: number): Array<[number, number]> {
  const n = Math.max(1, Math.ceil(size / max));
  const base = Math.floor(size / n);
  const extra = size % n;
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const len = base + (i < extra ? 1 : 0);
    out.push([start, start + len - 1]);
    start += len;
  }
  return out;
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

function isNotImplemented(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NotImplemented' ||
    e?.Code === 'NotImplemented' ||
    e?.$metadata?.httpStatusCode === 501
  );
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
  const contentType = options.contentType ?? 'application/octet-stream';
  const total = sources.reduce((n, s) => n + s.size, 0);
  const read = (s: ConcatSource) =>
    storage.getObject(bucket, s.key, { maxBytes: Math.max(1, s.size) });
  const result: ConcatResult = { bytes: total, copiedParts: 0, uploadedParts: 0, readBytes: 0 };

  if (total < minPart) {
    const bodies: Buffer[] = [];
    for (const s of sources) if (s.size > 0) bodies.push(await read(s));
    const body = Buffer.concat(bodies);
    result.readBytes = body.length;
    await storage.putObject(bucket, destKey, body, { contentType });
    return { ...result, uploadedParts: 1, bytes: body.length };
  }

  // keep under S3's part count: with very many sources, parts grow past the minimum
  const target = Math.max(minPart, Math.ceil(total / (MAX_PARTS - 10)));
  let uploadId: string | undefined;
  try {
    const created = await storage.client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: destKey, ContentType: contentType }),
    );
    uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
    const parts: CompletedPart[] = [];
    let held: Buffer[] = [];
    let heldBytes = 0;
    let canCopy = true;

    const upload = async (body: Buffer) => {
      const PartNumber = parts.length + 1;
      const out = await storage.client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: destKey,
          UploadId: uploadId,
          PartNumber,
          Body: body,
          ContentLength: body.length,
          ContentMD5: createHash('md5').update(body).digest('base64'),
        }),
      );
      parts.push({ PartNumber, ETag: out.ETag });
      result.uploadedParts++;
    };
    /**
     * Copies `s` from byte `from` on server-side, in ranges when that is more
     * than a part may be; false when the store cannot (nothing copied then).
     */
    const copy = async (s: ConcatSource, from = 0): Promise<boolean> => {
      const whole = from === 0 && s.size <= maxPart;
      const ranges = whole
        ? [undefined]
        : copyRanges(s.size - from, maxPart).map(([a, b]) => [a + from, b + from] as const);
      for (const [i, range] of ranges.entries()) {
        const PartNumber = parts.length + 1;
        try {
          const out = await storage.client.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: destKey,
              UploadId: uploadId,
              PartNumber,
              CopySource: copySource(bucket, s.key),
              ...(range === undefined ? {} : { CopySourceRange: `bytes=${range[0]}-${range[1]}` }),
            }),
          );
          parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
          result.copiedParts++;
        } catch (err) {
          // a store without UploadPartCopy fails on the first: upload the bytes instead
          if (!isNotImplemented(err) || i > 0) throw err;
          canCopy = false;
          return false;
        }
      }
      return true;
    };

    const hold = async (body: Buffer) => {
      result.readBytes += body.length;
      held.push(body);
      heldBytes += body.length;
      if (heldBytes >= target) {
        await upload(Buffer.concat(held));
        held = [];
        heldBytes = 0;
      }
    };
    for (const s of sources) {
      if (s.size === 0) continue;
      if (heldBytes === 0 && s.size >= target && canCopy && (await copy(s))) continue;
      // bytes held before a big source: read only its head, enough for a part, and copy the rest
      const fill = Math.max(0, minPart - heldBytes);
      if (heldBytes > 0 && canCopy && s.size - fill >= target) {
        if (fill > 0) {
          const head = await readRange(storage, bucket, s.key, 0, fill);
          result.readBytes += head.length;
          held.push(head);
        }
        await upload(Buffer.concat(held));
        held = [];
        heldBytes = 0;
        if (await copy(s, fill)) continue;
        await hold(await readRange(storage, bucket, s.key, fill, s.size));
        continue;
      }
      await hold(await read(s));
    }
    if (heldBytes > 0) await upload(Buffer.concat(held));
    await storage.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: destKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
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

/** Bytes `[start, end)` of an object (a ranged GET). */
async function readRange(
  storage: Storage,
  bucket: string,
  key: string,
  start: number,
  end: number,
): Promise<Buffer> {
  const out = await storage.client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
  );
  const body = out.Body as { transformToByteArray(): Promise<Uint8Array> } | undefined;
  const bytes = Buffer.from((await body?.transformToByteArray()) ?? new Uint8Array());
  if (bytes.length !== end - start) {
    throw new Error(`ranged GET of ${key} [${start}, ${end}) returned ${bytes.length} bytes`);
  }
  return bytes;
}
