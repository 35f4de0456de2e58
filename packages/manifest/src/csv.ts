import { stringify } from 'csv-stringify/sync';
import { MANIFEST_FIELDS, type ManifestRow, psnrToWire } from './row.js';

/**
 * manifest.csv: RFC 4180 quoting by csv-stringify (fields holding a comma, a
 * quote, CR or LF are quoted, quotes doubled), "\n" record delimiters, UTF-8.
 * Null is an empty field; an infinite PSNR is the text "Infinity".
 * Values are written as they are: a key starting with "=" is not prefixed
 * (that would change the data), so spreadsheet users should import rather
 * than double-click files from untrusted sources.
 */
export const CSV_COLUMNS: readonly string[] = MANIFEST_FIELDS;

/** A UTF-8 byte-order mark: prepend it to the header for Excel to read accents. Optional. */
export const CSV_BOM = '\uFEFF';

const OPTIONS = { record_delimiter: '\n' } as const;

/** The header line, ending in "\n". */
export const CSV_HEADER: string = stringify([[...CSV_COLUMNS]], OPTIONS);

/** One CSV record (possibly spanning lines when a key holds a newline), ending in "\n". */
export function rowToCsvLine(row: ManifestRow): string {
  const cells = MANIFEST_FIELDS.map((field) => {
    const value = field === 'psnr' ? psnrToWire(row.psnr) : row[field];
    return value === null ? '' : String(value);
  });
  return stringify([cells], OPTIONS);
}
