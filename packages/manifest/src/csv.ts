import { stringify } from 'csv-stringify/sync';
import { MANIFEST_FIELDS, type ManifestRow, wireValue } from './row.js';
import { spreadsheetCell } from './visible-text.js';

/**
 * manifest.csv: RFC 4180 quoting by csv-stringify (fields holding a comma, a
 * quote, CR or LF are quoted, quotes doubled), "\n" record delimiters, UTF-8.
 * Null is an empty field; an infinite PSNR is the text "Infinity".
 * Text cells are made safe for spreadsheets (`spreadsheetCell`): a key
 * starting with `=`, `+`, `-` or `@` gets a leading `'`, and control, bidi and
 * zero-width characters are written as visible escapes. So a CSV key may
 * differ from the object's real key; manifest.jsonl always holds the exact key.
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
    const value = wireValue(row, field);
    if (value === null) return '';
    return typeof value === 'string' ? spreadsheetCell(value) : String(value);
  });
  return stringify([cells], OPTIONS);
}
