import { basename } from 'node:path';
import type { RunResult } from './measure.js';

function cell(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((v, c) => (c < 2 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}

/** One row per (image, k, system), with kpress's ratios on its own rows. */
export function resultsTable(results: RunResult[]): string {
  const rows = [
    [
      'image',
      'system',
      'k',
      'colours',
      'MP',
      'e2e ms',
      'quant ms',
      'ms/MP',
      'PSNR dB',
      'bytes',
      'RSS MB',
      'iters',
    ],
  ];
  for (const r of results) {
    rows.push([
      basename(r.image),
      `${r.system}${r.extrapolated ? '*' : ''}`,
      String(r.colors),
      String(r.colorsUsed),
      cell(r.megapixels, 2),
      cell(r.endToEndMs),
      cell(r.quantizeMs),
      cell(r.quantizeMs / r.megapixels),
      cell(r.psnr, 2),
      Number.isFinite(r.bytes) ? String(r.bytes) : '-',
      cell(r.peakRssMb, 0),
      cell(r.iterations, 0),
    ]);
  }
  return pad(rows);
}

/** kpress against each other system, per image and k. */
export function ratiosTable(results: RunResult[]): string {
  const rows = [
    [
      'image',
      'k',
      'speed vs sharp',
      'vs textbook',
      'dPSNR sharp',
      'dPSNR pngquant',
      'dPSNR Lloyd',
      'bytes/sharp',
    ],
  ];
  const find = (s: string, r: RunResult) =>
    results.find((x) => x.system === s && x.image === r.image && x.colors === r.colors);
  for (const r of results.filter((x) => x.system === 'kpress')) {
    const sh = find('sharp', r);
    const pq = find('pngquant', r);
    const fl = find('full-lloyd', r);
    const tb = find('textbook', r);
    rows.push([
      basename(r.image),
      String(r.colors),
      sh ? `${cell(sh.endToEndMs / r.endToEndMs, 2)}x` : '-',
      tb ? `${cell(tb.quantizeMs / r.quantizeMs, 1)}x${tb.extrapolated ? '*' : ''}` : '-',
      sh ? cell(r.psnr - sh.psnr, 3) : '-',
      pq ? cell(r.psnr - pq.psnr, 3) : '-',
      fl ? cell(r.psnr - fl.psnr, 3) : '-',
      sh ? cell(r.bytes / sh.bytes, 3) : '-',
    ]);
  }
  return pad(rows);
}
