/**
 * Destination key layout (DESIGN.md "Storage layout"). Pure functions.
 *
 * A source key is `<sourcePrefix><rel>`; its outputs mirror `<rel>` under the
 * destination prefix, and its record is `<dest>_kpress/<batchId>/records/<rel>`
 * with no suffix, so that a listing of the records (UTF-8 byte order, as S3
 * lists) comes in exactly the order of the listing of the sources: appending a
 * suffix such as `.json` would not keep it (`a` < `a-b` but `a-b.json` < `a.json`).
 *
 * Decision: ".png" is matched case-insensitively, so `cat.PNG` compresses to
 * `cat.PNG` (not `cat.PNG.png`). Only a name ending in exactly `.png` can clash
 * (see `clashPartnerKey`), because a non-PNG `<name>` maps to `<name>.png`.
 *
 * S3 keys are literal on AWS and Ceph RGW (`a/../b.jpg` is a key of its own),
 * but some S3-compatible stores and proxies normalise such paths, which would
 * put `<dest><rel>` outside `<dest>` or over another output: a source whose
 * relative path has an empty, `.` or `..` segment is a failed row and nothing
 * is written for it (see `unwritableReason`).
 */

import { unsafeSegmentProblem } from './s3-url.js';

/** Folder under the destination prefix that holds kpress's own files. */
export const KPRESS_DIR = '_kpress/';

function assertUnder(key: string, prefix: string, what: string): string {
  if (!key.startsWith(prefix)) {
    throw new RangeError(
      `${what} ${JSON.stringify(key)} is not under prefix ${JSON.stringify(prefix)}`,
    );
  }
  const rel = key.slice(prefix.length);
  if (rel === '') throw new RangeError(`${what} ${JSON.stringify(key)} equals its prefix: no name`);
  return rel;
}

/** `<rel>` of `sourceKey` under `sourcePrefix`; throws a RangeError when it is not under it. */
export function relativeKey(sourceKey: string, sourcePrefix: string): string {
  return assertUnder(sourceKey, sourcePrefix, 'source key');
}

/** True when the name ends in `.png`, in any letter case. */
export function isPngName(key: string): boolean {
  return /\.png$/i.test(key);
}

/**
 * Whether a listed key is a source object: under the prefix, not a directory
 * marker (ending in '/'), and not kpress's own files (`<prefix>_kpress/...`).
 */
export function isSourceKey(key: string, sourcePrefix: string): boolean {
  if (!key.startsWith(sourcePrefix) || key.endsWith('/')) return false;
  const rel = key.slice(sourcePrefix.length);
  return rel !== '' && !rel.startsWith(KPRESS_DIR);
}

/** Compressed output: `<dest><rel>` when rel ends in .png (any case), else `<dest><rel>.png`. */
export function outputKeyFor(sourceKey: string, sourcePrefix: string, destPrefix: string): string {
  const rel = relativeKey(sourceKey, sourcePrefix);
  return isPngName(rel) ? destPrefix + rel : `${destPrefix}${rel}.png`;
}

/** Kept original (byte-for-byte copy): `<dest><rel>`. */
export function keptKeyFor(sourceKey: string, sourcePrefix: string, destPrefix: string): string {
  return destPrefix + relativeKey(sourceKey, sourcePrefix);
}

/** `<dest>_kpress/<batchId>/`: where a batch's records, manifest and report live. */
export function batchPrefix(destPrefix: string, batchId: string): string {
  if (batchId === '' || batchId.includes('/')) {
    throw new RangeError(`batch id ${JSON.stringify(batchId)} must be non-empty without "/"`);
  }
  return `${destPrefix}${KPRESS_DIR}${batchId}/`;
}

/** `<dest>_kpress/<batchId>/records/`: list this to read the records in source order. */
export function recordsPrefix(destPrefix: string, batchId: string): string {
  return `${batchPrefix(destPrefix, batchId)}records/`;
}

/** `<dest>_kpress/<batchId>/records/<rel>` (no suffix: keeps the source listing order). */
export function recordKeyFor(destPrefix: string, batchId: string, rel: string): string {
  if (rel === '') throw new RangeError('record for an empty relative key');
  return recordsPrefix(destPrefix, batchId) + rel;
}

/** The `<rel>` a record key stands for (inverse of `recordKeyFor`). */
export function relFromRecordKey(recordKey: string, destPrefix: string, batchId: string): string {
  return assertUnder(recordKey, recordsPrefix(destPrefix, batchId), 'record key');
}

/** Well-known files of a batch. */
export function batchFileKeys(destPrefix: string, batchId: string) {
  const base = batchPrefix(destPrefix, batchId);
  return {
    batch: `${base}batch.json`,
    listing: `${base}listing.json`,
    manifestJsonl: `${base}manifest.jsonl`,
    manifestCsv: `${base}manifest.csv`,
    manifestSha256: `${base}manifest-sha256.txt`,
    summary: `${base}summary.json`,
    report: `${base}report.html`,
  };
}

/**
 * The other source key whose output would take this one's (`cat` -> `cat.png`),
 * or undefined when the name already ends in .png (any case) and so cannot clash.
 * If that key exists in the source, this source is the clashing one: it becomes a
 * `failed` row naming the other key (see `clashMessage`).
 */
export function clashPartnerKey(sourceKey: string): string | undefined {
  return isPngName(sourceKey) ? undefined : `${sourceKey}.png`;
}

/** Reason for the failed row of a clashing source. */
export function clashMessage(sourceKey: string, partnerKey: string): string {
  return `output name clash: ${JSON.stringify(sourceKey)} would be written as ${JSON.stringify(partnerKey)}, which is the name of another source object; rename one of them`;
}

/** S3's limit on an object key, in UTF-8 bytes. */
export const S3_MAX_KEY_BYTES = 1024;

/**
 * Why a source object cannot be processed because a key kpress would write for
 * it (its output, or its record `<dest>_kpress/<batch>/records/<rel>`, always the
 * longer of the two) would exceed S3's 1,024-byte key limit; undefined when
 * both fit. Such a source becomes a failed row with this reason.
 */
export function keyTooLongReason(
  sourceKey: string,
  sourcePrefix: string,
  destPrefix: string,
  batchId: string,
): string | undefined {
  const rel = relativeKey(sourceKey, sourcePrefix);
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  const output = bytes(outputKeyFor(sourceKey, sourcePrefix, destPrefix));
  const record = bytes(recordKeyFor(destPrefix, batchId, rel));
  if (output <= S3_MAX_KEY_BYTES && record <= S3_MAX_KEY_BYTES) return undefined;
  const what =
    output > S3_MAX_KEY_BYTES
      ? `its output key would be ${output} bytes`
      : `its kpress record key would be ${record} bytes`;
  return `key too long: ${what}, over S3's ${S3_MAX_KEY_BYTES}-byte limit; use a shorter destination prefix or source path`;
}

/**
 * Why nothing (no output, not even a record) may be written for a source: its
 * relative path has an empty, `.` or `..` segment, or a key would pass S3's
 * length limit. Undefined when it can be processed. Such a source's failed row
 * is made by the finalize, from this same reason.
 */
export function unwritableReason(
  sourceKey: string,
  sourcePrefix: string,
  destPrefix: string,
  batchId: string,
): string | undefined {
  const unsafe = unsafeSegmentProblem(relativeKey(sourceKey, sourcePrefix));
  if (unsafe !== undefined) {
    return `unsafe path: the name under the source prefix ${unsafe}, which some S3-compatible stores and proxies rewrite to another key; rename the object`;
  }
  return keyTooLongReason(sourceKey, sourcePrefix, destPrefix, batchId);
}
