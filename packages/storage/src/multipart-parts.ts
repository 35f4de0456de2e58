/**
 * The parts of one multipart upload as `concatObjects` writes them: sources
 * appended in order, each copied server-side (UploadPartCopy) when it can
 * make a part on its own, else read and held until the held bytes make one.
 */
import { createHash } from 'node:crypto';
import {
  type CompletedPart,
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { ConcatResult, ConcatSource } from './concat-objects.js';
import { copySource, type Storage } from './storage.js';

/** Where the parts go and how big they are. */
export interface MultipartTarget {
  storage: Storage;
  bucket: string;
  destKey: string;
  uploadId: string;
  /** Smallest part but the last. */
  minPart: number;
  /** Largest part; a bigger source is copied in ranges. */
  maxPart: number;
  /** Held bytes are uploaded once they reach this (at least `minPart`). */
  target: number;
}

export class MultipartParts {
  private readonly parts: CompletedPart[] = [];
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** False once the store refused UploadPartCopy (s3rver): every part is uploaded then. */
  private canCopy = true;

  constructor(
    private readonly to: MultipartTarget,
    /** Counted into as parts are written. */
    private readonly result: ConcatResult,
  ) {}

  /** Appends source `s`: copied, read, or its head read and the rest copied. */
  async append(s: ConcatSource): Promise<void> {
    if (s.size === 0) return;
    const { minPart, target } = this.to;
    if (this.heldBytes === 0 && s.size >= target && this.canCopy && (await this.copy(s))) return;
    // bytes held before a big source: read only its head, enough for a part, and copy the rest
    const fill = Math.max(0, minPart - this.heldBytes);
    if (this.heldBytes > 0 && this.canCopy && s.size - fill >= target) {
      await this.completeHeldWithHead(s, fill);
      if (await this.copy(s, fill)) return;
      await this.hold(await this.readRange(s.key, fill, s.size));
      return;
    }
    await this.hold(
      await this.to.storage.getObject(this.to.bucket, s.key, { maxBytes: Math.max(1, s.size) }),
    );
  }

  /** Uploads what is still held and completes the upload. */
  async complete(): Promise<void> {
    if (this.heldBytes > 0) await this.upload(Buffer.concat(this.held));
    const { storage, bucket, destKey, uploadId } = this.to;
    await storage.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: destKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
  }

  /** Reads the first `fill` bytes of `s` onto the held bytes and uploads them as one part. */
  private async completeHeldWithHead(s: ConcatSource, fill: number): Promise<void> {
    if (fill > 0) {
      const head = await this.readRange(s.key, 0, fill);
      this.result.readBytes += head.length;
      this.held.push(head);
    }
    await this.upload(Buffer.concat(this.held));
    this.held = [];
    this.heldBytes = 0;
  }

  /** Holds bytes read here; uploads the held bytes once they reach the target. */
  private async hold(body: Buffer): Promise<void> {
    this.result.readBytes += body.length;
    this.held.push(body);
    this.heldBytes += body.length;
    if (this.heldBytes >= this.to.target) {
      await this.upload(Buffer.concat(this.held));
      this.held = [];
      this.heldBytes = 0;
    }
  }

  private async upload(body: Buffer): Promise<void> {
    const { storage, bucket, destKey, uploadId } = this.to;
    const PartNumber = this.parts.length + 1;
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
    this.parts.push({ PartNumber, ETag: out.ETag });
    this.result.uploadedParts++;
  }

  /**
   * Copies `s` from byte `from` on server-side, in ranges when that is more
   * than a part may be; false when the store cannot (nothing copied then).
   */
  private async copy(s: ConcatSource, from = 0): Promise<boolean> {
    const { storage, bucket, destKey, uploadId, maxPart } = this.to;
    const whole = from === 0 && s.size <= maxPart;
    const ranges = whole
      ? [undefined]
      : copyRanges(s.size - from, maxPart).map(([a, b]) => [a + from, b + from] as const);
    for (const [i, range] of ranges.entries()) {
      const PartNumber = this.parts.length + 1;
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
        this.parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
        this.result.copiedParts++;
      } catch (err) {
        // a store without UploadPartCopy fails on the first: upload the bytes instead
        if (!isNotImplemented(err) || i > 0) throw err;
        this.canCopy = false;
        return false;
      }
    }
    return true;
  }

  /** Bytes `[start, end)` of an object (a ranged GET). */
  private async readRange(key: string, start: number, end: number): Promise<Buffer> {
    const out = await this.to.storage.client.send(
      new GetObjectCommand({
        Bucket: this.to.bucket,
        Key: key,
        Range: `bytes=${start}-${end - 1}`,
      }),
    );
    const body = out.Body as { transformToByteArray(): Promise<Uint8Array> } | undefined;
    const bytes = Buffer.from((await body?.transformToByteArray()) ?? new Uint8Array());
    if (bytes.length !== end - start) {
      throw new Error(`ranged GET of ${key} [${start}, ${end}) returned ${bytes.length} bytes`);
    }
    return bytes;
  }
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

function isNotImplemented(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NotImplemented' ||
    e?.Code === 'NotImplemented' ||
    e?.$metadata?.httpStatusCode === 501
  );
}
