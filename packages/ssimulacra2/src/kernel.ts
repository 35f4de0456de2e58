/**
 * The WebAssembly kernels (native/ssimulacra2.c, built into kernel-wasm.ts) and their memory.
 * Each {@link Kernel} is one instance with its own linear memory, sized once for one image
 * size: every buffer is carved out of it up front, so the Float32Array views handed out stay
 * valid (growing a WebAssembly memory detaches the views made before).
 */
import type { BlurScratch } from './blur.js';
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  xyb(
    r: number,
    g: number,
    b: number,
    n: number,
    negBiasCbrt: number,
    cached: number,
    x: number,
    y: number,
    bb: number,
  ): void;
  downsample(input: number, w: number, h: number, out: number): void;
  multiply(a: number, b: number, n: number, out: number): void;
  blur(
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
  ssim_norms(
    mu1: number,
    mu2: number,
    s11: number,
    s22: number,
    s12: number,
    n: number,
    out: number,
  ): void;
  edge_norms(img1: number, mu1: number, img2: number, mu2: number, n: number, out: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** The compiled module, once per process. */
function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    const text = atob(KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;
/** A wasm32 memory holds at most 4 GiB. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024;

/** -cbrtf(libjxl's opsin bias), the constant its XYB adds after the cube root. */
const NEG_BIAS_CBRT = -Math.fround(Math.cbrt(Math.fround(0.0037930732552754493)));

/** One kernel instance and a bump allocator over its memory. */
export class Kernel {
  readonly #k: KernelExports;
  #next: number;
  readonly #end: number;

  /** An instance with room for `floats` 32-bit values (allocations round up to 16 bytes). */
  constructor(floats: number) {
    const instance = new WebAssembly.Instance(kernelModule(), {});
    this.#k = instance.exports as unknown as KernelExports;
    const base = Math.ceil((this.#k.__heap_base.value as number) / 16) * 16;
    const end = base + floats * 4;
    if (end > MAX_BYTES) {
      throw new RangeError(
        `SSIMULACRA 2 needs ${Math.ceil(end / 2 ** 20)} MiB for this image, over WebAssembly's 4 GiB`,
      );
    }
    const memory = this.#k.memory;
    const missing = end - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
    this.#next = base;
    this.#end = end;
  }

  #take(bytes: number): number {
    const at = this.#next;
    const next = at + Math.ceil(bytes / 16) * 16;
    if (next > this.#end) {
      throw new RangeError(`kernel memory plan too small: ${next} > ${this.#end} bytes`);
    }
    this.#next = next;
    return at;
  }

  /** A zeroed float32 buffer of `n` values in the kernel's memory. */
  floats(n: number): Float32Array {
    return new Float32Array(this.#k.memory.buffer, this.#take(n * 4), n);
  }

  /** A zeroed float64 buffer of `n` values in the kernel's memory. */
  doubles(n: number): Float64Array {
    return new Float64Array(this.#k.memory.buffer, this.#take(n * 8), n);
  }

  /**
   * Linear RGB to positive XYB, `n` pixels; `cached`: remember results by colour (worth it at
   * the finest scale, where colours repeat).
   */
  xyb(
    r: Float32Array,
    g: Float32Array,
    b: Float32Array,
    n: number,
    cached: boolean,
    x: Float32Array,
    y: Float32Array,
    bb: Float32Array,
  ): void {
    this.#k.xyb(
      r.byteOffset,
      g.byteOffset,
      b.byteOffset,
      n,
      NEG_BIAS_CBRT,
      cached ? 1 : 0,
      x.byteOffset,
      y.byteOffset,
      bb.byteOffset,
    );
  }

  /** Halves the w x h plane `input` into `out`. */
  downsample(input: Float32Array, w: number, h: number, out: Float32Array): void {
    this.#k.downsample(input.byteOffset, w, h, out.byteOffset);
  }

  /** out = a * b over `n` values. */
  multiply(a: Float32Array, b: Float32Array, n: number, out: Float32Array): void {
    this.#k.multiply(a.byteOffset, b.byteOffset, n, out.byteOffset);
  }

  /** The recursive Gaussian (see blur.ts) of the w x h plane `input` into `out`. */
  blur(
    coefficients: Float32Array,
    radius: number,
    input: Float32Array,
    w: number,
    h: number,
    scratch: BlurScratch,
    out: Float32Array,
  ): void {
    this.#k.blur(
      coefficients.byteOffset,
      radius,
      input.byteOffset,
      w,
      h,
      scratch.temp.byteOffset,
      scratch.temp2.byteOffset,
      scratch.state.byteOffset,
      scratch.zeros.byteOffset,
      out.byteOffset,
    );
  }

  /** The pooled SSIM' map into out[0..1] (mean, 4-norm). */
  ssimNorms(
    mu1: Float32Array,
    mu2: Float32Array,
    s11: Float32Array,
    s22: Float32Array,
    s12: Float32Array,
    n: number,
    out: Float64Array,
  ): void {
    this.#k.ssim_norms(
      mu1.byteOffset,
      mu2.byteOffset,
      s11.byteOffset,
      s22.byteOffset,
      s12.byteOffset,
      n,
      out.byteOffset,
    );
  }

  /** The pooled artifact and detail-lost maps into out[0..3]. */
  edgeNorms(
    img1: Float32Array,
    mu1: Float32Array,
    img2: Float32Array,
    mu2: Float32Array,
    n: number,
    out: Float64Array,
  ): void {
    this.#k.edge_norms(
      img1.byteOffset,
      mu1.byteOffset,
      img2.byteOffset,
      mu2.byteOffset,
      n,
      out.byteOffset,
    );
  }
}
