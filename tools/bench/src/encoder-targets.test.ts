import { describe, expect, it } from 'vitest';
import { encoderTargets } from './encoder-targets.js';
import type { RunResult, SystemName } from './measure.js';

function run(system: SystemName, image: string, cpuMs: number, bytes: number): RunResult {
  return {
    system,
    image,
    colors: 16,
    megapixels: 1,
    endToEndMs: cpuMs,
    cpuMs,
    quantizeMs: 10,
    psnr: 30,
    bytes,
    colorsUsed: 16,
    peakRssMb: 100,
    iterations: 10,
    extrapolated: false,
  };
}

const images = ['a.jpg', 'b.jpg'];
function results(ours: { cpu: number; bytes: number }, fast: { cpu: number; bytes: number }) {
  return images.flatMap((image) => [
    run('kpress', image, ours.cpu, ours.bytes),
    run('kpress-zlib', image, 100, 1000),
    run('kpress-effort1', image, fast.cpu, fast.bytes),
    run('sharp', image, 200, 1100),
    run('sharp-effort1', image, 60, 1200),
  ]);
}

describe('encoderTargets', () => {
  it('passes when the default is 5% smaller than zlib and below sharp, at half its CPU, and effort 1 is 4x faster', () => {
    const t = encoderTargets(results({ cpu: 100, bytes: 950 }, { cpu: 50, bytes: 1200 }), images);
    expect(t.map((x) => x.pass)).toEqual([true, true, true, true, true]);
    expect(t[0]?.measured).toBe('1900 vs 2000 (-5.0%)');
  });

  it('misses each target by its own figure', () => {
    const t = encoderTargets(results({ cpu: 101, bytes: 951 }, { cpu: 51, bytes: 1201 }), images);
    expect(t.map((x) => x.pass)).toEqual([false, true, true, false, false]);
    expect(t[4]?.measured).toContain('(larger than sharp e1)');
  });

  it('misses when a run is absent', () => {
    const t = encoderTargets(
      results({ cpu: 100, bytes: 950 }, { cpu: 50, bytes: 1200 }).slice(1),
      images,
    );
    expect(t.every((x) => x.pass)).toBe(false);
  });
});
