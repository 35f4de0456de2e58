/**
 * The scores in the terminal table: a text histogram by the bands of the
 * scale and the worst-scored images. Pure; the caller escapes keys.
 */
import type { ReportAggregate } from '@kpress/manifest';
import { formatCount } from './format.js';

/** Lines of `#` bars, one per bin of the score histogram; none when nothing was scored. */
export function scoreHistogramLines(
  a: Pick<ReportAggregate, 'ssimulacra2Histogram' | 'ssimulacra2'>,
  width: number,
): string[] {
  if (a.ssimulacra2.count === 0) return [];
  const bins = a.ssimulacra2Histogram;
  const most = Math.max(1, ...bins.map((b) => b.count));
  const label = Math.max(...bins.map((b) => b.label.length));
  const count = Math.max(...bins.map((b) => formatCount(b.count).length));
  const barWidth = Math.max(1, Math.min(40, width - (label + count + 4)));
  return bins.map((b) => {
    const bar =
      b.count === 0 ? '' : '#'.repeat(Math.max(1, Math.round((b.count / most) * barWidth)));
    return `${b.label.padStart(label)}  ${formatCount(b.count).padStart(count)}  ${bar}`.trimEnd();
  });
}

/** The worst-scored images, lowest first: `score  colours  key` (keys passed through `safe`). */
export function worstLines(
  a: Pick<ReportAggregate, 'worst'>,
  max: number,
  safe: (key: string) => string,
): { score: string; colors: string; key: string }[] {
  return a.worst.slice(0, max).map((w) => ({
    score: w.score.toFixed(2),
    colors: w.colors === null ? '–' : String(w.colors),
    key: safe(w.key),
  }));
}

/**
 * Lines of at most `max` characters from a list of figures (`a 1, b 2, ...`):
 * broken after a comma, or between words when one figure is longer than a
 * line, so that no number is ever cut. A word longer than `max` alone (not
 * in these lines at the table's smallest width) is cut with "…".
 */
export function wrapFigures(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  const put = (word: string) => {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= max) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  };
  for (const figure of text.split(/(?<=,) /)) {
    if (figure.length <= max) put(figure);
    else for (const word of figure.split(' ')) put(word);
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => (l.length <= max ? l : `${l.slice(0, Math.max(0, max - 1))}…`));
}
