// The native linear8 and gather (native/addon.c) against the TypeScript they replace, and their
// refusals of malformed arguments (a throw, not a crash).
import { afterAll, describe, expect, it } from 'vitest';
import { paletteToLinearPlanes, toLinearPlanes } from './linear.js';
import { nativeKernels, useNativeKernels } from './native.js';
import type { PaletteScoreImage, ScoreImage } from './types.js';

const native = nativeKernels();

function planes(n: number): [Float32Array, Float32Array, Float32Array] {
  return [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
}

/** toLinearPlanes (or the palette form) with the native kernels on or off. */
function both(run: (r: Float32Array, g: Float32Array, b: Float32Array) => void, n: number) {
  const out = { native: planes(n), ts: planes(n) };
  useNativeKernels(true);
  run(...out.native);
  useNativeKernels(false);
  run(...out.ts);
  useNativeKernels(true);
  return out;
}

describe.skipIf(native === undefined)('native linear planes', () => {
  afterAll(() => useNativeKernels(true));

  it('linear8: RGB, opaque RGBA and RGBA translucent from a pixel on, as the TypeScript', () => {
    const w = 37;
    const h = 11;
    const n = w * h;
    for (const [channels, translucentFrom] of [
      [3, -1],
      [4, -1],
      [4, 0],
      [4, 200],
      [4, n - 1],
    ] as const) {
      const data = new Uint8Array(n * channels);
      for (let i = 0; i < data.length; i++) data[i] = (i * 97 + 13) % 256;
      if (channels === 4) {
        for (let p = 0; p < n; p++)
          data[p * 4 + 3] =
            translucentFrom >= 0 && p >= translucentFrom && p % 3 === 0 ? p % 255 : 255;
        if (translucentFrom >= 0) data[translucentFrom * 4 + 3] = 17;
      }
      const image: ScoreImage = { data, width: w, height: h, channels };
      const { native: a, ts: b } = both((r, g, bl) => toLinearPlanes(image, 0.1, r, g, bl), n);
      for (let c = 0; c < 3; c++)
        expect(Buffer.from(a[c].buffer).equals(Buffer.from(b[c].buffer))).toBe(true);
    }
  });

  it('gather: the entries of each pixel, as the TypeScript', () => {
    const palette = new Uint8Array(40 * 4).map((_, i) => (i * 53) % 256);
    const indices = new Uint8Array(300).map((_, i) => (i * 7) % 40);
    const image: PaletteScoreImage = { palette, indices, width: 20, height: 15, channels: 4 };
    const { native: a, ts: b } = both(
      (r, g, bl) => paletteToLinearPlanes(image, 0.9, r, g, bl),
      300,
    );
    for (let c = 0; c < 3; c++)
      expect(Buffer.from(a[c].buffer).equals(Buffer.from(b[c].buffer))).toBe(true);
  });

  it('refuse malformed arguments with an error', () => {
    const k = native as NonNullable<typeof native>;
    const f = (n: number) => new Float32Array(n);
    const table = f(256);
    const bad: (() => unknown)[] = [
      () => k.linear8(new Uint8Array(9), 2 as 3, table, f(3), f(3), f(3)),
      () => k.linear8(new Uint8Array(10), 3, table, f(3), f(3), f(3)),
      () => k.linear8(new Uint8Array(9), 3, f(255), f(3), f(3), f(3)),
      () => k.linear8(new Uint8Array(9), 3, table, f(2), f(3), f(3)),
      () => k.linear8(new Uint16Array(9) as unknown as Uint8Array, 3, table, f(3), f(3), f(3)),
      () => k.gather(new Uint8Array(4), f(2), f(1), f(2), f(4), f(4), f(4)),
      () => k.gather(new Uint8Array(4), f(2), f(2), f(2), f(4), f(3), f(4)),
      () => (k.gather as (...a: unknown[]) => number)(new Uint8Array(4), f(2)),
    ];
    for (const call of bad) expect(call).toThrow(/ssimulacra2 addon/);
    expect(k.gather(new Uint8Array([0, 1, 5]), f(2), f(2), f(2), f(3), f(3), f(3))).toBe(2);
  });
});
