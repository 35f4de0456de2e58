import type { SamplePoint } from '@kpress/manifest';
import { escapeHtml } from './escape.js';
import { formatPercent, formatPsnr } from './format.js';
import { r1, svgOpen, svgText } from './svg.js';

/** PSNR (y) against saved ratio (x), one dot per sampled image; lossless on a top band marked ∞. */
export function scatterChart(points: readonly SamplePoint[], width = 560, height = 300): string {
  const left = 48;
  const right = 14;
  const top = 22;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const withPsnr = points.filter((p) => p.psnr !== null);
  const finite = withPsnr.map((p) => p.psnr as number).filter(Number.isFinite);
  const yMax = Math.min(80, Math.max(50, Math.ceil((Math.max(0, ...finite) + 5) / 10) * 10));
  const xMin = Math.min(0, Math.floor(Math.min(0, ...points.map((p) => p.savedRatio)) * 10) / 10);
  const xOf = (ratio: number) => left + ((Math.min(1, ratio) - xMin) / (1 - xMin)) * plotW;
  const yOf = (psnr: number) =>
    psnr === Number.POSITIVE_INFINITY ? top - 10 : top + plotH * (1 - Math.min(psnr, yMax) / yMax);
  const parts = [svgOpen('scatter', width, height, 'PSNR against saved ratio')];
  for (let v = 0; v <= yMax; v += 10) {
    const y = yOf(v);
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${r1(y)}" y2="${r1(y)}"/>`,
      svgText(left - 6, y + 4, `${v}`, { class: 'tick', 'text-anchor': 'end' }),
    );
  }
  parts.push(svgText(left - 6, top - 6, '∞', { class: 'tick', 'text-anchor': 'end' }));
  for (let f = Math.ceil(xMin * 5) / 5; f <= 1.0001; f += 0.2) {
    const x = xOf(f);
    parts.push(
      `<line class="grid" x1="${r1(x)}" x2="${r1(x)}" y1="${top}" y2="${top + plotH}"/>`,
      svgText(x, top + plotH + 16, formatPercent(f).replace('.0%', '%'), {
        class: 'tick',
        'text-anchor': 'middle',
      }),
    );
  }
  for (const p of withPsnr) {
    const psnr = p.psnr as number;
    parts.push(
      `<circle class="dot ${p.status === 'kept-original' ? 'kept' : ''}" cx="${r1(xOf(p.savedRatio))}" cy="${r1(yOf(psnr))}" r="3.2"><title>${escapeHtml(p.key)}: ${formatPercent(p.savedRatio)} saved, ${formatPsnr(psnr)}</title></circle>`,
    );
  }
  parts.push(
    svgText(left + plotW / 2, height - 8, 'saved ratio per image', {
      class: 'caption',
      'text-anchor': 'middle',
    }),
    svgText(12, top + plotH / 2, 'PSNR (dB)', {
      class: 'caption',
      'text-anchor': 'middle',
      transform: `rotate(-90 12 ${r1(top + plotH / 2)})`,
    }),
    '</svg>',
  );
  return parts.join('');
}
