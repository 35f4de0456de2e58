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
    cpuMs: 100,
    quantizeMs: 100,
    psnr: 30,
    bytes: 1000,
    colorsUsed: colors,
    peakRssMb: 100,
    iterations: 10,
    extrapolated: false,
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

describe('textbook extrapolation', () => {
  it('labels the 12 MP ratio as extrapolated and counts it', () => {
    const results = [
      run('kpress', 'big', 16, { quantizeMs: 200 }),
      run('textbook', 'big', 16, { quantizeMs: 3000, extrapolated: true }),
      run('kpress', 'small', 16, { quantizeMs: 10 }),
      run('textbook', 'small', 16, { quantizeMs: 300 }),
    ];
    const t = evaluateTargets(results, 'big').find((x) => x.name.includes('textbook'));
    expect(t).toMatchObject({
      pass: false,
      measured:
        'min 15.0x over 2 runs; 12 MP k=16: 15.0x (textbook time extrapolated, a lower bound)',
    });
  });
});

describe('exact-k comparison', () => {
  it('uses pngquant where sharp wrote more than k colours', () => {
    const results = [
      run('kpress', 'small', 64, { psnr: 35, bytes: 800 }),
      run('sharp', 'small', 64, { psnr: 40, bytes: 2000, colorsUsed: 256 }),
      run('pngquant', 'small', 64, { psnr: 34.9, bytes: 900 }),
    ];
    const t = evaluateTargets(results, 'big');
    expect(t[0]).toMatchObject({ pass: true, measured: 'worst delta 0.100 dB over 1 runs' });
    expect(t.find((x) => x.name.startsWith('total bytes'))).toMatchObject({
      pass: true,
      measured: '800 vs 900 (88.9%)',
    });
  });

  it('parseRunResult turns JSON nulls back into NaN', async () => {
    const { parseRunResult } = await import('./measure.js');
    const r = parseRunResult(
      JSON.stringify({ ...run('sharp', 'x', 16, {}), quantizeMs: Number.NaN }),
    );
    expect(r.quantizeMs).toBeNaN();
    expect(r.psnr).toBe(30);
    expect(r.extrapolated).toBe(false);
    const old = JSON.parse(JSON.stringify(run('sharp', 'x', 16, {})));
    delete old.iterations;
    expect(parseRunResult(JSON.stringify(old)).iterations).toBeNaN();
  });
});
