import { formatBytes, formatCount, formatPercent } from '@kpress/report';
import { batchOptionFlags } from '@kpress/storage';
import type { DestBatch } from './batch-list.js';
import type { BatchStatus } from './batch-status.js';

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The lines `kpress status` prints for one batch. */
export function statusLines(s: BatchStatus): string[] {
  const head = `batch ${s.batchId}  ${s.source} -> ${s.dest}  ${s.state}`;
  const of = s.listed === undefined ? 'listing' : formatCount(s.listed);
  const counts = [
    `listed ${of}`,
    `done ${s.done === undefined ? '?' : formatCount(s.done)}`,
    `queued ${formatCount(s.queued)}`,
    `active ${formatCount(s.active)}`,
  ];
  if (s.stalled > 0) {
    counts.push(
      `stalled ${formatCount(s.stalled)} (held by a worker that stopped answering: back in the queue within ${s.stalledBackInS ?? '?'} s)`,
    );
  }
  counts.push(`failed ${formatCount(s.failed)}`);
  const pace =
    s.ratePerS === undefined
      ? []
      : [
          `${s.ratePerS.toFixed(1)} img/s`,
          `ETA ${s.etaS === undefined ? '?' : formatDuration(s.etaS)}`,
        ];
  const tail = [...pace, `workers ${s.workers}`, `finalize: ${s.finalize}`];
  const lines = [head, `  ${counts.join(', ')}`, `  ${tail.join(', ')}`];
  if (s.workers === 0 && s.state !== 'finished' && s.state !== 'cancelled') {
    lines.push('  no worker is connected to the queue: start one with `kpress worker`');
  }
  if (s.cancelledAt !== undefined) {
    lines.push(
      `  cancelled at ${s.cancelledAt}: \`kpress enqueue\` with the batch's arguments resumes it`,
    );
  }
  return lines;
}

/** The lines `kpress batches` prints: one per batch, newest last. */
export function batchesLines(
  batches: readonly DestBatch[],
  stateOf: (b: DestBatch) => string,
): string[] {
  if (batches.length === 0) return ['no batches'];
  return batches.map((b) => {
    const options = batchOptionFlags(b.batch.options).join(' ');
    const saved =
      b.summary === undefined
        ? ''
        : `  ${formatCount(b.summary.counts.total)} objects, ${formatBytes(b.summary.bytes.original)} -> ${formatBytes(b.summary.bytes.output)} (saved ${formatPercent(b.summary.savedRatio)}), ${formatCount(b.summary.counts.failed)} failed`;
    const keys =
      b.batch.keyList === undefined ? '' : ` --${b.batch.keyList.kind} ${b.batch.keyList.url}`;
    return `${b.batch.batchId}  ${b.batch.createdAt}  ${stateOf(b)}  ${b.batch.source} ${options}${keys}${saved}`;
  });
}
