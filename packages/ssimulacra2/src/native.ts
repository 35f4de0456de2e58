/**
 * The optional native kernels (native/addon.c): the blur and the XYB conversion with the CPU's
 * own fused multiply-adds, 8 lanes wide (AVX2 + FMA), bit for bit what the WebAssembly kernels
 * compute, several times faster. Loaded when built (kpress-build-native, tools/native-build) and the CPU has
 * AVX2 and FMA; `KPRESS_SSIMULACRA2=wasm` turns them off. Otherwise WebAssembly does it all.
 */
import { createRequire } from 'node:module';

/** The addon's functions: byte offsets into `memory` (the kernel's WebAssembly memory). */
export interface NativeKernels {
  blur(
    memory: ArrayBuffer,
    coefficients: number,
    radius: number,
    input: number,
    w: number,
    h: number,
    temp: number,
    temp2: number,
    state: number,
    zeros: number,
    out: number,
  ): void;
  xyb(
    memory: ArrayBuffer,
    r: number,
    g: number,
    b: number,
    n: number,
    negBiasCbrt: number,
    x: number,
    y: number,
    bb: number,
  ): void;
  /**
   * toLinearPlanes of opaque 8-bit RGB or RGBA samples (`table`: the 256 linear values), pixel
   * by pixel while the alpha is 255; returns the first translucent pixel, or -1.
   */
  linear8(
    data: Uint8Array | Uint8ClampedArray,
    channels: 3 | 4,
    table: Float32Array,
    r: Float32Array,
    g: Float32Array,
    b: Float32Array,
  ): number;
  /** r, g, b of each pixel from its entry's lr, lg, lb; returns the first index past them, or -1. */
  gather(
    indices: Uint8Array,
    lr: Float32Array,
    lg: Float32Array,
    lb: Float32Array,
    r: Float32Array,
    g: Float32Array,
    b: Float32Array,
  ): number;
}

/** Every function of NativeKernels, checked on load. */
const KERNEL_NAMES = [
  'blur',
  'xyb',
  'linear8',
  'gather',
] as const satisfies readonly (keyof NativeKernels)[];
// a function added to NativeKernels but not to KERNEL_NAMES fails to compile here
const everyKernelNamed: Exclude<keyof NativeKernels, (typeof KERNEL_NAMES)[number]> extends never
  ? true
  : never = true;
void everyKernelNamed;

/** Which kernels score: native (AVX2 + FMA) for the blur and XYB, or WebAssembly alone. */
export type KernelBackend = { name: 'native'; simd: 'avx2+fma' } | { name: 'wasm'; reason: string };

function load(): { addon?: NativeKernels; backend: KernelBackend } {
  const wasm = (reason: string) => ({ backend: { name: 'wasm' as const, reason } });
  if (process.env.KPRESS_SSIMULACRA2 === 'wasm') return wasm('KPRESS_SSIMULACRA2=wasm');
  try {
    const addon = createRequire(import.meta.url)(
      '../native/build/Release/kpress_ssimulacra2.node',
    ) as Partial<NativeKernels> & { usable: boolean };
    if (!addon.usable) return wasm('the CPU has no AVX2 or no FMA');
    // an addon built from older sources lacks the newer functions
    const missing = KERNEL_NAMES.filter((name) => typeof addon[name] !== 'function');
    if (missing.length > 0) {
      return wasm(
        `the native kernels are out of date (no ${missing.join(', ')}): pnpm install rebuilds them`,
      );
    }
    return { addon: addon as NativeKernels, backend: { name: 'native', simd: 'avx2+fma' } };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    return wasm(
      /Cannot find module/.test(first)
        ? 'the native kernels are not built (x64 with a C compiler: pnpm install)'
        : `the native kernels did not load: ${first}`,
    );
  }
}

const loaded = load();
let enabled = true;

/** The kernels that score on this thread. */
export function kernelBackend(): KernelBackend {
  return enabled ? loaded.backend : { name: 'wasm', reason: 'turned off' };
}

/** The native kernels when loaded and enabled (read when a scorer is prepared). */
export function nativeKernels(): NativeKernels | undefined {
  return enabled ? loaded.addon : undefined;
}

/** Turns the native kernels off or back on for scorers prepared from now on (tests). */
export function useNativeKernels(on: boolean): void {
  enabled = on;
}
