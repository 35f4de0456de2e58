import { CROP_GAP, type WorstCase } from './report-model.js';
import { escapeHtml, safeImageDataUri } from './escape.js';
import { formatBytes } from './format.js';

function worstCard(w: WorstCase): string {
  const facts = `SSIMULACRA 2.1 ${w.score.toFixed(2)} · ${w.colors ?? '–'} colours · ${formatBytes(w.originalBytes)} → ${formatBytes(w.outputBytes)}`;
  const uri = safeImageDataUri(w.cropDataUri);
  const where =
    w.region === null
      ? ''
      : ` at ${w.region.x},${w.region.y} (${w.region.width}×${w.region.height} px)`;
  const body =
    uri === null
      ? `<div class="noimg">${escapeHtml(w.note ?? 'the crop could not be made')}</div>`
      : `<img class="crop" src="${uri}" width="${(w.region?.width ?? 0) * 2 + CROP_GAP}" height="${w.region?.height ?? 0}" alt="${escapeHtml(`original and output of ${w.key}`)}">`;
  return `<figure class="worst"><figcaption><span class="key">${escapeHtml(w.key)}</span><br><span class="muted">${escapeHtml(facts + where)}</span></figcaption>${body}</figure>`;
}

/**
 * The worst cases: the compressed images with the lowest scores, lowest
 * first, each as its original beside its output at 1:1 where they differ
 * most; empty when there are none.
 */
export function worstCasesHtml(worst: readonly WorstCase[] | undefined): string {
  if (worst === undefined || worst.length === 0) return '';
  return `<h2>Worst cases (${worst.length} lowest scores)</h2><p class="meta">Each image: the original (left) and the output (right) at 1:1, no scaling, cut where they differ most.</p><div class="worst-cases">${worst.map(worstCard).join('')}</div>`;
}
