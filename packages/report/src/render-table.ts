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
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = (t: string) => paint('1', t);
  const { summary: s, aggregate: a } = model;
  const safe = (t: string) => escapeTerminal(t);
  const lines: string[] = [];
  const label = (name: string) => bold(name.padEnd(12));

  lines.push(bold(shorten(`kpress batch ${safe(s.batchId)}`, width)));
  lines.push(shorten(`${safe(s.source)} -> ${safe(s.dest)}, ${s.colors} colours`, width));
  lines.push(shorten(`${safe(s.startedAt)} .. ${safe(s.finishedAt)}`, width));
  lines.push('');
  lines.push(
    `${label('Images')}${formatCount(a.counts.total)} total: ${formatCount(a.counts.compressed)} compressed, ${formatCount(a.counts.keptOriginal)} kept original, ${a.counts.copied > 0 ? `${formatCount(a.counts.copied)} copied, ` : ''}${a.counts.skipped > 0 ? `${formatCount(a.counts.skipped)} skipped, ` : ''}${a.counts.failed > 0 ? paint('31', `${formatCount(a.counts.failed)} failed`) : '0 failed'}`,
  );
  lines.push(
    `${label('Bytes')}${formatBytes(a.bytes.original)} -> ${formatBytes(a.bytes.output)} (images that did not fail)`,
  );
  lines.push(
    `${label('Saved')}${paint('32', `${formatBytes(a.bytes.saved)} (${formatPercent(a.savedRatio)})`)}`,
  );
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
  const scores = scoreLines(a.ssimulacra2);
  if (scores.length > 0) {
    // wrapped, not shortened: a cut in the middle could drop part of a number
    const wrapped = [`SSIMULACRA 2.1 ${scores[0]}`, ...scores.slice(1), scoreScaleLine()].flatMap(
      (l) => wrapFigures(l, width - 12),
    );
    for (const [i, l] of wrapped.entries())
      lines.push(`${i === 0 ? label('Score') : ' '.repeat(12)}${l}`);
    lines.push('', bold('Scores'));
    for (const l of scoreHistogramLines(a, width - 2)) lines.push(`  ${l}`);
    const worst = worstLines(a, maxWorst, safe);
    if (worst.length > 0) {
      lines.push('', bold('Lowest scores'));
      const head = `${'score'.padStart(8)} ${'colours'.padStart(7)}  `;
      lines.push(`${head}image`);
      for (const w of worst)
        lines.push(
          `${w.score.padStart(8)} ${w.colors.padStart(7)}  ${shorten(w.key, Math.max(8, width - head.length))}`,
        );
    }
  }
  const scale = scaleFigures(a);
  if (scale.imagesPerGbBefore !== null) {
    lines.push(
      `${label('At scale')}1 GB holds ${formatAmount(scale.imagesPerGbBefore)} images before, ${scale.imagesPerGbAfter === null ? 'unlimited' : formatAmount(scale.imagesPerGbAfter)} after`,
      `${' '.repeat(12)}${formatAmount(scale.gbSavedPerMillion ?? 0)} GB saved per million images`,
    );
  }

  const largest = a.largestSavings.slice(0, maxLargest);
  if (largest.length > 0) {
    lines.push('', bold('Largest savings'));
    const head = `${'saved'.padStart(10)} ${'ratio'.padStart(6)} ${'PSNR'.padStart(9)}  `;
    lines.push(`${head}image`);
    const keyWidth = Math.max(8, width - head.length);
    for (const e of largest) {
      lines.push(
        `${formatBytes(e.savedBytes).padStart(10)} ${formatPercent(e.savedRatio).padStart(6)} ${formatPsnr(e.psnr).padStart(9)}  ${shorten(safe(e.key), keyWidth)}`,
      );
    }
  }

  if (a.failures.total > 0) {
    const shown = a.failures.shown.slice(0, maxFailures);
    lines.push('', bold(paint('31', `Failures (${formatCount(a.failures.total)})`)));
    for (const f of shown) {
      lines.push(`  ${shorten(safe(f.key), width - 2)}`);
      lines.push(`    ${shorten(safe(f.error), width - 4)}`);
    }
    const more = a.failures.total - shown.length;
    if (more > 0) lines.push(`  and ${formatCount(more)} more (see manifest.jsonl)`);
  }
  if (a.fixity !== undefined) {
    const view = {
      ...a.fixity,
      ...(options.fixityRuns === undefined ? {} : { runs: options.fixityRuns }),
    };
    const [first, ...rest] = fixityLines(view);
    lines.push('', `${label('Fixity')}${first}`);
    for (const l of rest) lines.push(`${' '.repeat(12)}${safe(l)}`);
  }
  // Lines still too long (summary lines on a narrow terminal) are cut at the end;
  // with colour on, escape codes make lengths approximate, so lines are left whole.
  const fitted = color
    ? lines
    : lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  return `${fitted.join('\n')}\n`;
}
