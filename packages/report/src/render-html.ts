import type { ReportModel, ReportSample } from './report-model.js';
import { colourCloudChart, PROJECTIONS } from './chart-colour-cloud.js';
import { histogramChart } from './chart-histogram.js';
import { imageBarsChart } from './chart-image-bars.js';
import { scatterChart } from './chart-scatter.js';
import { escapeHtml, safeImageDataUri } from './escape.js';
import { fixityLines } from './fixity.js';
import { scoreLines, scoreScaleLine } from './score-lines.js';
import { formatAmount, formatBytes, formatCount, formatPercent, formatPsnr } from './format.js';
import { scaleFigures } from './scale.js';
import { STYLES } from './styles.js';
import { worstCasesHtml } from './worst-cases-html.js';

export interface RenderHtmlOptions {
  /** Most images shown in detail (before/after, colour space). Default 12. */
  maxSamples?: number;
  /** Most source pixels drawn per colour-space projection. Default 1,500. */
  cloudPoints?: number;
  /** Batches with at most this many images get one bar per image instead of a histogram. Default 30. */
  barsUpTo?: number;
  /** Most failures listed (the rest are counted). Default 200. */
  maxFailures?: number;
}

/**
 * Forbids every fetch: the page is self-contained (inline styles, inline
 * SVG, data: images) and the browser enforces that nothing else loads.
 */
const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

function intOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  }
  return value;
}

function card(title: string, big: string, sub: string, cls = ''): string {
  return `<div class="card ${cls}"><h3>${escapeHtml(title)}</h3><div class="big">${escapeHtml(big)}</div><div class="sub">${escapeHtml(sub)}</div></div>`;
}

function image(label: string, uri: string | null, cls: string, alt: string): string {
  const safe = safeImageDataUri(uri);
  const body = safe
    ? `<img src="${safe}" alt="${escapeHtml(alt)}">`
    : '<div class="noimg">no preview</div>';
  return `<div class="${cls}"><span>${escapeHtml(label)}</span>${body}</div>`;
}

function sampleCard(s: ReportSample, cloudPoints: number): string {
  const saved =
    s.outputBytes === null
      ? ''
      : ` · saved ${formatBytes(s.originalBytes - s.outputBytes)} (${formatPercent(s.originalBytes > 0 ? (s.originalBytes - s.outputBytes) / s.originalBytes : 0)})`;
  const facts = `${formatBytes(s.originalBytes)} → ${s.outputBytes === null ? '–' : formatBytes(s.outputBytes)}${saved} · ${formatPsnr(s.psnr)} · ${s.colors ?? '–'} colours`;
  const clouds =
    s.points.length > 0 || s.palette.length > 0
      ? `<div class="clouds">${PROJECTIONS.map((p) => colourCloudChart(s.points, s.palette, p, { maxPoints: cloudPoints })).join('')}</div><div class="muted" style="font-size:12px;margin-top:4px">source pixels (small squares, ${formatCount(s.points.length / 3)} sampled) and the palette (ringed dots, ${formatCount(s.palette.length / 3)})</div>`
      : '';
  const note = s.previewError
    ? `<div class="muted" style="font-size:12px">${escapeHtml(s.previewError)}</div>`
    : '';
  return `<article class="sample"><div><span class="badge ${escapeHtml(s.status)}">${escapeHtml(s.status)}</span> <span class="key">${escapeHtml(s.key)}</span></div><div class="muted" style="font-size:13px">${escapeHtml(facts)}</div><div class="pair">${image('before', s.beforeDataUri, 'before', `original ${s.key}`)}${image('after', s.afterDataUri, 'after', `palette PNG of ${s.key}`)}</div>${clouds}${note}</article>`;
}

type Aggregate = ReportModel['aggregate'];

/** The cards under the title: saved, before, after, images, copied (when any), PSNR. */
function cardsHtml(a: Aggregate, succeeded: number): string {
  return [
    card(
      'Saved',
      formatBytes(a.bytes.saved),
      `${formatPercent(a.savedRatio)} of the original bytes`,
      'saved',
    ),
    card(
      'Before',
      formatBytes(a.bytes.original),
      `${formatCount(succeeded)} images that did not fail`,
    ),
    card('After', formatBytes(a.bytes.output), 'palette PNGs and kept originals'),
    card(
      'Images',
      formatCount(a.counts.total),
      `${formatCount(a.counts.compressed)} compressed · ${formatCount(a.counts.keptOriginal)} kept original · ${a.counts.copied > 0 ? `${formatCount(a.counts.copied)} copied · ` : ''}${a.counts.skipped > 0 ? `${formatCount(a.counts.skipped)} skipped · ` : ''}${formatCount(a.counts.failed)} failed${a.counts.qualityMissed > 0 ? ` · ${formatCount(a.counts.qualityMissed)} missed the quality target` : ''}`,
    ),
    ...(a.counts.copied + a.counts.skipped > 0
      ? [
          card(
            'Copied',
            formatBytes(a.bytes.copied),
            `${formatCount(a.counts.copied)} objects copied byte for byte (not images kpress compresses; not in the savings)${a.counts.skipped > 0 ? ` · ${formatCount(a.counts.skipped)} skipped (--images-only)` : ''}`,
          ),
        ]
      : []),
    card(
      'PSNR',
      a.psnr.mean === null
        ? a.psnr.lossless > 0
          ? 'lossless'
          : '–'
        : `${a.psnr.mean.toFixed(1)} dB`,
      a.psnr.min === null
        ? `${formatCount(a.psnr.lossless)} lossless`
        : `mean · min ${formatPsnr(a.psnr.min)} · max ${formatPsnr(a.psnr.max)} · ${formatCount(a.psnr.lossless)} lossless`,
    ),
  ].join('');
}

/** "At scale": what 1 GB holds before and after, and what a million such images save. */
function scaleHtml(a: Aggregate): string {
  const scale = scaleFigures(a);
  return scale.imagesPerGbBefore === null
    ? 'No image succeeded, so there is nothing to extrapolate.'
    : `At scale: 1 GB holds about <b>${escapeHtml(formatAmount(scale.imagesPerGbBefore))}</b> such images before and <b>${escapeHtml(scale.imagesPerGbAfter === null ? '∞' : formatAmount(scale.imagesPerGbAfter))}</b> after; a million of them would save <b>${escapeHtml(formatAmount(scale.gbSavedPerMillion ?? 0))} GB</b> (mean ${escapeHtml(formatBytes(scale.meanBytesBefore ?? 0))} → ${escapeHtml(formatBytes(scale.meanBytesAfter ?? 0))} per image).`;
}

/** The fixity line; empty when the batch has no fixity figures. */
function fixityHtml(a: Aggregate): string {
  return a.fixity === undefined
    ? ''
    : `<p class="meta">Fixity: ${fixityLines(a.fixity).map(escapeHtml).join('; ')}.</p>`;
}

/** The SSIMULACRA 2.1 line; empty when no row carries a score. */
function scoreHtml(a: Aggregate): string {
  const scores = scoreLines(a.ssimulacra2);
  return scores.length === 0
    ? ''
    : `<p class="meta">SSIMULACRA 2.1: ${[...scores, scoreScaleLine()].map(escapeHtml).join('; ')}.</p>`;
}

/** The charts: savings (bars per image for small complete batches), PSNR against saving, palette sizes, PSNR and, when scored, SSIMULACRA 2.1. */
function chartsHtml(a: Aggregate, succeeded: number, barsUpTo: number): string {
  const scoreChart =
    scoreLines(a.ssimulacra2).length === 0
      ? ''
      : `\n<figure>${histogramChart(a.ssimulacra2Histogram, { chart: 'ssimulacra2', label: 'Images by SSIMULACRA 2.1 score', xCaption: 'SSIMULACRA 2.1 (bands of the scale)' })}<figcaption>Perceptual quality: SSIMULACRA 2.1 of output against source; 80 and up is not noticeable side by side, 90 and up visually lossless.</figcaption></figure>`;

  const complete = a.sample.length === succeeded;
  const savingsChart =
    complete && succeeded > 0 && succeeded <= barsUpTo
      ? imageBarsChart(a.sample)
      : histogramChart(a.savedRatioHistogram, {
          chart: 'savings',
          label: 'Images by saved ratio',
          xCaption: 'saved ratio per image',
        });
  const sampleNote = complete
    ? `all ${formatCount(succeeded)} images`
    : `a sample of ${formatCount(a.sample.length)} of ${formatCount(succeeded)} images`;

  return `<div class="charts">
<figure>${savingsChart}<figcaption>Saving per image (${escapeHtml(formatCount(succeeded))} images that did not fail).</figcaption></figure>
<figure>${scatterChart(a.sample)}<figcaption>PSNR against saving, ${escapeHtml(sampleNote)}; lossless results on the ∞ line; orange: kept original.</figcaption></figure>
<figure>${histogramChart(a.colorHistogram, { chart: 'colors', label: 'Images by palette size', xCaption: 'colours in the palette' })}<figcaption>Palette sizes written.</figcaption></figure>
<figure>${histogramChart(a.psnrHistogram, { chart: 'psnr', label: 'Images by PSNR', xCaption: 'PSNR' })}<figcaption>Quality: PSNR of output against source.</figcaption></figure>${scoreChart}
</div>`;
}

/** The table of the largest savings. */
function largestHtml(a: Aggregate): string {
  return a.largestSavings.length === 0
    ? '<p class="muted">No savings.</p>'
    : `<table><thead><tr><th>image</th><th class="num">before</th><th class="num">after</th><th class="num">saved</th><th class="num">PSNR</th><th class="num">colours</th></tr></thead><tbody>${a.largestSavings
        .map(
          (e) =>
            `<tr><td class="key">${escapeHtml(e.key)}</td><td class="num">${escapeHtml(formatBytes(e.originalBytes))}</td><td class="num">${escapeHtml(formatBytes(e.outputBytes))}</td><td class="num">${escapeHtml(formatBytes(e.savedBytes))} (${escapeHtml(formatPercent(e.savedRatio))})</td><td class="num">${escapeHtml(formatPsnr(e.psnr))}</td><td class="num">${e.colors ?? '–'}</td></tr>`,
        )
        .join('')}</tbody></table>`;
}

/** Before and after of the first `maxSamples` samples; empty without samples. */
function samplesHtml(model: ReportModel, maxSamples: number, cloudPoints: number): string {
  const samples = model.samples.slice(0, maxSamples);
  return samples.length === 0
    ? ''
    : `<h2>Before and after</h2><div class="samples">${samples.map((x) => sampleCard(x, cloudPoints)).join('')}</div>`;
}

/** The first `maxFailures` failures and how many more; empty without failures. */
function failuresHtml(a: Aggregate, maxFailures: number): string {
  const shown = a.failures.shown.slice(0, maxFailures);
  const more = a.failures.total - shown.length;
  return a.failures.total === 0
    ? ''
    : `<h2>Failures (${escapeHtml(formatCount(a.failures.total))})</h2><ul class="failures">${shown
        .map(
          (f) =>
            `<li><span class="key">${escapeHtml(f.key)}</span><br><span class="reason">${escapeHtml(f.error)}</span></li>`,
        )
        .join(
          '',
        )}${more > 0 ? `<li class="muted">and ${escapeHtml(formatCount(more))} more (see manifest.jsonl)</li>` : ''}</ul>`;
}

/**
 * The whole report.html: one self-contained page, no network (a CSP forbids
 * it), every string from data escaped. Its size depends on the bounded
 * aggregate and the samples, never on the number of rows.
 */
export function renderReportHtml(model: ReportModel, options: RenderHtmlOptions = {}): string {
  const maxSamples = intOption('maxSamples', options.maxSamples, 12);
  const cloudPoints = intOption('cloudPoints', options.cloudPoints, 1500);
  const barsUpTo = intOption('barsUpTo', options.barsUpTo, 30);
  const maxFailures = intOption('maxFailures', options.maxFailures, 200);
  const { summary: s, aggregate: a } = model;
  const succeeded = a.counts.compressed + a.counts.keptOriginal;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kpress report · ${escapeHtml(s.batchId)}</title>
<style>${STYLES}</style>
</head>
<body>
<main>
<h1>kpress savings report</h1>
<p class="meta">batch <code>${escapeHtml(s.batchId)}</code> · <code>${escapeHtml(s.source)}</code> → <code>${escapeHtml(s.dest)}</code> · ${escapeHtml(s.colors)} colours asked</p>
<p class="meta">${escapeHtml(s.startedAt)} – ${escapeHtml(s.finishedAt)}</p>
<div class="cards">${cardsHtml(a, succeeded)}</div>
<p class="scale">${scaleHtml(a)}</p>
${scoreHtml(a)}
${fixityHtml(a)}
<h2>Charts</h2>
${chartsHtml(a, succeeded, barsUpTo)}
<h2>Largest savings</h2>
${largestHtml(a)}
${worstCasesHtml(model.worst)}
${samplesHtml(model, maxSamples, cloudPoints)}
${failuresHtml(a, maxFailures)}
<footer>Generated by kpress. Sizes in decimal units (1 GB = 10⁹ bytes). Bytes count the images that did not fail.</footer>
</main>
</body>
</html>
`;
}
