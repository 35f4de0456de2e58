import type { ReportModel } from './report-model.js';
import { escapeTerminal } from './escape.js';
import { type FixityView, fixityLines } from './fixity.js';
import { formatAmount, formatBytes, formatCount, formatPercent, formatPsnr } from './format.js';
import { scaleFigures } from './scale.js';
import { scoreLines, scoreScaleLine } from './score-lines.js';
import { scoreHistogramLines, worstLines, wrapFigures } from './score-table.js';
import { intOption } from './int-option.js';

export interface RenderTableOptions {
  /** Line width in columns, 40..400; long keys are shortened in the middle. Default 80. */
  width?: number;
  /** ANSI colour (bold headings, green saving, red failures). Default false. */
  color?: boolean;
  /** Most failures listed (the rest are counted). Default 20. */
  maxFailures?: number;
  /** Most of the largest savings listed. Default 10. */
  maxLargest?: number;
  /** Most of the worst-scored images listed (lowest SSIMULACRA 2.1 first). Default 5. */
  maxWorst?: number;
  /** The batch's `kpress verify` runs (count and newest), when looked up. Default: not shown. */
  fixityRuns?: FixityView['runs'];
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  const head = Math.ceil((max - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

type Aggregate = ReportModel['aggregate'];

/** How the table's lines are drawn: their width, colour, headings and terminal-safe text. */
interface Pen {
  width: number;
  paint: (code: string, text: string) => string;
  bold: (text: string) => string;
  /** A line's name, bold and padded to 12 columns. */
  label: (name: string) => string;
  safe: (text: string) => string;
}

function pen(width: number, color: boolean): Pen {
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = (t: string) => paint('1', t);
  return {
    width,
    paint,
    bold,
    label: (name) => bold(name.padEnd(12)),
    safe: (t) => escapeTerminal(t),
  };
}

/** The batch, its source and destination, its times. */
function headerLines(s: ReportModel['summary'], p: Pen): string[] {
  return [
    p.bold(shorten(`kpress batch ${p.safe(s.batchId)}`, p.width)),
    shorten(`${p.safe(s.source)} -> ${p.safe(s.dest)}, ${s.colors} colours`, p.width),
    shorten(`${p.safe(s.startedAt)} .. ${p.safe(s.finishedAt)}`, p.width),
    '',
  ];
}

/** Images, bytes, saved, and when there are any: copies, missed quality targets, PSNR. */
function totalLines(a: Aggregate, p: Pen): string[] {
  const { label, paint } = p;
  const lines = [
    `${label('Images')}${formatCount(a.counts.total)} total: ${formatCount(a.counts.compressed)} compressed, ${formatCount(a.counts.keptOriginal)} kept original, ${a.counts.copied > 0 ? `${formatCount(a.counts.copied)} copied, ` : ''}${a.counts.skipped > 0 ? `${formatCount(a.counts.skipped)} skipped, ` : ''}${a.counts.failed > 0 ? paint('31', `${formatCount(a.counts.failed)} failed`) : '0 failed'}`,
    `${label('Bytes')}${formatBytes(a.bytes.original)} -> ${formatBytes(a.bytes.output)} (images that did not fail)`,
    `${label('Saved')}${paint('32', `${formatBytes(a.bytes.saved)} (${formatPercent(a.savedRatio)})`)}`,
  ];
  if (a.counts.copied + a.counts.skipped > 0) {
    lines.push(
      `${label('Copied')}${formatCount(a.counts.copied)} objects, ${formatBytes(a.bytes.copied)} byte for byte (not in the savings)${a.counts.skipped > 0 ? `; ${formatCount(a.counts.skipped)} skipped (--images-only)` : ''}`,
    );
  }
  if (a.counts.qualityMissed > 0) {
    lines.push(
      `${label('Quality')}${paint('33', `${formatCount(a.counts.qualityMissed)} missed the --quality target`)} (qualityMet false in the manifest; a larger --colors reaches more)`,
    );
  }
  if (a.psnr.count > 0) {
    lines.push(
      `${label('PSNR')}${a.psnr.mean === null ? '' : `mean ${formatPsnr(a.psnr.mean)}, min ${formatPsnr(a.psnr.min)}, max ${formatPsnr(a.psnr.max)}, `}${formatCount(a.psnr.lossless)} lossless`,
    );
  }
  return lines;
}

/** The SSIMULACRA 2.1 lines, their histogram and the lowest scores; none without scores. */
function scoreTableLines(a: Aggregate, p: Pen, maxWorst: number): string[] {
  const scores = scoreLines(a.ssimulacra2);
  if (scores.length === 0) return [];
  const { width, label, bold } = p;
  const lines: string[] = [];
  // wrapped, not shortened: a cut in the middle could drop part of a number
  const wrapped = [`SSIMULACRA 2.1 ${scores[0]}`, ...scores.slice(1), scoreScaleLine()].flatMap(
    (l) => wrapFigures(l, width - 12),
  );
  for (const [i, l] of wrapped.entries())
    lines.push(`${i === 0 ? label('Score') : ' '.repeat(12)}${l}`);
  lines.push('', bold('Scores'));
  for (const l of scoreHistogramLines(a, width - 2)) lines.push(`  ${l}`);
  const worst = worstLines(a, maxWorst, p.safe);
  if (worst.length > 0) {
    lines.push('', bold('Lowest scores'));
    const head = `${'score'.padStart(8)} ${'colours'.padStart(7)}  `;
    lines.push(`${head}image`);
    for (const w of worst)
      lines.push(
        `${w.score.padStart(8)} ${w.colors.padStart(7)}  ${shorten(w.key, Math.max(8, width - head.length))}`,
      );
  }
  return lines;
}

/** What 1 GB holds before and after, and the saving per million images; none when nothing succeeded. */
function scaleLines(a: Aggregate, p: Pen): string[] {
  const scale = scaleFigures(a);
  if (scale.imagesPerGbBefore === null) return [];
  return [
    `${p.label('At scale')}1 GB holds ${formatAmount(scale.imagesPerGbBefore)} images before, ${scale.imagesPerGbAfter === null ? 'unlimited' : formatAmount(scale.imagesPerGbAfter)} after`,
    `${' '.repeat(12)}${formatAmount(scale.gbSavedPerMillion ?? 0)} GB saved per million images`,
  ];
}

/** The first `maxLargest` of the largest savings. */
function largestLines(a: Aggregate, p: Pen, maxLargest: number): string[] {
  const largest = a.largestSavings.slice(0, maxLargest);
  if (largest.length === 0) return [];
  const head = `${'saved'.padStart(10)} ${'ratio'.padStart(6)} ${'PSNR'.padStart(9)}  `;
  const keyWidth = Math.max(8, p.width - head.length);
  return [
    '',
    p.bold('Largest savings'),
    `${head}image`,
    ...largest.map(
      (e) =>
        `${formatBytes(e.savedBytes).padStart(10)} ${formatPercent(e.savedRatio).padStart(6)} ${formatPsnr(e.psnr).padStart(9)}  ${shorten(p.safe(e.key), keyWidth)}`,
    ),
  ];
}

/** The first `maxFailures` failures with their reasons, and how many more. */
function failureLines(a: Aggregate, p: Pen, maxFailures: number): string[] {
  if (a.failures.total === 0) return [];
  const { width, safe } = p;
  const shown = a.failures.shown.slice(0, maxFailures);
  const lines = ['', p.bold(p.paint('31', `Failures (${formatCount(a.failures.total)})`))];
  for (const f of shown) {
    lines.push(`  ${shorten(safe(f.key), width - 2)}`);
    lines.push(`    ${shorten(safe(f.error), width - 4)}`);
  }
  const more = a.failures.total - shown.length;
  if (more > 0) lines.push(`  and ${formatCount(more)} more (see manifest.jsonl)`);
  return lines;
}

/** The fixity lines, with the verify runs when they were looked up; none without fixity figures. */
function fixityTableLines(a: Aggregate, p: Pen, runs: FixityView['runs'] | undefined): string[] {
  if (a.fixity === undefined) return [];
  const view = { ...a.fixity, ...(runs === undefined ? {} : { runs }) };
  const [first, ...rest] = fixityLines(view);
  return ['', `${p.label('Fixity')}${first}`, ...rest.map((l) => `${' '.repeat(12)}${p.safe(l)}`)];
}

/**
 * The plain-text report read first on a terminal: totals, saving, counts by
 * status, the largest savings, the failures with reasons. Keys and reasons
 * are made safe for a terminal (control characters shown escaped).
 */
export function renderTable(model: ReportModel, options: RenderTableOptions = {}): string {
  const width = intOption('width', options.width, 80, 40, 400);
  const maxFailures = intOption('maxFailures', options.maxFailures, 20, 0, 100_000);
  const maxLargest = intOption('maxLargest', options.maxLargest, 10, 0, 100_000);
  const maxWorst = intOption('maxWorst', options.maxWorst, 5, 0, 100_000);
  const color = options.color === true;
  const p = pen(width, color);
  const { summary: s, aggregate: a } = model;
  const lines = [
    ...headerLines(s, p),
    ...totalLines(a, p),
    ...scoreTableLines(a, p, maxWorst),
    ...scaleLines(a, p),
    ...largestLines(a, p, maxLargest),
    ...failureLines(a, p, maxFailures),
    ...fixityTableLines(a, p, options.fixityRuns),
  ];
  // Lines still too long (summary lines on a narrow terminal) are cut at the end;
  // with colour on, escape codes make lengths approximate, so lines are left whole.
  const fitted = color
    ? lines
    : lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  return `${fitted.join('\n')}\n`;
}
