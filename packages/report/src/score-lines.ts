/**
 * The SSIMULACRA 2.1 part of the report: the distribution summary.json gives
 * (min, 5th percentile, median, rows below each band), as plain text lines
 * (the caller escapes them for HTML). Pure.
 */
import type { ScoreDistribution } from '@kpress/manifest';
import { formatCount } from './format.js';

/** The scale's names for the bands (the metric's authors). */
const BAND_NAMES: Record<string, string> = {
  '30': 'low',
  '50': 'medium',
  '70': 'high',
  '80': 'not noticeable side by side',
  '85': 'excellent',
  '90': 'visually lossless',
};

/** Lines describing the scores; none when no row has one (older batches, nothing compressed). */
export function scoreLines(d: ScoreDistribution | undefined): string[] {
  if (d === undefined || d.count === 0 || d.min === null) return [];
  const n = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  const bands = Object.entries(d.below)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([band, count]) => `${formatCount(count)} < ${band}`)
    .join(', ');
  return [
    `min ${n(d.min)}, 5th percentile ${n(d.p5)}, median ${n(d.median)} (${formatCount(d.count)} scored)`,
    `below the bands: ${bands}`,
  ];
}

/** The band names, for a legend: `80 not noticeable side by side, ...`. */
export function scoreScaleLine(): string {
  return `scale: ${Object.entries(BAND_NAMES)
    .map(([band, name]) => `${band} ${name}`)
    .join(', ')}, 100 identical`;
}
