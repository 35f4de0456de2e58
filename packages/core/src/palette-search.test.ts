import { describe, expect, it } from 'vitest';
import { BRACKET_RATIO, nextK, searchPalette } from './palette-search.js';
import { quantize } from './quantize.js';
import { naturalImage } from './test/images.js';

const natural = naturalImage(160, 120);

describe('nextK', () => {
  it('steps down log2(k) from a lone passing probe, and stops when the step saves under 10%', () => {
    expect(nextK(null, { k: 256, score: 88.3 }, 80)).toBe(128);
    expect(nextK(null, { k: 256, score: 80.5 }, 80)).toBeNull();
  });

  it('takes the secant on log2(k) inside a bracket, and stops once the bracket is tight', () => {
    const k = nextK({ k: 64, score: 70 }, { k: 256, score: 90 }, 80) as number;
    expect(k).toBeGreaterThan(64);
    expect(k).toBeLessThan(256);
    expect(Math.abs(Math.log2(k) - 7)).toBeLessThan(0.1);
    expect(nextK({ k: 240, score: 79 }, { k: 256, score: 81 }, 80)).toBeNull();
    expect(nextK({ k: 5, score: 79 }, { k: 6, score: 81 }, 80)).toBeNull();
  });
});

describe('searchPalette', () => {
  // PSNR is a score too: it rises with k, so the search's rule can be checked on it
  const psnr = (r: { psnr: number }) => r.psnr;

  it('returns the smallest passing probe; a smaller probe failed or was not worth trying', () => {
    const found = searchPalette(natural, { target: 30, colors: 256, seed: 1, score: psnr });
    const chosen = found.chosen;
    expect(chosen).not.toBeNull();
    if (chosen === null) return;
    expect(chosen.score).toBeGreaterThanOrEqual(30);
    expect(chosen.k).toBeLessThan(256);
    for (const p of found.probes) if (p.score >= 30) expect(p.k).toBeGreaterThanOrEqual(chosen.k);
    const failing = found.probes.filter((p) => p.score < 30).map((p) => p.k);
    const lo = Math.max(1, ...failing);
    const bracketTight = chosen.k <= lo * BRACKET_RATIO || chosen.k - lo <= 1;
    const stepSmall = nextK(failing.length === 0 ? null : { k: lo, score: 0 }, chosen, 30);
    expect(bracketTight || stepSmall === null || found.probes.length >= 5).toBe(true);
    // the probe is the palette stored: its score is its own
    expect(chosen.result.psnr).toBe(chosen.score);
  });

  it('scores the same palettes as quantize at each k (the prepared histogram is reused intact)', () => {
    const found = searchPalette(natural, { target: 30, colors: 256, seed: 1, score: psnr });
    for (const p of found.probes) {
      const alone = quantize(natural, {
        colors: p.k,
        seed: 1,
        tolerance: 1,
        distance: 'perceptual',
      });
      expect(p.result.indices).toEqual(alone.indices);
      expect(p.result.palette).toEqual(alone.palette);
    }
  });

  it('tries dithering at the most colours when undithered falls short, and reports the best when both do', () => {
    const found = searchPalette(natural, { target: 99, colors: 8, seed: 1, score: psnr });
    expect(found.chosen).toBeNull();
    expect(found.probes.map((p) => [p.k, p.dither])).toEqual([
      [8, false],
      [8, true],
    ]);
    expect(found.best.score).toBe(Math.max(...found.probes.map((p) => p.score)));
  });
});
