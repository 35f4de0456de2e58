import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelBlur, recursiveGaussian } from './blur.js';
import { Kernel } from './kernel.js';
import { KERNEL_SOURCE_SHA256 } from './kernel-wasm.js';

describe('the WebAssembly kernel', () => {
  it('is the build of native/ssimulacra2.c as committed (rebuild: pnpm build:wasm)', () => {
    const source = readFileSync(new URL('../native/ssimulacra2.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNEL_SOURCE_SHA256);
  });

  it('blurs with sigma 1.5: unit gain, symmetric, zero outside the plane', () => {
    const filter = recursiveGaussian(1.5);
    expect(filter.radius).toBe(5);
    const [w, h] = [41, 33];
    const kernel = new Kernel(20 * w * h);
    const blur = new KernelBlur(kernel, filter, w, h);
    const input = kernel.floats(w * h);
    const output = kernel.floats(w * h);
    input[16 * w + 20] = 1;
    blur.run(input, w, h, output);
    let sum = 0;
    let second = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = output[y * w + x];
        sum += v;
        second += v * (x - 20) ** 2;
      }
    }
    expect(sum).toBeCloseTo(1, 5);
    expect(Math.sqrt(second / sum)).toBeCloseTo(1.5, 1);
    expect(output[16 * w + 17]).toBeCloseTo(output[16 * w + 23], 6);
    expect(output[13 * w + 20]).toBeCloseTo(output[19 * w + 20], 6);
    // a constant plane loses weight at the borders (zero padding), as libjxl's blur does
    input.fill(1);
    blur.run(input, w, h, output);
    expect(output[16 * w + 20]).toBeCloseTo(1, 5);
    expect(output[0]).toBeLessThan(0.5);
  });
});
