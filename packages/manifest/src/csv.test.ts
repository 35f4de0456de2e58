import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_BOM, CSV_COLUMNS, CSV_HEADER, rowToCsvLine } from './csv.js';
import { spreadsheetCell } from './visible-text.js';
import type { ManifestRow } from './row.js';

function row(key: string, extra: Partial<ManifestRow> = {}): ManifestRow {
  return {
    key,
    status: 'compressed',
    originalBytes: 2048,
    outputKey: `out/${key}.png`,
    outputBytes: 512,
    width: 10,
    height: 20,
    colors: 8,
    psnr: 31.25,
    ms: 7,
    error: null,
    ...extra,
  };
}

const hostileKeys = [
  'plain.jpg',
  'with,comma.jpg',
  'with "quotes".jpg',
  'line\nbreak.jpg',
  'crlf\r\nbreak.jpg',
  'café/naïve – 東京.jpg',
  ' leading and trailing space ',
  '=SUM(A1).jpg',
  '"',
  ',',
];

describe('CSV', () => {
  it('has a header naming every contract field', () => {
    expect(CSV_HEADER).toBe(
      'key,status,originalBytes,outputKey,outputBytes,width,height,colors,psnr,ms,error,sha256,outputSha256,etag,sourceDeleted,qualityMet,ssimulacra2,bitDepth\n',
    );
    expect(CSV_COLUMNS).toHaveLength(18);
    expect(CSV_COLUMNS.at(-1)).toBe('bitDepth');
  });

  it('round-trips hostile keys and reasons through csv-parse', () => {
    const rows = hostileKeys.map((k, i) =>
      i % 2 === 0
        ? row(k)
        : row(k, {
            status: 'failed',
            outputKey: null,
            outputBytes: null,
            width: null,
            height: null,
            colors: null,
            psnr: null,
            error: `bad, "really" bad\n${k}`,
          }),
    );
    const text = CSV_BOM + CSV_HEADER + rows.map(rowToCsvLine).join('');
    const records = parse(text, { columns: true, bom: true }) as Record<string, string>[];
    expect(records).toHaveLength(rows.length);
    records.forEach((rec, i) => {
      const r = rows[i] as ManifestRow;
      expect(rec.key).toBe(spreadsheetCell(r.key));
      expect(rec.outputKey).toBe(r.outputKey === null ? '' : spreadsheetCell(r.outputKey));
      expect(rec.error).toBe(r.error === null ? '' : spreadsheetCell(r.error));
      expect(rec.sourceDeleted).toBe('false');
      expect(rec.status).toBe(r.status);
      expect(rec.psnr).toBe(r.psnr === null ? '' : String(r.psnr));
    });
  });

  it('quotes only what needs quoting', () => {
    expect(rowToCsvLine(row('plain.jpg'))).toBe(
      'plain.jpg,compressed,2048,out/plain.jpg.png,512,10,20,8,31.25,7,,,,,false,,,\n',
    );
    expect(rowToCsvLine(row('a,"b"'))).toMatch(/^"a,""b""",/);
  });

  it('keeps cells from running as formulas and shows hidden characters', () => {
    const cells = (key: string) =>
      (
        parse(CSV_HEADER + rowToCsvLine(row(key, { sourceDeleted: true })), {
          columns: true,
        }) as Record<string, string>[]
      )[0] as Record<string, string>;
    expect(cells('=SUM(A1).jpg').key).toBe("'=SUM(A1).jpg");
    for (const lead of ['+', '-', '@']) expect(cells(`${lead}x`).key).toBe(`'${lead}x`);
    expect(cells('a=b').key).toBe('a=b');
    expect(cells('esc\u001b[2J\u202egnp.jpg').key).toBe('esc\\x1b[2J\\u202egnp.jpg');
    expect(cells('line\nbreak').key).toBe('line\\nbreak');
    expect(cells('x').sourceDeleted).toBe('true');
  });

  it('writes Infinity for a lossless PSNR', () => {
    const rec = parse(CSV_HEADER + rowToCsvLine(row('x', { psnr: Number.POSITIVE_INFINITY })), {
      columns: true,
    }) as Record<string, string>[];
    expect(rec[0]?.psnr).toBe('Infinity');
  });
});
