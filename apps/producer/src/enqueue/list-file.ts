/**
 * Streams the rows of one list file (a `--keys` CSV, or a gzip'd S3 Inventory
 * data file) out of S3 with bounded memory: the body is never held whole, it
 * is counted against a limit as it arrives, unzipped by a zlib stream whose
 * output is counted too (a gzip bomb stops at the limit, not at the end of
 * memory), and parsed row by row by csv-parse's stream API, with a cap on one
 * row (a body of zeros with no line end is one row).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { integerRule } from '@kpress/core';
import { type Storage, StorageError, toStorageError } from '@kpress/storage';
import { parse } from 'csv-parse';

const GiB = 1024 * 1024 * 1024;

/** Limits on a list file (bytes), and on the keys a list may hold in memory. */
export interface ListFileLimits {
  /** Largest list file as stored (a CSV, or a data file gzip'd). Default 1 GiB. */
  maxFileBytes?: number;
  /** Largest text of a gzip'd data file once unzipped. Default 1 GiB. */
  maxTextBytes?: number;
  /** Longest row (an S3 key is at most 1,024 bytes, 3,072 URL-encoded). Default 64 KiB. */
  maxRowBytes?: number;
  /**
   * Most keys under the source a list may give (all its files together):
   * they are held in memory while sorting, ~150 bytes each, so the default
   * keeps that under ~750 MB. Default 5,000,000.
   */
  maxRows?: number;
}

/** The limits' defaults. */
export const LIST_FILE_LIMITS: Required<ListFileLimits> = {
  maxFileBytes: GiB,
  maxTextBytes: GiB,
  maxRowBytes: 64 * 1024,
  maxRows: 5_000_000,
};

const LIMIT_RULES = {
  maxFileBytes: integerRule('maxFileBytes', 1, Number.MAX_SAFE_INTEGER),
  maxTextBytes: integerRule('maxTextBytes', 1, Number.MAX_SAFE_INTEGER),
  maxRowBytes: integerRule('maxRowBytes', 1, 2 ** 30),
  maxRows: integerRule('maxRows', 1, Number.MAX_SAFE_INTEGER),
};

/** `limits` with defaults filled in, each checked. */
export function listFileLimits(limits: ListFileLimits = {}): Required<ListFileLimits> {
  return {
    maxFileBytes: LIMIT_RULES.maxFileBytes.check(
      limits.maxFileBytes ?? LIST_FILE_LIMITS.maxFileBytes,
    ),
    maxTextBytes: LIMIT_RULES.maxTextBytes.check(
      limits.maxTextBytes ?? LIST_FILE_LIMITS.maxTextBytes,
    ),
    maxRowBytes: LIMIT_RULES.maxRowBytes.check(limits.maxRowBytes ?? LIST_FILE_LIMITS.maxRowBytes),
    maxRows: LIMIT_RULES.maxRows.check(limits.maxRows ?? LIST_FILE_LIMITS.maxRows),
  };
}

/** Thrown when a list file is over one of its limits. */
export class ListTooLargeError extends Error {
  override readonly name = 'ListTooLargeError';
}

/** Passes bytes through, failing once more than `max` have gone by; optionally hashes them. */
function byteLimit(
  max: number,
  tooMany: (seen: number) => string,
  hash?: Hash,
): { stream: Transform; seen: () => number } {
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > max) return done(new ListTooLargeError(tooMany(seen)));
      hash?.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, seen: () => seen };
}

/** One list file to stream. */
export interface ListFile {
  bucket: string;
  key: string;
  /** gzip'd (an inventory data file). */
  gzip: boolean;
}

/** Where a list file's rows go. */
export interface RowSink {
  /** One CSV row, in order; an error thrown here ends the read and is thrown as it is. */
  row(row: string[], index: number): void;
  /** The body was cut and is read again from the start: forget the rows given so far. */
  restart(): void;
}

/** Times a list file is read again after its body was cut mid-way (as `getObject` does). */
const BODY_RETRIES = 3;

/**
 * Gives `sink` each CSV row of the file, in order; returns the MD5 (hex) of
 * the bytes as stored. Throws ListTooLargeError over a limit (naming it and
 * the size seen), an Error naming the file when it is not CSV (or not gzip),
 * or a StorageError. A body cut mid-way (a Transient StorageError) is read
 * again from the start, up to 3 times, after `sink.restart()`.
 */
export async function streamListRows(
  storage: Storage,
  file: ListFile,
  sink: RowSink,
  limits: ListFileLimits = {},
): Promise<string> {
  const lim = listFileLimits(limits);
  for (let attempt = 0; ; attempt++) {
    try {
      return await streamOnce(storage, file, sink, lim);
    } catch (err) {
      const again =
        err instanceof StorageError && err.code === 'Transient' && attempt < BODY_RETRIES;
      if (!again) throw err;
      sink.restart();
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

async function streamOnce(
  storage: Storage,
  file: ListFile,
  sink: RowSink,
  lim: Required<ListFileLimits>,
): Promise<string> {
  const where = `s3://${file.bucket}/${file.key}`;
  const opened = await storage.openObject(file.bucket, file.key);
  const over = (what: string, max: number) => (seen: number) =>
    `${where} is ${what}more than the limit of ${max} bytes (stopped after ${seen} bytes): split the list into smaller files`;
  if (opened.length !== undefined && opened.length > lim.maxFileBytes) {
    opened.body.destroy();
    throw new ListTooLargeError(
      `${where} is ${opened.length} bytes, more than the limit of ${lim.maxFileBytes} bytes for a list file: split the list into smaller files`,
    );
  }
  const md5 = createHash('md5');
  const stored = byteLimit(lim.maxFileBytes, over('', lim.maxFileBytes), md5);
  const rows = parse({
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: lim.maxRowBytes,
  });
  let index = 0;
  let rowError: unknown;
  const consume = async (records: AsyncIterable<string[]>) => {
    for await (const row of records) {
      try {
        sink.row(row, index++);
      } catch (err) {
        rowError = err;
        throw err;
      }
    }
  };
  // a connection cut mid-body must never pass for a shorter list
  const short = () => opened.length !== undefined && stored.seen() < opened.length;
  const cut = (cause?: unknown) =>
    new StorageError(
      'Transient',
      `get ${where} failed: body ended after ${stored.seen()} of ${opened.length} bytes`,
      { operation: 'get', bucket: file.bucket, key: file.key },
      { cause },
    );
  try {
    if (!file.gzip) await pipeline(opened.body, stored.stream, rows, consume);
    else {
      const text = byteLimit(lim.maxTextBytes, over('once unzipped ', lim.maxTextBytes));
      await pipeline(opened.body, stored.stream, createGunzip(), text.stream, rows, consume);
    }
  } catch (err) {
    if (err === rowError || err instanceof ListTooLargeError) throw err;
    if (short()) throw cut(err);
    throw listError(err, file, lim.maxRowBytes);
  }
  if (short()) throw cut();
  return md5.digest('hex');
}

/** The error to throw for a failure while streaming `file`. */
function listError(err: unknown, file: ListFile, maxRowBytes: number): unknown {
  const where = `s3://${file.bucket}/${file.key}`;
  const code = (err as { code?: unknown }).code;
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new ListTooLargeError(
      `${where} has a row longer than the limit of ${maxRowBytes} bytes: not a list of keys`,
    );
  }
  if (typeof code === 'string' && code.startsWith('CSV_'))
    return new Error(`${where} is not CSV: ${(err as Error).message}`);
  if (typeof code === 'string' && code.startsWith('Z_'))
    return new Error(`${where} is not gzip: ${(err as Error).message}`);
  return toStorageError(err, 'get', file.bucket, file.key);
}
