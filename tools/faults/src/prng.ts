import { mulberry32 as generator } from '@kpress/core';

/**
 * A seeded PRNG giving floats in [0, 1) (@kpress/core's mulberry32, the one
 * of kpress). The same seed gives the same sequence, so a fault run can be
 * replayed; the seed must be an integer.
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return generator(seed);
}
