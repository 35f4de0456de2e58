import { createHash } from 'node:crypto';
import type { Storage } from './storage.js';
import { StorageError, toStorageError } from './storage-error.js';

/** The SHA-256 of an object's bytes, streamed, with the ETag they were served with. */
export interface ObjectDigest {
  /** Lower-case hex. */
  sha256: string;
  etag: string;
  bytes: number;
  /** The Content-Type the object was stored with, when the server says. */
  contentType?: string;
}

/**
 * Reads an object as a stream into a SHA-256, holding no more than one
 * chunk: for objects too large to read whole (a server-side copy's fixity,
 * verify of a large copy). A body shorter than its Content-Length is a
 * `Transient` StorageError, never a digest of part of the object.
 */
export async function digestObject(
  storage: Storage,
  bucket: string,
  key: string,
): Promise<ObjectDigest> {
  const opened = await storage.openObject(bucket, key);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of opened.body) {
      const buf = chunk as Uint8Array;
      hash.update(buf);
      bytes += buf.byteLength;
    }
  } catch (err) {
    throw toStorageError(err, 'get', bucket, key);
  } finally {
    if (!opened.body.readableEnded) opened.body.destroy();
  }
  if (opened.length !== undefined && bytes !== opened.length) {
    throw new StorageError(
      'Transient',
      `get s3://${bucket}/${key} failed: body ended after ${bytes} of ${opened.length} bytes`,
      { operation: 'get', bucket, key },
    );
  }
  return {
    sha256: hash.digest('hex'),
    etag: opened.etag,
    bytes,
    ...(opened.contentType === undefined ? {} : { contentType: opened.contentType }),
  };
}
