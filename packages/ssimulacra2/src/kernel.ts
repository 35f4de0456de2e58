/**
 * The WebAssembly kernels (native/ssimulacra2.c, built into kernel-wasm.ts) and their memory.
 * Each {@link Kernel} is one instance with its own linear memory, sized once for one image
 * size: every buffer is carved out of it up front, so the Float32Array views handed out stay
 * valid (growing a WebAssembly memory detaches the views made before). A released kernel is
 * reused by the next scorer that fits in it: allocating and first touching a fresh memory cost
 * more than scoring.
 */
import type { BlurScratch } from './blur.js';
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';
import { type NativeKernels, nativeKernels } from './native.js';

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
    // Buffer's decoder, not atob and a loop: the loop was compiled by V8 in every thread
    compiled = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  }
  return compiled;
}

const PAGE = 65536;
/** A wasm32 memory holds at most 4 GiB. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024;

/** -cbrtf(libjxl's opsin bias), the constant its XYB adds after the cube root. */
const NEG_BIAS_CBRT = -Math.fround(Math.cbrt(Math.fround(0.0037930732552754493)));

/** Released kernels kept for reuse (at most this many, each at most POOL_MAX_BYTES). */
const POOL_SIZE = 2;
/** Larger memories are not kept: a worker would hold its largest image's plan for good. */
const POOL_MAX_BYTES = 256 * 2 ** 20;
const pool: Kernel[] = [];

/** One kernel instance and a bump allocator over its memory. */
export class Kernel {
  readonly #k: KernelExports;
  /** The AVX2 blur and XYB, working on this instance's memory, when loaded. */
  #native: NativeKernels | undefined;
  readonly #base: number;
  #next: number;
  #end: number;

  /**
   * A kernel with room for `floats` 32-bit values (allocations round up to 16 bytes): a
   * released one when one is big enough, else a new instance.
   */
  static obtain(floats: number): Kernel {
    const fit = pool.findIndex((k) => k.#capacity() >= floats * 4);
    const kernel = fit >= 0 ? pool.splice(fit, 1)[0] : new Kernel();
    kernel.#plan(floats);
    return kernel;
  }

  private constructor() {
    const instance = new WebAssembly.Instance(kernelModule(), {});
    this.#k = instance.exports as unknown as KernelExports;
    this.#base = Math.ceil((this.#k.__heap_base.value as number) / 16) * 16;
    this.#next = this.#base;
    this.#end = this.#base;
  }

  #capacity(): number {
    return this.#k.memory.buffer.byteLength - this.#base;
  }

  /** Empties the allocator for a plan of `floats` values, growing the memory if needed. */
  #plan(floats: number): void {
    const end = this.#base + floats * 4;
    if (end > MAX_BYTES) {
      throw new RangeError(
        `SSIMULACRA 2 needs ${Math.ceil(end / 2 ** 20)} MiB for this image, over WebAssembly's 4 GiB`,
      );
    }
    const memory = this.#k.memory;
    const missing = end - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
    this.#native = nativeKernels();
    this.#next = this.#base;
    this.#end = end;
  }

  /**
   * Hands the memory back for the next {@link Kernel.obtain}. Every buffer taken from this
   * kernel is then someone else's: the caller must not use them again.
   */
  release(): void {
    this.#end = this.#next = this.#base;
    if (pool.length < POOL_SIZE && this.#k.memory.buffer.byteLength <= POOL_MAX_BYTES) {
      pool.push(this);
    }
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

  /** A float32 buffer of `n` values in the kernel's memory (zero when new, else not). */
  floats(n: number): Float32Array {
    return new Float32Array(this.#k.memory.buffer, this.#take(n * 4), n);
  }

  /** A float64 buffer of `n` values in the kernel's memory (zero when new, else not). */
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
    if (this.#native) {
      this.#native.xyb(
        this.#k.memory.buffer,
        r.byteOffset,
        g.byteOffset,
        b.byteOffset,
        n,
        NEG_BIAS_CBRT,
        x.byteOffset,
        y.byteOffset,
        bb.byteOffset,
      );
      return;
    }
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
    const blur = this.#native ? this.#native.blur.bind(null, this.#k.memory.buffer) : this.#k.blur;
    blur(
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
