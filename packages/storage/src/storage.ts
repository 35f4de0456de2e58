import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandOutput,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Config } from '@kpress/config';
import { etagIsMd5 } from './etag.js';
import {
  type AddTagResult,
  type ObjectTag,
  planTagAdd,
  S3_MAX_TAGS,
  tagProblem,
} from './object-tags.js';
import { createS3Client, type S3ClientOptions } from './s3-client.js';
import { StorageError, toStorageError, undefinedIfAbsent } from './storage-error.js';

/** One listed object. */
export interface ObjectEntry {
  key: string;
  size: number;
  etag: string;
}

/** What `headObject` tells about an object. */
export interface ObjectInfo {
  size: number;
  etag: string;
  contentType: string | undefined;
  lastModified: Date | undefined;
  /** User metadata (`x-amz-meta-*`), names lower-case without the prefix. */
  metadata: Record<string, string>;
  /** The version read, on a versioned bucket; undefined otherwise. */
  versionId?: string | undefined;
}

/** Options of `addObjectTag`. */
export interface AddTagOptions {
  /**
   * Tag only the object whose ETag is this one (checked with a HEAD just
   * before the write: S3 has no conditional PutObjectTagging). Required.
   */
  ifMatch: string;
}

/** Options of `Storage`. */
export interface StorageOptions {
  /** The S3 client to use; default one made by `createS3Client(config, clientOptions)`. */
  client?: S3Client;
  /** Configuration for the client made when `client` is not given. */
  config?: Pick<Config, 's3Endpoint' | 's3ForcePathStyle' | 'awsRegion'>;
  /** Options for the client made when `client` is not given. */
  clientOptions?: S3ClientOptions;
  /** Keys per listing page (S3 caps it at 1000); default 1000. */
  pageSize?: number;
  /**
   * Times `getObject` tries again when the connection fails while the body is
   * being read (the SDK retries only until the response headers arrive); default 3.
   */
  bodyRetries?: number;
  /**
   * Largest object `copyObjectWhole` copies with one CopyObject; a bigger one
   * is a multipart copy (UploadPartCopy) in ranges of at most this many
   * bytes. Default 5 GiB (S3's limit for both); from 10 MiB (two parts of at
   * least S3's 5 MiB) up. Lowered only to test the multipart path.
   */
  copyPartBytes?: number;
}

/** Options of `listObjects`. */
export interface ListOptions {
  /** List keys strictly after this one (resume a listing); default from the start. */
  startAfter?: string;
  /** Keys per page; default the Storage's `pageSize`. */
  pageSize?: number;
}

/** Where a listing goes on: a continuation token, or (servers without them) the last key seen. */
export interface ListCursor {
  token?: string;
  startAfter?: string;
}

/** Options of `listPage`. */
export interface PageOptions {
  /** Where the page starts; default the start of the listing. */
  cursor?: ListCursor;
  /** Keys (objects and folders) per page; default the Storage's `pageSize`. */
  pageSize?: number;
  /** Group keys by the delimiter '/' into folders; default false. */
  delimiter?: boolean;
}

/** One page of a listing. */
export interface ListPage {
  objects: ObjectEntry[];
  folders: string[];
  /** Where the next page starts; undefined after the last page. */
  next: ListCursor | undefined;
}

/** Options of `getObject`. */
export interface GetOptions {
  /** Largest object accepted, bytes; larger ones fail with code `TooLarge` before the body is read. */
  maxBytes: number;
}

/** Options of `putObject`. */
export interface PutOptions {
  /** Content-Type; default `application/octet-stream`. */
  contentType?: string;
  /**
   * Write only where no object is (`If-None-Match: *`): an existing object
   * fails with code `PreconditionFailed` and is kept. Stores that ignore the
   * header write anyway (see `probeConditionalWrites`). Default false.
   */
  ifNoneMatch?: boolean;
  /** User metadata (`x-amz-meta-<name>`): ASCII values (URL-encode the rest). Default none. */
  metadata?: Record<string, string>;
  /**
   * Send the body's SHA-256 as `x-amz-checksum-sha256`, so that a store that
   * checks it (AWS S3) refuses a body damaged in transit and keeps the digest
   * with the object. Stores that ignore it (Ceph RGW 16, s3rver) still have
   * `Content-MD5`. Default false.
   */
  checksumSha256?: boolean;
}

/** An object's bytes and the ETag they were served with. */
export interface ObjectBody {
  body: Buffer;
  etag: string;
  /** The Content-Type the object was stored with, when the server says. */
  contentType?: string;
}

/** An object opened for streaming (see `Storage.openObject`). */
export interface ObjectStream {
  body: Readable;
  /** The Content-Length the server announced, when it did. */
  length: number | undefined;
  etag: string;
  /** The Content-Type the object was stored with, when the server says. */
  contentType?: string;
}

/** S3 operations kpress needs, with errors mapped to `StorageError`. Call `close()` when done. */
export class Storage {
  readonly client: S3Client;
  readonly pageSize: number;
  readonly bodyRetries: number;
  /** See StorageOptions.copyPartBytes. */
  readonly copyPartBytes: number;
  readonly #ownsClient: boolean;

  constructor(options: StorageOptions) {
    if (options.client !== undefined) {
      this.client = options.client;
      this.#ownsClient = false;
    } else if (options.config !== undefined) {
      this.client = createS3Client(options.config, options.clientOptions);
      this.#ownsClient = true;
    } else {
      throw new TypeError('Storage needs options.client or options.config');
    }
    this.pageSize = pageSizeOf(options.pageSize ?? 1000, 'pageSize');
    const bodyRetries = options.bodyRetries ?? 3;
    if (!Number.isInteger(bodyRetries) || bodyRetries < 0) {
      throw new RangeError(`bodyRetries must be a whole number >= 0, got ${options.bodyRetries}`);
    }
    this.bodyRetries = bodyRetries;
    this.copyPartBytes = copyPartBytesOf(options.copyPartBytes);
  }

  /**
   * One ListObjectsV2 page under `prefix`: its objects (directory markers,
   * keys ending in '/', left out) and, with `delimiter`, its folders (common
   * prefixes, each ending in '/'), both in key order, and where the next page
   * starts (undefined after the last).
   */
  async listPage(bucket: string, prefix: string, options: PageOptions = {}): Promise<ListPage> {
    const pageSize = pageSizeOf(options.pageSize ?? this.pageSize, 'pageSize');
    const cursor = options.cursor ?? {};
    let page: ListObjectsV2CommandOutput;
    try {
      page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          MaxKeys: pageSize,
          Delimiter: options.delimiter === true ? '/' : undefined,
          ContinuationToken: cursor.token,
          StartAfter: cursor.token === undefined ? cursor.startAfter : undefined,
        }),
      );
    } catch (err) {
      throw toStorageError(err, 'list', bucket, prefix);
    }
    const objects: ObjectEntry[] = [];
    let last: string | undefined;
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      last = item.Key;
      if (item.Key.endsWith('/')) continue;
      objects.push({ key: item.Key, size: item.Size ?? 0, etag: stripQuotes(item.ETag) });
    }
    const folders: string[] = [];
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) folders.push(p.Prefix);
    if (page.IsTruncated !== true) return { objects, folders, next: undefined };
    const token = page.NextContinuationToken;
    if (token !== undefined) return { objects, folders, next: { token } };
    // a server without continuation tokens: resume after the last key seen
    if (options.delimiter === true || last === undefined) {
      throw new StorageError(
        'Unknown',
        `list s3://${bucket}/${prefix}: the server cut the listing short without a continuation token`,
        { operation: 'list', bucket, key: prefix },
      );
    }
    return { objects, folders, next: { startAfter: last } };
  }

  /**
   * Streams the objects under `prefix` in key order (UTF-8 bytes), one page at a
   * time, skipping directory markers (keys ending in '/').
   */
  async *listObjects(
    bucket: string,
    prefix: string,
    options: ListOptions = {},
  ): AsyncGenerator<ObjectEntry> {
    const pageSize = options.pageSize;
    let cursor: ListCursor | undefined =
      options.startAfter === undefined ? {} : { startAfter: options.startAfter };
    while (cursor !== undefined) {
      const page: ListPage = await this.listPage(bucket, prefix, { cursor, pageSize });
      yield* page.objects;
      cursor = page.next;
    }
  }

  /**
   * Streams the "folders" directly under `prefix` (S3 common prefixes for the
   * delimiter '/', each ending in '/'), in key order, page by page.
   */
  async *listFolders(bucket: string, prefix: string): AsyncGenerator<string> {
    let cursor: ListCursor | undefined = {};
    while (cursor !== undefined) {
      const page: ListPage = await this.listPage(bucket, prefix, { cursor, delimiter: true });
      yield* page.folders;
      cursor = page.next;
    }
  }

  /**
   * Streams an object's text line by line (UTF-8, without the line ends),
   * holding one chunk at a time: for manifests of millions of rows.
   */
  async *readLines(bucket: string, key: string): AsyncGenerator<string> {
    let body: Readable | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = out.Body as Readable | undefined;
    } catch (err) {
      throw toStorageError(err, 'get', bucket, key);
    }
    if (body === undefined) return;
    const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) yield line;
    } catch (err) {
      throw toStorageError(err, 'get', bucket, key);
    } finally {
      lines.close();
      if (!body.readableEnded) body.destroy();
    }
  }

  /**
   * Opens an object for streaming: its body (read it to the end or destroy it,
   * so the connection goes back to the pool), the Content-Length the server
   * announced, and the ETag. Errors before the body are StorageErrors; errors
   * while it streams come from the stream (a cut connection).
   */
  async openObject(bucket: string, key: string): Promise<ObjectStream> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = (out.Body as Readable | undefined) ?? Readable.from([]);
      return {
        body,
        length: out.ContentLength,
        etag: stripQuotes(out.ETag),
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      };
    } catch (err) {
      throw toStorageError(err, 'get', bucket, key);
    }
  }

  /**
   * Reads a whole object into memory. Refuses (code `TooLarge`) an object whose
   * Content-Length exceeds `maxBytes` without reading its body, and stops reading
   * if the body turns out longer than announced. The body is always consumed or
   * destroyed, so the connection goes back to the pool.
   */
  async getObject(bucket: string, key: string, options: GetOptions): Promise<Buffer> {
    return (await this.getObjectWithEtag(bucket, key, options)).body;
  }

  /** `getObject`, with the ETag of the bytes read (the source's fixity, as S3 named it). */
  async getObjectWithEtag(bucket: string, key: string, options: GetOptions): Promise<ObjectBody> {
    const maxBytes = options.maxBytes;
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`maxBytes must be a whole number >= 0, got ${maxBytes}`);
    }
    for (let attempt = 0; ; attempt++) {
      const state = { reading: false };
      try {
        return await this.#getOnce(bucket, key, maxBytes, state);
      } catch (err) {
        // a connection cut mid-body: the SDK does not retry that phase, so this does
        const again =
          state.reading &&
          err instanceof StorageError &&
          err.code === 'Transient' &&
          attempt < this.bodyRetries;
        if (!again) throw err;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async #getOnce(
    bucket: string,
    key: string,
    maxBytes: number,
    state: { reading: boolean },
  ): Promise<ObjectBody> {
    let body: Readable | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const etag = stripQuotes(out.ETag);
      const typed = out.ContentType === undefined ? {} : { contentType: out.ContentType };
      body = out.Body as Readable | undefined;
      const length = out.ContentLength;
      if (length !== undefined && length > maxBytes) {
        throw tooLarge(bucket, key, length, maxBytes);
      }
      if (body === undefined) return { body: Buffer.alloc(0), etag, ...typed };
      state.reading = true;
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        total += buf.length;
        if (total > maxBytes) throw tooLarge(bucket, key, total, maxBytes, true);
        chunks.push(buf);
      }
      if (length !== undefined && total !== length) {
        // a connection cut mid-body must never pass for a short (corrupt-looking) object
        throw new StorageError(
          'Transient',
          `get s3://${bucket}/${key} failed: body ended after ${total} of ${length} bytes`,
          { operation: 'get', bucket, key },
        );
      }
      return { body: Buffer.concat(chunks, total), etag, ...typed };
    } catch (err) {
      throw toStorageError(err, 'get', bucket, key);
    } finally {
      if (body !== undefined && !body.readableEnded) body.destroy();
    }
  }

  /**
   * Writes `body` as the object's exact bytes, with `Content-MD5` (S3 refuses a
   * body changed in transit with BadDigest: a retryable `Transient` error).
   * Checks the returned ETag against the body's MD5 when it looks like one (32
   * hex digits, no '-', not SSE-KMS or SSE-C, whose ETags are no MD5): a
   * mismatch is a retryable `Transient` StorageError ('ETag mismatch').
   * Returns the ETag.
   */
  async putObject(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    options: PutOptions = {},
  ): Promise<{ etag: string }> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const md5 = createHash('md5').update(bytes).digest();
    let out: PutObjectCommandOutput;
    try {
      out = await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentMD5: md5.toString('base64'),
          ContentType: options.contentType ?? 'application/octet-stream',
          ...(options.ifNoneMatch === true ? { IfNoneMatch: '*' } : {}),
          ...(options.metadata === undefined ? {} : { Metadata: options.metadata }),
          ...(options.checksumSha256 === true
            ? { ChecksumSHA256: createHash('sha256').update(bytes).digest('base64') }
            : {}),
        }),
      );
    } catch (err) {
      throw toStorageError(err, 'put', bucket, key);
    }
    const etag = stripQuotes(out.ETag);
    const hex = md5.toString('hex');
    if (etagIsMd5(etag, out) && etag.toLowerCase() !== hex) {
      throw new StorageError(
        'Transient',
        `put s3://${bucket}/${key} failed: ETag mismatch: the server stored ${etag}, the body sent has MD5 ${hex} (${bytes.byteLength} bytes): changed in transit; write it again`,
        { operation: 'put', bucket, key },
      );
    }
    return { etag };
  }

  /** Server-side copy (the bytes do not pass through this process); objects up to 5 GB. */
  async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
  ): Promise<{ etag: string }> {
    try {
      const out = await this.client.send(
        new CopyObjectCommand({
          Bucket: destBucket,
          Key: destKey,
          CopySource: copySource(srcBucket, srcKey),
        }),
      );
      return { etag: stripQuotes(out.CopyObjectResult?.ETag) };
    } catch (err) {
      throw toStorageError(err, `copy from s3://${srcBucket}/${srcKey} to`, destBucket, destKey);
    }
  }

  /** Size, ETag, type and date of an object; code `NoSuchKey` when absent. */
  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        etag: stripQuotes(out.ETag),
        contentType: out.ContentType,
        lastModified: out.LastModified,
        metadata: { ...(out.Metadata ?? {}) },
        versionId: out.VersionId,
      };
    } catch (err) {
      throw toStorageError(err, 'head', bucket, key);
    }
  }

  /**
   * Deletes one object (kpress's own scratch files only: sources and outputs
   * are never deleted). Deleting a key that is not there succeeds, as in S3.
   */
  async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      throw toStorageError(err, 'delete', bucket, key);
    }
  }

  /** `headObject`, or undefined when there is no such object (NoSuchKey); any other error is thrown. */
  headIfExists(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    return undefinedIfAbsent(this.headObject(bucket, key));
  }

  /** `getObject`, or undefined when there is no such object (NoSuchKey); any other error is thrown. */
  getIfExists(bucket: string, key: string, options: GetOptions): Promise<Buffer | undefined> {
    return undefinedIfAbsent(this.getObject(bucket, key, options));
  }

  /** Whether the object exists (other errors, such as NoSuchBucket, are thrown). */
  async exists(bucket: string, key: string): Promise<boolean> {
    return (await this.headIfExists(bucket, key)) !== undefined;
  }

  /**
   * Writes the object only where none is: a HEAD first (for stores that
   * ignore `If-None-Match`), then a conditional PUT (for a writer that got
   * there in between). Returns false, writing nothing, when an object is there.
   */
  async putIfAbsent(
    bucket: string,
    key: string,
    body: Buffer | string,
    options: Omit<PutOptions, 'ifNoneMatch'> = {},
  ): Promise<boolean> {
    if (await this.exists(bucket, key)) return false;
    try {
      await this.putObject(bucket, key, body, { ...options, ifNoneMatch: true });
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === 'PreconditionFailed') return false;
      throw err;
    }
  }

  /** Writes `value` as JSON (`application/json`); `ifNoneMatch` as for `putObject`. */
  async putJson(
    bucket: string,
    key: string,
    value: unknown,
    options: Pick<PutOptions, 'ifNoneMatch'> = {},
  ): Promise<{ etag: string }> {
    return this.putObject(bucket, key, JSON.stringify(value), {
      contentType: 'application/json',
      ...options,
    });
  }

  /** `getJson`, or undefined when there is no such object (NoSuchKey); any other error is thrown. */
  getJsonIfExists(
    bucket: string,
    key: string,
    options: Partial<GetOptions> = {},
  ): Promise<unknown> {
    return undefinedIfAbsent(this.getJson(bucket, key, options));
  }

  /** Reads and parses a JSON object of at most `maxBytes` (default 16 MiB). */
  async getJson(bucket: string, key: string, options: Partial<GetOptions> = {}): Promise<unknown> {
    const bytes = await this.getObject(bucket, key, {
      maxBytes: options.maxBytes ?? 16 * 1024 * 1024,
    });
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new StorageError(
        'InvalidRequest',
        `s3://${bucket}/${key} is not valid JSON: ${(err as Error).message}`,
        { operation: 'getJson', bucket, key },
        { cause: err },
      );
    }
  }

  /**
   * An object's tags (GetObjectTagging), in the order the server lists them;
   * code `NoSuchKey` when absent, `NotImplemented` on a server without tagging.
   */
  async getObjectTags(bucket: string, key: string, versionId?: string): Promise<ObjectTag[]> {
    try {
      const out = await this.client.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      return (out.TagSet ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
    } catch (err) {
      throw toStorageError(err, 'get-tagging', bucket, key);
    }
  }

  /**
   * Replaces an object's whole tag set (PutObjectTagging; the object's bytes
   * and metadata are untouched). Refuses, before any request, more than S3's
   * 10 tags or a tag S3 would refuse (RangeError).
   */
  async putObjectTags(
    bucket: string,
    key: string,
    tags: readonly ObjectTag[],
    versionId?: string,
  ): Promise<void> {
    if (tags.length > S3_MAX_TAGS) {
      throw new RangeError(
        `tags must be at most ${S3_MAX_TAGS} per object (S3), got ${tags.length}`,
      );
    }
    for (const tag of tags) {
      const problem = tagProblem(tag);
      if (problem !== undefined) throw new RangeError(problem);
    }
    try {
      await this.client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          VersionId: versionId,
          Tagging: { TagSet: tags.map((t) => ({ Key: t.key, Value: t.value })) },
        }),
      );
    } catch (err) {
      throw toStorageError(err, 'put-tagging', bucket, key);
    }
  }

  /**
   * Adds one tag to an object, keeping its other tags, only while its ETag is
   * `ifMatch`. Reads the tags first, so that a tag already there costs no
   * write, a key there with another value is kept (`conflict`), and a full
   * set (S3's 10) is left alone (`full`); then a HEAD checks the ETag
   * (`changed` when it moved) and the write names the version that HEAD saw.
   * On a versioned bucket the tag therefore lands on exactly the checked
   * bytes; on an unversioned one a write of the object between the HEAD and
   * the PutObjectTagging (one round trip) would carry the tag: S3 offers no
   * condition on tagging. A tag another client adds between the read and the
   * write is lost (S3 replaces tag sets whole). Never writes the object.
   */
  async addObjectTag(
    bucket: string,
    key: string,
    tag: ObjectTag,
    options: AddTagOptions,
  ): Promise<AddTagResult> {
    const problem = tagProblem(tag);
    if (problem !== undefined) throw new RangeError(problem);
    try {
      const plan = planTagAdd(await this.getObjectTags(bucket, key), tag);
      if (plan.outcome !== 'add') return plan;
      const head = await this.headObject(bucket, key);
      if (head.etag !== options.ifMatch) return { outcome: 'changed', etag: head.etag };
      const versionId = head.versionId === 'null' ? undefined : head.versionId;
      await this.putObjectTags(bucket, key, plan.tags, versionId);
      return { outcome: 'added', tags: plan.tags, versionId };
    } catch (err) {
      if (err instanceof StorageError && err.code === 'NoSuchKey') return { outcome: 'gone' };
      throw err;
    }
  }

  /** Closes the client's connections when this Storage created the client. */
  close(): void {
    if (this.#ownsClient) this.client.destroy();
  }
}

/** `bucket/key` for CopySource, with the key URL-encoded per segment ('/' kept). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function stripQuotes(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function copyPartBytesOf(value: number | undefined): number {
  if (value === undefined) return 5 * GiB;
  if (!Number.isInteger(value) || value < 10 * MiB || value > 5 * GiB) {
    throw new RangeError(
      `copyPartBytes must be a whole number of bytes from ${10 * MiB} (10 MiB) to ${5 * GiB} (5 GiB), got ${value}`,
    );
  }
  return value;
}

function pageSizeOf(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new RangeError(`${name} must be a whole number from 1 to 1000, got ${value}`);
  }
  return value;
}

function tooLarge(bucket: string, key: string, size: number, maxBytes: number, streaming = false) {
  return new StorageError(
    'TooLarge',
    `s3://${bucket}/${key} is ${streaming ? 'more than ' : ''}${size} bytes, more than the limit of ${maxBytes} bytes (KPRESS_MAX_BYTES)`,
    { operation: 'get', bucket, key },
  );
}
