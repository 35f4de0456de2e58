import { type ManifestRow, parseRow, rowToJsonLine } from '@kpress/manifest';
import { recordKeyFor, relativeKey, type Storage } from '@kpress/storage';

const RECORD_TYPE = 'application/json';

/** Largest record accepted on read (a row is a few hundred bytes). */
const RECORD_MAX_BYTES = 64 * 1024;

/** Where the record of `sourceKey` lives: `<dest>_kpress/<batch>/records/<rel>`. */
export function recordKeyOf(
  sourceKey: string,
  sourcePrefix: string,
  destPrefix: string,
  batchId: string,
): string {
  return recordKeyFor(destPrefix, batchId, relativeKey(sourceKey, sourcePrefix));
}

/**
 * Writes a record: one manifest row as a JSON line. A retry or a duplicate job
 * writes the same key, so there is never more than one row per source object.
 */
export async function writeRecord(
  storage: Storage,
  bucket: string,
  recordKey: string,
  row: ManifestRow,
): Promise<void> {
  await storage.putObject(bucket, recordKey, rowToJsonLine(row), { contentType: RECORD_TYPE });
}

/**
 * Writes a record only where none is (a give-up row must not replace the
 * real one of a job that finished late). Returns whether it was written.
 */
export function writeRecordIfAbsent(
  storage: Storage,
  bucket: string,
  recordKey: string,
  row: ManifestRow,
): Promise<boolean> {
  return storage.putIfAbsent(bucket, recordKey, rowToJsonLine(row), { contentType: RECORD_TYPE });
}

/** Reads a record back as a validated manifest row. */
export async function readRecord(
  storage: Storage,
  bucket: string,
  recordKey: string,
): Promise<ManifestRow> {
  const bytes = await storage.getObject(bucket, recordKey, { maxBytes: RECORD_MAX_BYTES });
  return parseRow(bytes.toString('utf8'));
}
