import { basename } from 'node:path';
import type { RunResult, SystemName } from './measure.js';

/** The encoder comparison's columns, in order: kpress's efforts, the zlib it replaced, sharp, pngquant. */
export const ENCODER_SYSTEMS: readonly SystemName[] = [
  'kpress-effort1',
  'kpress-effort2',
  'kpress',
  'kpress-effort4',
  'kpress-effort5',
  'kpress-zlib',
  'sharp-effort1',
  'sharp',
  'pngquant',
];

const label = (s: SystemName) =>
  s === 'kpress'
    ? 'effort3'
    : s === 'sharp'
      ? 'sharp-e7'
      : s.replace(/^kpress-|-effort/, (m) => (m === 'kpress-' ? '' : '-e'));

/** Per image and k: CPU ms / bytes of each encoder in one run (pngquant: wall ms, a process). */
export function encoderTable(results: RunResult[]): string {
  const keys = [...new Set(results.map((r) => `${r.image}\u0000${r.colors}`))];
  const present = ENCODER_SYSTEMS.filter((s) => results.some((r) => r.system === s));
  const rows = [['image', 'k', ...present.map(label)]];
  for (const key of keys) {
    const [image, k] = key.split('\u0000') as [string, string];
    const cells = present.map((s) => {
      const r = results.find((x) => x.system === s && x.image === image && String(x.colors) === k);
      if (!r || !Number.isFinite(r.bytes)) return '-';
      const ms = s === 'pngquant' ? r.endToEndMs : r.cpuMs;
      return `${Math.round(ms)} ms ${r.bytes}`;
    });
    if (cells.every((c) => c === '-')) continue;
    rows.push([basename(image), k, ...cells]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((v, c) => (c < 2 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}
