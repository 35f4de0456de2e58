import { describe, expect, it } from 'vitest';
import { nativeKernels } from './native.js';

const native = nativeKernels();

/**
 * The kernels' WebAssembly memory grows to 4 GiB (about 46 MP scored); the native kernels take
 * byte offsets into it. Read as int32, every offset past 2 GiB was refused ("blur arguments out
 * of range"), so a 24 MP photo had no score and was kept as its original under a target.
 */
describe.skipIf(native === undefined)('native kernels past 2 GiB of kernel memory', () => {
  it('blur and xyb take byte offsets above 2^31 and compute what they compute below', () => {
    const kernels = native as NonNullable<typeof native>;
    const page = 65536;
    const memory = new WebAssembly.Memory({ initial: 2 ** 31 / page + 16, maximum: 65536 });
    const f = new Float32Array(memory.buffer);
    const w = 9;
    const h = 8;
    const n = w * h;
    const radius = 5;
    // one layout, placed at `base`: coefficients, input, temp, temp2, state, zeros, out
    const layout = (base: number) => {
      const c = base;
      const input = c + 42 * 4;
      const temp = input + n * 4;
      const temp2 = temp + n * 4;
      const state = temp2 + n * 4;
      const zeros = state + 6 * w * 4;
      const out = zeros + w * 4;
      return { c, input, temp, temp2, state, zeros, out };
    };
    const run = (base: number) => {
      const l = layout(base);
      for (let i = 0; i < 42; i++) f[l.c / 4 + i] = ((i * 7) % 11) / 40;
      for (let i = 0; i < n; i++) f[l.input / 4 + i] = ((i * 37) % 23) / 23;
      f.fill(0, l.zeros / 4, l.zeros / 4 + w);
      kernels.blur(
        memory.buffer,
        l.c,
        radius,
        l.input,
        w,
        h,
        l.temp,
        l.temp2,
        l.state,
        l.zeros,
        l.out,
      );
      const blurred = Array.from(f.subarray(l.out / 4, l.out / 4 + n));
      // xyb over the input's three thirds, written to temp, temp2 and out
      kernels.xyb(memory.buffer, l.input, l.input, l.input, n, 0.1, l.temp, l.temp2, l.out);
      return { blurred, xyb: Array.from(f.subarray(l.out / 4, l.out / 4 + n)) };
    };
    const low = run(page);
    const high = run(2 ** 31 + page);
    expect(high).toEqual(low);
    expect(low.blurred.some((v) => v !== 0)).toBe(true);
  });
});
