import { describe, expect, it } from 'vitest';
import type { RunResult, SystemName } from './measure.js';
import { evaluateTargets } from './targets.js';

function run(system: SystemName, image: string, colors: number, f: Partial<RunResult>): RunResult {
  return {
    system,
    image,
    colors,
    megapixels: image === 'big' ? 12 : 0.25,
    endToEndMs: 100,
    quantizeMs: 100,
    psnr: 30,
    bytes: 1000,
    colorsUsed: colors,
    peakRssMb: 100,
    ...f,
  };
}

describe('evaluateTargets', () => {
  it('passes when every figure meets its target', () => {
    const results = [
      run('kpress', 'big', 16, { endToEndMs: 100, quantizeMs: 200, psnr: 31, bytes: 900 }),
      run('sharp', 'big', 16, { endToEndMs: 500, psnr: 30.5 }),
      run('kpress', 'small', 16, { quantizeMs: 10, psnr: 30 }),
      run('full-lloyd', 'small', 16, { psnr: 30.04 }),
      run('textbook', 'small', 16, { quantizeMs: 300 }),
    ];
    const t = evaluateTargets(results, 'big');
    expect(t.map((x) => [x.name, x.pass]).filter(([, p]) => !p)).toEqual([]);
  });

  it('misses each target on a figure just past it', () => {
    const results = [
      run('kpress', 'big', 16, {
        endToEndMs: 100,
        quantizeMs: 241,
        psnr: 30.4,
        bytes: 1001,
        peakRssMb: 400,
      }),
      run('sharp', 'big', 16, { endToEndMs: 399, psnr: 30.5 }),
      run('kpress', 'small', 16, { quantizeMs: 10, psnr: 30 }),
      run('full-lloyd', 'small', 16, { psnr: 30.16 }),
      run('textbook', 'small', 16, { quantizeMs: 199 }),
    ];
    const t = evaluateTargets(results, 'big');
    expect(t.filter((x) => x.pass).map((x) => x.name)).toEqual([]);
    expect(t).toHaveLength(7);
  });

  it('misses with n/a when there is nothing to compare', () => {
    const t = evaluateTargets([run('kpress', 'small', 16, {})], 'big');
    expect(t.find((x) => x.name.startsWith('12 MP'))).toMatchObject({
      pass: false,
      measured: 'n/a',
    });
    expect(t.find((x) => x.name.includes('textbook'))).toMatchObject({
      pass: false,
      measured: 'n/a',
    });
  });
});
