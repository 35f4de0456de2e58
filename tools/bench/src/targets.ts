import type { RunResult } from './measure.js';

export interface Target {
  name: string;
  /** The measured figure, as printed. */
  measured: string;
  pass: boolean;
}

function find(
  results: RunResult[],
  system: string,
  image: string,
  colors: number,
): RunResult | undefined {
  return results.find((r) => r.system === system && r.image === image && r.colors === colors);
}

/**
 * The comparison at exactly k colours: sharp's palette PNG when it used at
 * most k colours, else pngquant (sharp's `colours` only picks a bit depth).
 */
function exactK(results: RunResult[], r: RunResult): RunResult | undefined {
  const s = find(results, 'sharp', r.image, r.colors);
  if (s && s.colorsUsed <= r.colors) return s;
  return find(results, 'pngquant', r.image, r.colors);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Evaluates the benchmark targets. `big` is the image whose speed targets
 * count (the 12-megapixel one). A target with nothing to compare is missed,
 * with "n/a" as its figure.
 */
export function evaluateTargets(results: RunResult[], big: string): Target[] {
  const kp = results.filter((r) => r.system === 'kpress');
  const targets: Target[] = [];

  const vsSharp = kp.flatMap((r) => {
    const s = exactK(results, r);
    return s ? [r.psnr - s.psnr] : [];
  });
  targets.push({
    name: 'PSNR >= sharp palette (pngquant where sharp used more than k colours) at every k on every image',
    measured: vsSharp.length
      ? `worst delta ${Math.min(...vsSharp).toFixed(3)} dB over ${vsSharp.length} runs`
      : 'n/a',
    pass: vsSharp.length > 0 && vsSharp.every((d) => d >= 0),
  });

  const vsLloyd = kp.flatMap((r) => {
    const l = find(results, 'full-lloyd', r.image, r.colors);
    return l ? [l.psnr - r.psnr] : [];
  });
  const avgShort = vsLloyd.length ? mean(vsLloyd) : Number.NaN;
  const maxShort = vsLloyd.length ? Math.max(...vsLloyd) : Number.NaN;
  targets.push({
    name: 'within 0.05 dB avg / 0.15 dB max of full-pixel Lloyd',
    measured: vsLloyd.length
      ? `shortfall avg ${avgShort.toFixed(3)} dB, max ${maxShort.toFixed(3)} dB over ${vsLloyd.length} runs`
      : 'n/a',
    pass: vsLloyd.length > 0 && avgShort <= 0.05 && maxShort <= 0.15,
  });

  const big16 = find(results, 'kpress', big, 16);
  const sharp16 = find(results, 'sharp', big, 16);
  const speedup = big16 && sharp16 ? sharp16.endToEndMs / big16.endToEndMs : Number.NaN;
  targets.push({
    name: '12 MP k=16 end-to-end >= 4x faster than sharp palette',
    measured: Number.isFinite(speedup) ? `${speedup.toFixed(2)}x` : 'n/a',
    pass: speedup >= 4,
  });

  const bigRuns = kp.filter((r) => r.image === big);
  const rates = bigRuns.map((r) => ({ k: r.colors, mps: r.megapixels / (r.quantizeMs / 1000) }));
  targets.push({
    name: 'quantize+map >= 50 MP/s (12 MP, every k)',
    measured: rates.length ? rates.map((x) => `k=${x.k}: ${x.mps.toFixed(1)}`).join(', ') : 'n/a',
    pass: rates.length > 0 && rates.every((x) => x.mps >= 50),
  });

  const rss = kp.map((r) => r.peakRssMb);
  targets.push({
    name: 'kpress peak RSS < 400 MB',
    measured: rss.length ? `max ${Math.max(...rss).toFixed(0)} MB` : 'n/a',
    pass: rss.length > 0 && Math.max(...rss) < 400,
  });

  let ours = 0;
  let theirs = 0;
  for (const r of kp) {
    const s = exactK(results, r);
    if (!s) continue;
    ours += r.bytes;
    theirs += s.bytes;
  }
  targets.push({
    name: 'total bytes <= sharp palette (pngquant where sharp used more than k colours)',
    measured: theirs ? `${ours} vs ${theirs} (${((ours / theirs) * 100).toFixed(1)}%)` : 'n/a',
    pass: theirs > 0 && ours <= theirs,
  });

  const vsText = kp.flatMap((r) => {
    const t = find(results, 'textbook', r.image, r.colors);
    return t ? [{ ratio: t.quantizeMs / r.quantizeMs, r, t }] : [];
  });
  const bigText = vsText.find((x) => x.r.image === big && x.r.colors === 16);
  const ratios = vsText.map((x) => x.ratio);
  targets.push({
    name: '>= 20x faster than textbook k-means (quantize)',
    measured: vsText.length
      ? `min ${Math.min(...ratios).toFixed(1)}x over ${vsText.length} runs${
          bigText
            ? `; 12 MP k=16: ${bigText.ratio.toFixed(1)}x${bigText.t.extrapolated ? ' (textbook time extrapolated, a lower bound)' : ''}`
            : ''
        }`
      : 'n/a',
    pass: vsText.length > 0 && Math.min(...ratios) >= 20,
  });
  return targets;
}
