import type { HistogramBin } from '@kpress/manifest';
import { escapeHtml } from './escape.js';
import { formatAmount, formatCount } from './format.js';
import { niceMax, r1, svgOpen, svgText } from './svg.js';

export interface HistogramChartOptions {
  /** data-chart name. */
  chart: string;
  /** Accessible label and title. */
  label: string;
  /** Axis caption under the bins. */
  xCaption: string;
  width?: number;
  height?: number;
}

/** Vertical bars, one per bin, counts on the y axis. Empty bins stay as gaps with their label. */
export function histogramChart(bins: readonly HistogramBin[], o: HistogramChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 240;
  const left = 48;
  const right = 12;
  const top = 14;
  const bottom = 52;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...bins.map((b) => b.count)));
  const slot = plotW / Math.max(1, bins.length);
  const parts: string[] = [svgOpen(o.chart, width, height, o.label)];
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH * (1 - f);
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${r1(y)}" y2="${r1(y)}"/>`,
      svgText(left - 6, y + 4, formatAmount(max * f), { class: 'tick', 'text-anchor': 'end' }),
    );
  }
  bins.forEach((b, i) => {
    const h = (b.count / max) * plotH;
    const x = left + i * slot + slot * 0.12;
    const w = slot * 0.76;
    if (b.count > 0) {
      parts.push(
        `<rect class="bar" x="${r1(x)}" y="${r1(top + plotH - h)}" width="${r1(w)}" height="${r1(Math.max(h, 1))}"><title>${escapeHtml(b.label)}: ${formatCount(b.count)}</title></rect>`,
      );
    }
    parts.push(
      svgText(x + w / 2, top + plotH + 16, b.label, { class: 'tick', 'text-anchor': 'middle' }),
    );
  });
  parts.push(
    svgText(left + plotW / 2, height - 8, o.xCaption, {
      class: 'caption',
      'text-anchor': 'middle',
    }),
    '</svg>',
  );
  return parts.join('');
}
