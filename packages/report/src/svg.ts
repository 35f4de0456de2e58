import { escapeHtml } from './escape.js';

/** Rounds a coordinate to one decimal to keep the markup small. */
export function r1(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** Opens an inline SVG chart with a fixed viewBox that scales to its container. */
export function svgOpen(chart: string, width: number, height: number, label: string): string {
  return `<svg class="chart" data-chart="${escapeHtml(chart)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="xMidYMid meet">`;
}

/** A text element; content escaped. */
export function svgText(
  x: number,
  y: number,
  text: string,
  attrs: Record<string, string | number> = {},
): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
    .join('');
  return `<text x="${r1(x)}" y="${r1(y)}"${extra}>${escapeHtml(text)}</text>`;
}

/** "Nice" upper bound for an axis: 1, 2 or 5 times a power of ten, >= value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (m * p >= value) return m * p;
  return 10 * p;
}
