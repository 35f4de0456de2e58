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

/**
 * An integer with thousands separators: 1234567 -> "1,234,567". What
 * `toLocaleString('en-US')` writes, without loading ICU's number formats (a
 * fixed ~20 ms of CPU on the first call) for a safe integer; the rest (-0,
 * beyond 2^53, NaN, Infinity) goes to ICU.
 */
export function formatCount(n: number): string {
  const r = Math.round(n);
  if (!Number.isSafeInteger(r) || Object.is(r, -0)) return r.toLocaleString('en-US');
  return String(r).replace(/\B(?=(\d{3})+$)/g, ',');
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
