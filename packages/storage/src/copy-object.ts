/**
 * A server-side copy of one whole object, its bytes never passing through
 * this process: one CopyObject up to `Storage.copyPartBytes` (5 GiB, S3's
 * limit), above that a multipart upload whose parts are UploadPartCopy
 * ranges. Both ask that the source still be the version the caller read
 * (`CopySourceIfMatch` its ETag; AWS S3 honours it, RGW 16 and s3rver copy
 * anyway, measured: callers check the source's ETag after the copy) and, when asked, on nothing
 * being at the destination (`If-None-Match: *` on the CopyObject or on the
 * CompleteMultipartUpload). The copy carries the caller's metadata and type
 * (`MetadataDirective: REPLACE`), not the source's.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { copyRanges } from './concat-objects.js';
import { copySource, type Storage } from './storage.js';
import { toStorageError } from './storage-error.js';

/** One object to copy whole. */
export interface WholeCopy {
  srcBucket: string;
  srcKey: string;
  /** The source's size in bytes (from its listing or HEAD): picks one copy or a multipart one. */
  size: number;
  /** Copy only while the source has this ETag (`CopySourceIfMatch`); a changed source fails with `PreconditionFailed`. Default: any version. */
  sourceEtag?: string;
  destBucket: string;
  destKey: string;
  /** Content-Type of the copy. Default `application/octet-stream`. */
  contentType?: string;
  /** User metadata of the copy. Default none. */
  metadata?: Record<string, string>;
  /** Write only where no object is (`If-None-Match: *`); an object there fails with `PreconditionFailed`. Default false. */
  ifNoneMatch?: boolean;
}

/** How the copy was made. */
export interface WholeCopyResult {
  /** 0 for one CopyObject; else the UploadPartCopy parts. */
  parts: number;
}

/**
 * Copies `copy.srcKey` to `copy.destKey` server-side (see the file's
 * comment). Errors are StorageErrors: `PreconditionFailed` when the source
 * changed or (with `ifNoneMatch`) an object is at the destination,
 * `NotImplemented`-like errors from stores without UploadPartCopy (s3rver).
 * A failed multipart copy is aborted: nothing is left at the destination.
 */
export async function copyObjectWhole(storage: Storage, copy: WholeCopy): Promise<WholeCopyResult> {
  if (copy.size <= storage.copyPartBytes) {
    try {
      await storage.client.send(
        new CopyObjectCommand({
          Bucket: copy.destBucket,
          Key: copy.destKey,
          CopySource: copySource(copy.srcBucket, copy.srcKey),
          ...(copy.sourceEtag === undefined ? {} : { CopySourceIfMatch: `"${copy.sourceEtag}"` }),
          ...(copy.ifNoneMatch === true ? { IfNoneMatch: '*' } : {}),
          MetadataDirective: 'REPLACE',
          ContentType: copy.contentType ?? 'application/octet-stream',
          Metadata: copy.metadata ?? {},
        }),
      );
      return { parts: 0 };
    } catch (err) {
      throw toStorageError(
        err,
        `copy from s3://${copy.srcBucket}/${copy.srcKey} to`,
        copy.destBucket,
        copy.destKey,
      );
    }
  }
  return multipartCopy(storage, copy);
}

async function multipartCopy(storage: Storage, copy: WholeCopy): Promise<WholeCopyResult> {
  const { destBucket: Bucket, destKey: Key } = copy;
  let uploadId: string | undefined;
  try {
    const created = await storage.client.send(
      new CreateMultipartUploadCommand({
        Bucket,
        Key,
        ContentType: copy.contentType ?? 'application/octet-stream',
        Metadata: copy.metadata ?? {},
      }),
    );
    uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
    const parts: CompletedPart[] = [];
    for (const [first, last] of copyRanges(copy.size, storage.copyPartBytes)) {
      const PartNumber = parts.length + 1;
      const out = await storage.client.send(
        new UploadPartCopyCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          PartNumber,
          CopySource: copySource(copy.srcBucket, copy.srcKey),
          CopySourceRange: `bytes=${first}-${last}`,
          ...(copy.sourceEtag === undefined ? {} : { CopySourceIfMatch: `"${copy.sourceEtag}"` }),
        }),
      );
      parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
    }
    await storage.client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...(copy.ifNoneMatch === true ? { IfNoneMatch: '*' } : {}),
      }),
    );
    return { parts: parts.length };
  } catch (err) {
    if (uploadId !== undefined) {
      await storage.client
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch(() => {});
    }
    throw toStorageError(
      err,
      `multipart copy from s3://${copy.srcBucket}/${copy.srcKey} to`,
      Bucket,
      Key,
    );
  }
}
