import type { RunResult, SystemName } from './measure.js';
import type { Target } from './targets.js';

function runOf(results: RunResult[], system: SystemName, image: string, k: number) {
  return results.find((r) => r.system === system && r.image === image && r.colors === k);
}

function total(results: RunResult[], system: SystemName, images: string[], k: number): number {
  let sum = 0;
  for (const image of images) {
    const r = runOf(results, system, image, k);
    if (!r || !Number.isFinite(r.bytes)) return Number.NaN;
    sum += r.bytes;
  }
  return sum;
}

const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)}%`;

/**
 * The encoder's targets (issue: a libdeflate-class deflate with an effort
 * knob), at k = 16 over `images` (the samples and the 12 MP image). CPU is
 * user + system of the process over one end-to-end run (all threads).
 */
export function encoderTargets(results: RunResult[], images: string[], k = 16): Target[] {
  const targets: Target[] = [];
  const ours = total(results, 'kpress', images, k);
  const before = total(results, 'kpress-zlib', images, k);
  const sharp7 = total(results, 'sharp', images, k);
  targets.push({
    name: `default effort: total bytes at k=${k} >= 5% below the zlib encoder it replaced`,
    measured: `${ours} vs ${before} (${pct(ours, before)})`,
    pass: ours <= before * 0.95,
  });
  targets.push({
    name: `default effort: total bytes at k=${k} below sharp's palette PNG (effort 7)`,
    measured: `${ours} vs ${sharp7} (${pct(ours, sharp7)})`,
    pass: ours < sharp7,
  });
  const psnrSame = images.every((image) => {
    const a = runOf(results, 'kpress', image, k);
    const b = runOf(results, 'kpress-zlib', image, k);
    return a !== undefined && b !== undefined && a.psnr === b.psnr;
  });
  targets.push({
    name: 'default effort: PSNR the same as the zlib encoder on every image (only the encoding changes)',
    measured: psnrSame ? 'identical' : 'differs',
    pass: psnrSame,
  });
  const halves = images.map((image) => {
    const a = runOf(results, 'kpress', image, k);
    const s = runOf(results, 'sharp', image, k);
    return a && s ? a.cpuMs / s.cpuMs : Number.NaN;
  });
  targets.push({
    name: `default effort: CPU per image <= half of sharp effort 7 (k=${k})`,
    measured: `kpress/sharp CPU ${halves.map((h) => h.toFixed(2)).join(', ')}`,
    pass: halves.every((h) => h <= 0.5),
  });
  const fast = images.map((image) => {
    const a = runOf(results, 'kpress-effort1', image, k);
    const s7 = runOf(results, 'sharp', image, k);
    const s1 = runOf(results, 'sharp-effort1', image, k);
    return a && s7 && s1
      ? { speed: s7.cpuMs / a.cpuMs, bytes: a.bytes <= s1.bytes, ok: true }
      : { speed: Number.NaN, bytes: false, ok: false };
  });
  targets.push({
    name: `effort 1: >= 4x less CPU than sharp effort 7, bytes <= sharp effort 1 (k=${k})`,
    measured: fast
      .map((f) => `${f.speed.toFixed(2)}x${f.bytes ? '' : ' (larger than sharp e1)'}`)
      .join(', '),
    pass: fast.every((f) => f.ok && f.speed >= 4 && f.bytes),
  });
  return targets;
}
