/**
 * mulberry32, the one seeded PRNG of kpress: 32-bit integer arithmetic only,
 * so the same seed yields the same sequence on every engine and machine.
 * Never Math.random. The k-means start (`Random`), the report's pixel samples
 * (@kpress/report's images) and the fault suite's replayable runs all draw from it.
 */

/** mulberry32 from `seed` (taken as its low 32 bits), as uniform integers in [0, 2^32). */
export function mulberry32Uint32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    return mulberry32Output(a);
  };
}

/** mulberry32's output for its (already advanced) 32-bit state `a`. */
function mulberry32Output(a: number): number {
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** mulberry32 from `seed` (taken as its low 32 bits), as uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const next = mulberry32Uint32(seed);
  return () => next() / 4294967296;
}

/** The k-means start's generator: mulberry32 from a scrambled seed, so that nearby seeds start far apart. */
export class Random {
  /**
   * mulberry32's 32-bit state (as an unsigned integer): the native k-means++ (native/seed.c)
   * draws from it and hands it back, so the stream goes on exactly where the C left it.
   */
  state: number;

  constructor(seed: number) {
    this.state = (Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) | 0) >>> 0;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    return mulberry32Output(this.state | 0);
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }
}
