import { expect } from 'vitest';
import { coreKernels, useNativeKernels } from '../native.js';

/** True when the native kernels are turned off for this run (KPRESS_CORE_NATIVE=off). */
export const off = process.env.KPRESS_CORE_NATIVE === 'off';

/** f() with the native kernels, then with TypeScript alone. */
export function both<T>(f: () => T): { native: T; ts: T } {
  useNativeKernels(true);
  if (!off) expect(coreKernels().name).toBe('native');
  const native = f();
  useNativeKernels(false);
  expect(coreKernels().name).toBe('typescript');
  const ts = f();
  useNativeKernels(true);
  return { native, ts };
}

/** The bytes of a typed array: equal bytes are equal bits (a -0 differs from a 0). */
export const bits = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
