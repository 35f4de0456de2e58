/**
 * A batch's sources from a list instead of a listing: an S3 Inventory report
 * (`--inventory s3://.../manifest.json`, CSV format) or an S3 Batch
 * Operations manifest (`--keys s3://.../keys.csv`: `bucket,key[,versionId]`).
 * Both URL-encode keys (form encoding: `+` is a space). The batch is exactly
 * the listed keys of the source bucket under the source prefix, sorted and
 * deduplicated in S3's order; the others are counted and left out.
 *
 * The list files are streamed (list-file.ts): each at most 1 GiB as stored
 * and, gzip'd, 1 GiB once unzipped (`ListFileLimits`). The keys under the
 * source prefix are held in memory while sorting: about 150 bytes a key, so
 * at most `maxRows` (default 5,000,000, ~750 MB) of them; a list with more
 * stops with an error naming the file, the limit and the rows seen. Larger
 * lists: split them into several batches.
 */
import {
  compareKeys,
  isSourceKey,
  type ObjectEntry,
  parseS3Url,
  type Storage,
} from '@kpress/storage';
import {
  type ListFileLimits,
  ListTooLargeError,
  listFileLimits,
  streamListRows,
} from './list-file.js';

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

/** A listed row: bucket, decoded key and size (0 when the list has none). */
type ListedRow = { bucket: string; key: string; size: number };

/**
 * The rows of a list as they stream by: those under the source kept, the
 * others only counted. A file read again after a cut body first forgets
 * what that file gave (`startFile`, `restartFile`).
 */
class ListedRows {
  readonly inside: ObjectEntry[] = [];
  outside = 0;
  #mark = { inside: 0, outside: 0 };
  #file = '';

  constructor(
    private readonly source: { bucket: string; prefix: string },
    /** Most keys under the source held (ListFileLimits.maxRows). */
    private readonly maxRows: number,
  ) {}

  /** Row `index` (from 0) of the current file. */
  add(r: ListedRow, index: number): void {
    if (r.bucket !== this.source.bucket || !isSourceKey(r.key, this.source.prefix)) this.outside++;
    else if (this.inside.length >= this.maxRows) {
      throw new ListTooLargeError(
        `${this.#file} row ${index + 1}: the list gives more than the limit of ${this.maxRows} keys under the source (maxRows; ${this.inside.length + this.outside + 1} rows seen in all): split the list into several batches`,
      );
    } else this.inside.push({ key: r.key, size: r.size, etag: '' });
  }

  /** A file starts: `where` names it in errors. */
  startFile(where: string): void {
    this.#file = where;
    this.#mark = { inside: this.inside.length, outside: this.outside };
  }

  restartFile(): void {
    this.inside.length = this.#mark.inside;
    this.outside = this.#mark.outside;
  }
}

/** A key as Batch Operations and Inventory write it: form URL-encoded. */
export function decodeListedKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new Error(`key ${JSON.stringify(encoded)} is not URL-encoded as S3 lists write it`);
  }
}

/** Reads one Batch Operations CSV: `bucket,key[,versionId]` rows, no header. */
async function readKeysCsv(
  storage: Storage,
  url: string,
  limits: ListFileLimits,
  rows: ListedRows,
): Promise<void> {
  const at = parseS3Url(url.endsWith('/') ? url : `${url}/`);
  const key = at.prefix.replace(/\/$/, '');
  const file = { bucket: at.bucket, key, gzip: false };
  rows.startFile(url);
  const sink = {
    row(r: string[], i: number) {
      if (r.length < 2)
        throw new Error(`${url} row ${i + 1}: expected bucket,key, got ${JSON.stringify(r)}`);
      rows.add({ bucket: r[0] as string, key: decodeListedKey(r[1] as string), size: 0 }, i);
    },
    restart: () => rows.restartFile(),
  };
  await streamListRows(storage, file, sink, limits);
}

/** The columns an inventory's manifest.json names, checked. */
async function readInventoryManifest(storage: Storage, url: string) {
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
  if (bucketAt < 0 || keyAt < 0) {
    throw new Error(
      `${url}: inventory fileSchema must have Bucket and Key, got ${JSON.stringify(manifest.fileSchema)}`,
    );
  }
  return {
    bucket: at.bucket,
    files: manifest.files ?? [],
    bucketAt,
    keyAt,
    sizeAt: columns.indexOf('Size'),
  };
}

/**
 * Reads an S3 Inventory report (CSV): its manifest.json, then each gzip'd data
 * file, streamed and MD5-checked. Rows are gathered before a file's MD5 is
 * known: a mismatch throws, and the caller drops what it gathered.
 */
async function readInventory(
  storage: Storage,
  url: string,
  limits: ListFileLimits,
  rows: ListedRows,
): Promise<void> {
  const inv = await readInventoryManifest(storage, url);
  let where = '';
  const sink = {
    row(r: string[], i: number) {
      const bucket = r[inv.bucketAt];
      const key = r[inv.keyAt];
      if (bucket === undefined || key === undefined) {
        throw new Error(
          `${where} row ${i + 1}: ${r.length} column${r.length === 1 ? '' : 's'}, but the manifest's fileSchema puts Bucket in column ${inv.bucketAt + 1} and Key in column ${inv.keyAt + 1}: the data file does not match its manifest`,
        );
      }
      const size = inv.sizeAt < 0 ? 0 : Number(r[inv.sizeAt]);
      rows.add(
        {
          bucket,
          key: decodeListedKey(key),
          size: Number.isFinite(size) && size >= 0 ? size : 0,
        },
        i,
      );
    },
    restart: () => rows.restartFile(),
  };
  for (const file of inv.files) {
    where = `inventory file s3://${inv.bucket}/${file.key}`;
    rows.startFile(where);
    const at = { bucket: inv.bucket, key: file.key, gzip: true };
    const md5 = await streamListRows(storage, at, sink, limits);
    if (file.MD5checksum !== undefined && file.MD5checksum !== md5) {
      throw new Error(
        `inventory file s3://${inv.bucket}/${file.key}: MD5 ${md5}, the manifest says ${file.MD5checksum}`,
      );
    }
  }
}

/** The list's keys under `source` (bucket and prefix), sorted as S3 lists them, without duplicates. */
export async function readKeyList(
  storage: Storage,
  input: KeyListInput,
  source: { bucket: string; prefix: string },
  limits: ListFileLimits = {},
): Promise<KeyList> {
  const rows = new ListedRows(source, listFileLimits(limits).maxRows);
  if (input.kind === 'keys') await readKeysCsv(storage, input.url, limits, rows);
  else await readInventory(storage, input.url, limits, rows);
  const { inside, outside } = rows;
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
