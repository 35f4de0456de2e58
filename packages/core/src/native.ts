/**
 * The optional native k-means kernels (native/*.c, a Node-API addon): TreeKmeans' assignment
 * pass, the whole greedy k-means++ seeding, WeightedKmeans' Hamerly passes, the dither
 * (ditherQuantized with its nearest-entry search), the colour tree's construction (buildTree),
 * the histogram's and writeIndices' pixel loops and coarsePoints, in C with the
 * same double operations in the same order as the TypeScript (compiled with -ffp-contract=off,
 * no fast-math), so centres, assignments, palettes and PNG bytes are bit for bit the same.
 * Loaded when built (`pnpm install` builds it with node-gyp where a C compiler is found);
 * `KPRESS_CORE_NATIVE=off` turns it off. Otherwise the TypeScript kernels do all the work.
 * Loading a compiled module is the one thing here that touches the outside; the kernels
 * themselves do no I/O.
 */

// Only under Node: elsewhere (a browser) the TypeScript kernels run alone, as ever.
const nodeModule =
  typeof process === 'object' && typeof process.versions?.node === 'string'
    ? await import('node:module')
    : undefined;

/** The addon's functions; every array is read and written in place. */
export interface NativeKernels {
  treeAssign(
    lo: Uint8Array,
    hi: Uint8Array,
    points: Uint8Array,
    firstChild: Int32Array,
    childCount: Int32Array,
    start: Int32Array,
    end: Int32Array,
    weights: Float64Array,
    sum: Float64Array,
    weight: Float64Array,
    centres: Float64Array,
    k: number,
    opaque: boolean,
    sums: Float64Array,
    mass: Float64Array,
    cand: Int32Array,
    record: Int32Array | null,
    metric: Float64Array,
  ): void;
  /** Writes up to k centres, advances state[0] (Random's mulberry32 state); returns the count. */
  seed(
    points: Float64Array,
    weights: Float64Array,
    n: number,
    k: number,
    trials: number,
    state: Uint32Array,
    centres: Float64Array,
    metric: Float64Array,
  ): number;
  /** ditherQuantized's indices (native/dither.c). */
  dither(
    data: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
    channels: number,
    palette: Uint8Array,
    colors: number,
    maxError: number,
    indices: Uint8Array,
    metric: Float64Array,
  ): void;
  /**
   * buildTree's Morton order, colours and nodes (native/tree_build.c): returns the node count
   * (start's length is the capacity; 2n - 1 always suffice), opaque[0] 1 when every alpha is 255.
   */
  treeNodes(
    colors: Uint8Array,
    counts: Float64Array,
    n: number,
    points: Uint8Array,
    weights: Float64Array,
    order: Int32Array,
    start: Int32Array,
    end: Int32Array,
    firstChild: Int32Array,
    childCount: Int32Array,
    opaque: Uint8Array,
  ): number;
  /** buildTree's node statistics over start.length nodes. */
  treeStatistics(
    points: Uint8Array,
    weights: Float64Array,
    start: Int32Array,
    end: Int32Array,
    firstChild: Int32Array,
    childCount: Int32Array,
    weight: Float64Array,
    sum: Float64Array,
    lo: Uint8Array,
    hi: Uint8Array,
  ): void;
  /** countChunk3 / countChunk4 (native/hist.c): returns the new key count. */
  countDense(
    data: Uint8Array | Uint8ClampedArray,
    stride: number,
    table: Uint16Array,
    keys: Int32Array,
    size: number,
    from: number,
    to: number,
  ): number;
  sortKeys24(keys: Int32Array, n: number): void;
  /**
   * hashHistogram's pixel loop from state [at, prev, run, size, transparent] on; true when the
   * table must grow (hashRehash) before the next call.
   */
  hashCount(
    data: Uint8Array | Uint8ClampedArray,
    stride: number,
    keys: Int32Array,
    values: Int32Array,
    bits: number,
    state: Float64Array,
  ): boolean;
  hashRehash(
    oldKeys: Int32Array,
    oldValues: Int32Array,
    keys: Int32Array,
    values: Int32Array,
    bits: number,
  ): void;
  /** writeIndices' pixel loops (native/hist.c). */
  mapDense(
    data: Uint8Array | Uint8ClampedArray,
    stride: number,
    index: Uint8Array,
    indices: Uint8Array,
  ): void;
  mapHash(
    data: Uint8Array | Uint8ClampedArray,
    stride: number,
    keys: Int32Array,
    values: Int32Array,
    bits: number,
    colourIndex: Uint8Array,
    transparentIndex: number,
    indices: Uint8Array,
  ): void;
  /**
   * coarsePoints' cells (native/coarse.c): their weights, and in sums (zeroed, min(size, cells)
   * cells) their means; returns the cell count.
   */
  coarseCells(
    colors: Uint8Array,
    counts: Float64Array,
    size: number,
    bits: 5 | 6,
    sums: Float64Array,
    weights: Float64Array,
  ): number;
  /** quantize.ts' weightedSse. */
  colourSse(
    colors: Uint8Array,
    counts: Float64Array,
    size: number,
    entries: Uint8Array,
    entryCount: number,
    colourEntry: Int32Array,
  ): number;
  /** quantize.ts' entryCounts, into `out` (zeroed, one per entry). */
  entryCounts(counts: Float64Array, size: number, colourEntry: Int32Array, out: Float64Array): void;
  /** quantize.ts' colourIndices, into `out`. */
  colourIndices(size: number, colourEntry: Int32Array, index: Int32Array, out: Uint8Array): void;
  /** metrics.ts' paletteMse, or -1 for an index past the palette. */
  paletteMse(
    data: Uint8Array | Uint8ClampedArray,
    channels: 3 | 4,
    palette: Uint8Array,
    indices: Uint8Array,
  ): number;
  /** hist.ts' anyTranslucent. */
  anyTranslucent(data: Uint8Array | Uint8ClampedArray): boolean;
  /** denseHistogram's distinct colours among `listed` sorted keys, then their colours and counts. */
  distinctKeys(keys: Int32Array, listed: number): number;
  denseColours(
    keys: Int32Array,
    listed: number,
    table: Uint16Array,
    colors: Uint8Array,
    counts: Float64Array,
  ): void;
  /** hist.ts' hashColours: each slot's value becomes its colour's index. */
  hashColours(
    keys: Int32Array,
    values: Int32Array,
    size: number,
    colors: Uint8Array,
    counts: Float64Array,
  ): void;
  hamerlyInit(...args: HamerlyArrays): void;
  hamerlyReassign(...args: [...HamerlyArrays, half: Float64Array]): void;
  hamerlyLoosen(
    n: number,
    k: number,
    assign: Int32Array,
    upper: Float64Array,
    lower: Float64Array,
    moved: Float64Array,
    arg1: number,
    max1: number,
    max2: number,
  ): void;
}

type HamerlyArrays = [
  points: Float64Array,
  weights: Float64Array,
  n: number,
  centres: Float64Array,
  k: number,
  assign: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
  sums: Float64Array,
  mass: Float64Array,
  metric: Float64Array,
];

/** Every function of NativeKernels, checked on load: an addon built from older sources lacks some. */
const KERNEL_NAMES = [
  'treeAssign',
  'seed',
  'hamerlyInit',
  'hamerlyReassign',
  'hamerlyLoosen',
  'dither',
  'treeNodes',
  'treeStatistics',
  'countDense',
  'sortKeys24',
  'hashCount',
  'hashRehash',
  'mapDense',
  'mapHash',
  'coarseCells',
  'anyTranslucent',
  'distinctKeys',
  'denseColours',
  'hashColours',
  'colourSse',
  'entryCounts',
  'colourIndices',
  'paletteMse',
] as const satisfies readonly (keyof NativeKernels)[];
// a function added to NativeKernels but not to KERNEL_NAMES fails to compile here
const everyKernelNamed: Exclude<keyof NativeKernels, (typeof KERNEL_NAMES)[number]> extends never
  ? true
  : never = true;
void everyKernelNamed;

/** Which kernels cluster: the native ones, or TypeScript alone (and why). */
export type CoreKernels = { name: 'native' } | { name: 'typescript'; reason: string };

function load(): { addon?: NativeKernels; kernels: CoreKernels } {
  const ts = (reason: string) => ({ kernels: { name: 'typescript' as const, reason } });
  if (nodeModule === undefined) return ts('not running under Node');
  if (process.env.KPRESS_CORE_NATIVE === 'off') return ts('KPRESS_CORE_NATIVE=off');
  try {
    const addon = nodeModule.createRequire(import.meta.url)(
      '../native/build/Release/kpress_core.node',
    ) as NativeKernels;
    const missing = KERNEL_NAMES.filter((name) => typeof addon[name] !== 'function');
    if (missing.length > 0) {
      return ts(
        `the native kernels are out of date (no ${missing.join(', ')}): pnpm install rebuilds them`,
      );
    }
    return { addon, kernels: { name: 'native' } };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    return ts(
      /Cannot find module/.test(first)
        ? 'the native kernels are not built (a C compiler, then pnpm install)'
        : `the native kernels did not load: ${first}`,
    );
  }
}

const loaded = load();
let enabled = true;

/** The kernels that cluster on this thread. */
export function coreKernels(): CoreKernels {
  return enabled ? loaded.kernels : { name: 'typescript', reason: 'turned off' };
}

/** The native kernels when loaded and enabled (read at every call site). */
export function nativeKernels(): NativeKernels | undefined {
  return enabled ? loaded.addon : undefined;
}

/** Turns the native kernels off or back on (tests and benchmarks compare the two). */
export function useNativeKernels(on: boolean): void {
  enabled = on;
}
