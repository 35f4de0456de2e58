/**
 * A batch's sources from a list instead of a listing: an S3 Inventory report
 * (`--inventory s3://.../manifest.json`, CSV format) or an S3 Batch
 * Operations manifest (`--keys s3://.../keys.csv`: `bucket,key[,versionId]`).
 * Both URL-encode keys (form encoding: `+` is a space). The batch is exactly
 * the listed keys of the source bucket under the source prefix, sorted and
 * deduplicated in S3's order; the others are counted and left out.
 *
 * Held in memory while sorting: about 100 bytes a key (a million keys,
 * ~100 MB). Larger lists: split them into several batches.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import {
  compareKeys,
  isSourceKey,
  type ObjectEntry,
  parseS3Url,
  type Storage,
} from '@kpress/storage';

/** Where a batch's keys come from. */
export type KeyListInput = { kind: 'keys'; url: string } | { kind: 'inventory'; url: string };

/** The keys of a list, and what was left out. */
export interface KeyList {
  entries: ObjectEntry[];
  /** Rows of another bucket, outside the source prefix, or kpress's own files. */
  outside: number;
  /** Rows naming a key already listed. */
  duplicates: number;
}

/** Largest list file read (a CSV or an inventory data file, gzip'd): 1 GiB. */
const MAX_LIST_BYTES = 1024 * 1024 * 1024;

/** A key as Batch Operations and Inventory write it: form URL-encoded. */
export function decodeListedKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new Error(`key ${JSON.stringify(encoded)} is not URL-encoded as S3 lists write it`);
  }
}

function rows(text: string, where: string): string[][] {
  try {
    return parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new Error(`${where} is not CSV: ${(err as Error).message}`);
  }
}

/** Reads one Batch Operations CSV: `bucket,key[,versionId]` rows, no header. */
async function readKeysCsv(storage: Storage, url: string) {
  const at = parseS3Url(url.endsWith('/') ? url : `${url}/`);
  const key = at.prefix.replace(/\/$/, '');
  const text = (await storage.getObject(at.bucket, key, { maxBytes: MAX_LIST_BYTES })).toString(
    'utf8',
  );
  return rows(text, url).map((r, i) => {
    if (r.length < 2)
      throw new Error(`${url} row ${i + 1}: expected bucket,key, got ${JSON.stringify(r)}`);
    return { bucket: r[0] as string, key: decodeListedKey(r[1] as string), size: 0 };
  });
}

/** Reads an S3 Inventory report (CSV): its manifest.json, then each gzip'd data file, MD5-checked. */
async function readInventory(storage: Storage, url: string) {
  const at = parseS3Url(url.endsWith('/') ? url : `${url}/`);
  const manifest = (await storage.getJson(at.bucket, at.prefix.replace(/\/$/, ''))) as {
    fileFormat?: string;
    fileSchema?: string;
    files?: { key: string; MD5checksum?: string }[];
  };
  if (manifest.fileFormat !== 'CSV') {
    throw new Error(
      `${url}: inventory fileFormat must be CSV, got ${JSON.stringify(manifest.fileFormat)}`,
    );
  }
  const columns = (manifest.fileSchema ?? '').split(',').map((c) => c.trim());
  const bucketAt = columns.indexOf('Bucket');
  const keyAt = columns.indexOf('Key');
  const sizeAt = columns.indexOf('Size');
  if (bucketAt < 0 || keyAt < 0) {
    throw new Error(
      `${url}: inventory fileSchema must have Bucket and Key, got ${JSON.stringify(manifest.fileSchema)}`,
    );
  }
  const out: { bucket: string; key: string; size: number }[] = [];
  for (const file of manifest.files ?? []) {
    const gz = await storage.getObject(at.bucket, file.key, { maxBytes: MAX_LIST_BYTES });
    const md5 = createHash('md5').update(gz).digest('hex');
    if (file.MD5checksum !== undefined && file.MD5checksum !== md5) {
      throw new Error(
        `inventory file s3://${at.bucket}/${file.key}: MD5 ${md5}, the manifest says ${file.MD5checksum}`,
      );
    }
    for (const r of rows(gunzipSync(gz).toString('utf8'), `s3://${at.bucket}/${file.key}`)) {
      const size = sizeAt < 0 ? 0 : Number(r[sizeAt]);
      out.push({
        bucket: r[bucketAt] as string,
        key: decodeListedKey(r[keyAt] as string),
        size: Number.isFinite(size) && size >= 0 ? size : 0,
      });
    }
  }
  return out;
}

/** The list's keys under `source` (bucket and prefix), sorted as S3 lists them, without duplicates. */
export async function readKeyList(
  storage: Storage,
  input: KeyListInput,
  source: { bucket: string; prefix: string },
): Promise<KeyList> {
  const listed =
    input.kind === 'keys'
      ? await readKeysCsv(storage, input.url)
      : await readInventory(storage, input.url);
  let outside = 0;
  const inside: ObjectEntry[] = [];
  for (const r of listed) {
    if (
      r.bucket !== source.bucket ||
      !r.key.startsWith(source.prefix) ||
      !isSourceKey(r.key, source.prefix)
    ) {
      outside++;
      continue;
    }
    inside.push({ key: r.key, size: r.size, etag: '' });
  }
  inside.sort((a, b) => compareKeys(a.key, b.key));
  const entries: ObjectEntry[] = [];
  let duplicates = 0;
  for (const e of inside) {
    if (entries.length > 0 && (entries[entries.length - 1] as ObjectEntry).key === e.key)
      duplicates++;
    else entries.push(e);
  }
  return { entries, outside, duplicates };
}
