/**
 * The fixity part of the report: digests recorded, and the `kpress verify`
 * runs of the batch with their outcome. Pure.
 */
import { formatCount } from './format.js';

/** One recorded `kpress verify` run (the fields of its fixity event the report shows). */
export interface FixityRun {
  startedAt: string;
  deep: boolean;
  clean: boolean;
  /** Problems by kind. */
  problems: Record<string, number>;
}

/** What the report says about fixity. */
export interface FixityView {
  outputs: number;
  outputDigests: number;
  /** All runs counted; `last` the newest. Undefined: not looked up (report.html, written at finalize). */
  runs?: { count: number; last: FixityRun | undefined };
}

/** Lines of plain text (the caller escapes them for HTML). */
export function fixityLines(f: FixityView): string[] {
  const lines = [
    `${formatCount(f.outputDigests)} of ${formatCount(f.outputs)} outputs carry a SHA-256 (manifest-sha256.txt, sha256sum -c)`,
  ];
  if (f.runs === undefined) {
    lines.push('check the archive at any time with kpress verify');
  } else if (f.runs.last === undefined) {
    lines.push('never verified: run kpress verify before deleting the originals');
  } else {
    const l = f.runs.last;
    const outcome = l.clean
      ? 'clean'
      : Object.entries(l.problems)
          .map(([kind, n]) => `${formatCount(n)} ${kind}`)
          .join(', ');
    lines.push(
      `verified ${formatCount(f.runs.count)} time${f.runs.count === 1 ? '' : 's'}; last ${l.startedAt}${l.deep ? ' (deep)' : ''}: ${outcome}`,
    );
  }
  return lines;
}
