import { createHash } from 'node:crypto';
import { type ImageOptionsInput, provenanceFacts } from '@kpress/core';
import { copyObjectWhole, type ObjectInfo, StorageError, type Storage } from '@kpress/storage';

/**
 * Writes outputs without ever overwriting what another batch, another tool or
 * a person put in the destination (DESIGN invariant 8).
 *
 * Each output is a PUT with `If-None-Match: *` and provenance metadata
 * (`x-amz-meta-kpress-batch`, `-kpress-source`, `-kpress-sha256`). When an
 * object is in the way, its metadata decides: written by this same batch for
 * this same source (a retry, a job run twice) is a success; anything else,
 * including another source of the same batch, is kept untouched and the row
 * says which key was in the way and whose it is. Stores that ignore the condition
 * (s3rver, some gateways) are detected once per bucket by
 * {@link probeConditionalWrites}; there the writer looks first (HEAD), which
 * leaves the race of two writers between the HEAD and the PUT open.
 */

/** User metadata names (S3 adds the `x-amz-meta-` prefix). */
export const PROVENANCE = {
  batch: 'kpress-batch',
  source: 'kpress-source',
  sha256: 'kpress-sha256',
} as const;

/** What else an output's metadata says of how it was made (`x-amz-meta-kpress-<name>`). */
export interface Provenance {
  /** SHA-256 (hex) of the source bytes. */
  sourceSha256: string;
  /** The image options it was made with: their provenance facts (@kpress/core provenanceFacts), as in the PNG. */
  options: ImageOptionsInput;
  /** PSNR of the output (compressed outputs), dB; 'Infinity' when lossless. */
  psnr?: number;
  /** SSIMULACRA 2.1 score of the output (compressed outputs scored), as `kpress-ssimulacra2` with 2 decimals. */
  ssimulacra2?: number;
  /** The kpress version that wrote it. */
  version: string;
}

/** The user metadata of an output: ASCII values, the source key URL-encoded. Pure. */
export function provenanceMetadata(
  out: Pick<OutputWrite, 'batchId' | 'sourceKey'>,
  sha256: string,
  p: Provenance | undefined,
): Record<string, string> {
  const meta: Record<string, string> = {
    [PROVENANCE.batch]: out.batchId,
    [PROVENANCE.source]: encodeURIComponent(out.sourceKey),
    [PROVENANCE.sha256]: sha256,
  };
  if (p === undefined) return meta;
  meta['kpress-source-sha256'] = p.sourceSha256;
  // kpress-colors, -seed, -quality, -effort, -dither: what the PNG's own kpress chunk says
  for (const [name, value] of Object.entries(provenanceFacts(p.options))) {
    meta[`kpress-${name}`] = String(value);
  }
  if (p.psnr !== undefined)
    meta['kpress-psnr'] = Number.isFinite(p.psnr) ? p.psnr.toFixed(3) : 'Infinity';
  if (p.ssimulacra2 !== undefined) meta['kpress-ssimulacra2'] = p.ssimulacra2.toFixed(2);
  meta['kpress-version'] = p.version;
  return meta;
}

/** What one output write did. */
export type WriteResult =
  | { kind: 'written' }
  /** This batch wrote these exact bytes before: nothing to do. */
  | { kind: 'already-there' }
  /** Another object holds the key: nothing was written. */
  | { kind: 'in-the-way'; reason: string };

/** One output to write. */
export interface OutputWrite {
  bucket: string;
  key: string;
  body: Uint8Array;
  contentType: string;
  batchId: string;
  /** The source key it was made from. */
  sourceKey: string;
  /** Where the condition probe may write, e.g. `<dest>_kpress/conditional-write-probe`. */
  probeKey: string;
  /** SHA-256 (hex) of `body` when the caller has it; computed otherwise. */
  sha256?: string;
  /** How it was made, for its metadata. Default: batch, source and digest only. */
  provenance?: Provenance;
}

/**
 * One source copied server-side to its output key (an object over the byte
 * limit: its bytes never come to the worker). Its digest was streamed from
 * the version whose ETag is `sourceEtag`, and the copy is of that version only.
 */
export interface OutputCopy extends Omit<OutputWrite, 'body' | 'sha256' | 'probeKey'> {
  srcBucket: string;
  /** The source's size in bytes. */
  size: number;
  /** ETag of the source version hashed (CopySourceIfMatch). */
  sourceEtag: string;
  /** SHA-256 (hex) of the source bytes: the copy's too. */
  sha256: string;
}

/** Options of {@link OutputWriter}. */
export interface OutputWriterOptions {
  storage: Storage;
}

/** Writes outputs conditionally; caches, per bucket, whether the store honours the condition. */
export class OutputWriter {
  private readonly honoured = new Map<string, Promise<boolean>>();

  constructor(private readonly options: OutputWriterOptions) {}

  /** Whether `bucket`'s store refuses a PUT with `If-None-Match: *` over an object (probed once). */
  conditionalWrites(bucket: string, probeKey: string): Promise<boolean> {
    let known = this.honoured.get(bucket);
    if (known === undefined) {
      known = probeConditionalWrites(this.options.storage, bucket, probeKey);
      // a failed probe (S3 trouble) is asked again next time
      known.catch(() => this.honoured.delete(bucket));
      this.honoured.set(bucket, known);
    }
    return known;
  }

  /** Writes one output where nothing is, or where this same batch wrote it before for this same source. */
  async write(out: OutputWrite): Promise<WriteResult> {
    const storage = this.options.storage;
    const sha256 = out.sha256 ?? createHash('sha256').update(out.body).digest('hex');
    const metadata = provenanceMetadata(out, sha256, out.provenance);
    const conditional = await this.conditionalWrites(out.bucket, out.probeKey);
    if (!conditional) {
      const there = await storage.headIfExists(out.bucket, out.key);
      if (there !== undefined) return this.judge(out, there, sha256, metadata);
    }
    try {
      await storage.putObject(out.bucket, out.key, out.body, {
        contentType: out.contentType,
        ifNoneMatch: true,
        metadata,
        checksumSha256: true,
      });
      return { kind: 'written' };
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'PreconditionFailed')) throw err;
    }
    const there = await storage.headIfExists(out.bucket, out.key);
    // gone again between the PUT and the HEAD: try once more, still conditional
    if (there === undefined) return this.write(out);
    return this.judge(out, there, sha256, metadata);
  }

  private async judge(
    out: OutputWrite,
    there: ObjectInfo,
    sha256: string,
    metadata: Record<string, string>,
  ): Promise<WriteResult> {
    const verdict = judgeExisting(there, out, sha256);
    if (verdict.kind !== 'overwrite-own') return verdict;
    // this batch's own earlier output of this source with other bytes (a worker of another version): replace it
    await this.options.storage.putObject(out.bucket, out.key, out.body, {
      contentType: out.contentType,
      metadata,
      checksumSha256: true,
    });
    return { kind: 'written' };
  }

  /**
   * Copies a source server-side to its output key, by the same rules as
   * `write`: nothing overwritten but this batch's own earlier output of this
   * same source. The destination is looked at first (HEAD) whatever the
   * store says of `If-None-Match` on a PUT, as stores differ on a copy; the
   * copy is then sent with `If-None-Match: *`. A source changed since it was
   * hashed (`CopySourceIfMatch` refused) is a Transient StorageError: the job
   * runs again and hashes it again.
   */
  async copy(out: OutputCopy): Promise<WriteResult> {
    const storage = this.options.storage;
    const metadata = provenanceMetadata(out, out.sha256, out.provenance);
    const sized = { ...out, body: { byteLength: out.size } };
    const judge = async (there: ObjectInfo): Promise<WriteResult> => {
      const verdict = judgeExisting(there, sized, out.sha256);
      if (verdict.kind !== 'overwrite-own') return verdict;
      await copyObjectWhole(storage, { ...copyOf(out), metadata });
      await sameSourceAfterCopy(storage, out);
      return { kind: 'written' };
    };
    const before = await storage.headIfExists(out.bucket, out.key);
    if (before !== undefined) return judge(before);
    try {
      await copyObjectWhole(storage, { ...copyOf(out), metadata, ifNoneMatch: true });
      await sameSourceAfterCopy(storage, out);
      return { kind: 'written' };
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'PreconditionFailed')) throw err;
    }
    const there = await storage.headIfExists(out.bucket, out.key);
    if (there !== undefined) return judge(there);
    throw new StorageError(
      'Transient',
      `copy of s3://${out.srcBucket}/${out.sourceKey} failed: the source changed after it was hashed (ETag no longer ${out.sourceEtag}); it is read again`,
      { operation: 'copy', bucket: out.srcBucket, key: out.sourceKey },
    );
  }

  /** Forgets what the probes found (tests, or after reconfiguring a store). */
  clear(): void {
    this.honoured.clear();
  }
}

/**
 * The source still has the ETag it was hashed with, after the copy: stores
 * that ignore CopySourceIfMatch (RGW 16, s3rver) could have copied a newer
 * version. If it changed, the job fails as Transient and runs again: its own
 * copy, whose metadata names the old digest, is then replaced.
 */
async function sameSourceAfterCopy(storage: Storage, out: OutputCopy): Promise<void> {
  const now = await storage.headIfExists(out.srcBucket, out.sourceKey);
  if (now?.etag === out.sourceEtag) return;
  throw new StorageError(
    'Transient',
    `copy of s3://${out.srcBucket}/${out.sourceKey} is not proven: the source ${now === undefined ? 'is gone' : `has ETag ${now.etag}`} after the copy, it was hashed at ETag ${out.sourceEtag}; it is read again`,
    { operation: 'copy', bucket: out.srcBucket, key: out.sourceKey },
  );
}

/** The server-side copy of an OutputCopy: the source version hashed, to its output key. */
function copyOf(out: OutputCopy) {
  return {
    srcBucket: out.srcBucket,
    srcKey: out.sourceKey,
    size: out.size,
    sourceEtag: out.sourceEtag,
    destBucket: out.bucket,
    destKey: out.key,
    contentType: out.contentType,
  };
}

/** The source key an object's `kpress-source` metadata names, or undefined when absent or garbled. */
function sourceOf(metadata: Record<string, string>): string | undefined {
  const encoded = metadata[PROVENANCE.source];
  if (encoded === undefined) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/**
 * What to do about an object found at an output key, from its provenance.
 * Ownership is the batch AND the source together: the same batch and source
 * with the same bytes is done already; with other bytes (a retry by a worker
 * of another version) it may be replaced. Anything else is in the way, even
 * with the same bytes: another source of this same batch (`cat` and `cat.png`
 * both map to `cat.png`), another batch, another tool. Pure.
 */
export function judgeExisting(
  there: Pick<ObjectInfo, 'size' | 'metadata'>,
  out: Pick<OutputWrite, 'batchId' | 'key' | 'sourceKey'> & { body: { byteLength: number } },
  sha256: string,
): WriteResult | { kind: 'overwrite-own' } {
  const batch = there.metadata[PROVENANCE.batch];
  const source = sourceOf(there.metadata);
  if (batch === out.batchId && source === out.sourceKey) {
    const same = there.metadata[PROVENANCE.sha256] === sha256 && there.size === out.body.byteLength;
    return same ? { kind: 'already-there' } : { kind: 'overwrite-own' };
  }
  return { kind: 'in-the-way', reason: inTheWayReason(there, out, batch, source) };
}

function inTheWayReason(
  there: Pick<ObjectInfo, 'size'>,
  out: Pick<OutputWrite, 'batchId' | 'key' | 'sourceKey'>,
  batch: string | undefined,
  source: string | undefined,
): string {
  const size = `${there.size} bytes`;
  const key = JSON.stringify(out.key);
  if (batch === out.batchId) {
    const other =
      source === undefined
        ? `an output of this batch that names no source (${size})`
        : `the output of another source of this batch, ${JSON.stringify(source)} (${size})`;
    return `output key ${key} of source ${JSON.stringify(out.sourceKey)} is taken by ${other}: nothing was overwritten; rename one of the two sources`;
  }
  const owner =
    batch === undefined
      ? `an object not written by kpress (${size})`
      : `an output of another kpress batch, ${JSON.stringify(batch)} (${size})`;
  return `output key ${key} is taken by ${owner}: nothing was overwritten; move it away or write this batch to another destination`;
}

/**
 * Whether the store refuses `If-None-Match: *` over an existing object. Writes
 * `probeKey` (a tiny object) conditionally: a 412 means the store honours it
 * (a probe of an earlier worker is there); a success is followed by a second
 * conditional PUT of the same key, which only a store that ignores the header
 * lets through. Never writes outside `probeKey`.
 */
export async function probeConditionalWrites(
  storage: Storage,
  bucket: string,
  probeKey: string,
): Promise<boolean> {
  const put = async (): Promise<boolean> => {
    try {
      await storage.putObject(bucket, probeKey, 'kpress conditional-write probe\n', {
        contentType: 'text/plain',
        ifNoneMatch: true,
      });
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === 'PreconditionFailed') return false;
      throw err;
    }
  };
  if (!(await put())) return true;
  return !(await put());
}
