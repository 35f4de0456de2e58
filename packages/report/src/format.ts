const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in decimal SI units (1 kB = 1,000 B), 3 significant digits: "1.50 MB". Negative keeps its sign. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  if (u === 0) return `${sign}${v} B`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)} ${UNITS[u]}`;
}

/** A ratio as a percentage with one decimal: 0.6111 -> "61.1%". */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** An integer with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** PSNR: "34.2 dB", "lossless" for Infinity, "–" when unknown. */
export function formatPsnr(psnr: number | null | undefined): string {
  if (psnr === null || psnr === undefined || Number.isNaN(psnr)) return '–';
  if (psnr === Number.POSITIVE_INFINITY) return 'lossless';
  return `${psnr.toFixed(1)} dB`;
}

/** A number with up to 3 significant digits and separators: 1234.5 -> "1,235", 2.345 -> "2.35". */
export function formatAmount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return formatCount(n);
  return Number(n.toPrecision(3)).toString();
}
