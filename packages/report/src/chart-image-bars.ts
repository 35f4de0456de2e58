import type { SamplePoint } from '@kpress/manifest';
import { escapeHtml } from './escape.js';
import { formatBytes, formatPercent } from './format.js';
import { r1, svgOpen, svgText } from './svg.js';

function shorten(key: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  const flat = key.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (flat.length <= max) return flat;
  const half = Math.floor((max - 1) / 2);
  return `${flat.slice(0, half)}…${flat.slice(flat.length - (max - 1 - half))}`;
}

/** One horizontal bar per image (for small batches): saved ratio, key on the left. */
export function imageBarsChart(points: readonly SamplePoint[], width = 560): string {
  const rowH = 20;
  const top = 8;
  const left = 200;
  const right = 120;
  const height = top * 2 + rowH * points.length + 18;
  const plotW = width - left - right;
  const parts = [svgOpen('savings', width, height, 'Saved ratio per image')];
  const sorted = [...points].sort((a, b) => b.savedRatio - a.savedRatio);
  sorted.forEach((p, i) => {
    const y = top + i * rowH;
    const ratio = Math.max(0, Math.min(1, p.savedRatio));
    parts.push(
      svgText(left - 8, y + 14, shorten(p.key, 30), { class: 'tick', 'text-anchor': 'end' }),
      `<rect class="track" x="${left}" y="${y + 3}" width="${plotW}" height="${rowH - 6}"/>`,
      `<rect class="bar ${p.status === 'kept-original' ? 'kept' : ''}" x="${left}" y="${y + 3}" width="${r1(Math.max(1, ratio * plotW))}" height="${rowH - 6}"><title>${escapeHtml(p.key)}: ${formatBytes(p.originalBytes)} → ${formatBytes(p.outputBytes)}</title></rect>`,
      svgText(
        left + plotW + 8,
        y + 14,
        `${formatPercent(p.savedRatio)} · ${formatBytes(p.originalBytes - p.outputBytes)}`,
        { class: 'tick' },
      ),
    );
  });
  const axisY = top + rowH * points.length + 14;
  parts.push(
    svgText(left, axisY, '0%', { class: 'tick', 'text-anchor': 'middle' }),
    svgText(left + plotW, axisY, '100%', { class: 'tick', 'text-anchor': 'middle' }),
    '</svg>',
  );
  return parts.join('');
}
