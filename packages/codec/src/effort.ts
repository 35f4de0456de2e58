import { EFFORT } from '@kpress/core';

/** How one effort level writes the IDAT. */
export interface EffortPlan {
  /** libdeflate level (1..12; with the zlib fallback, above 9 means 9). */
  readonly level: number;
  /**
   * Try more than one encoding and keep the smallest: 8-bit indices beside
   * the packed 1/2/4-bit ones (byte-aligned pixels give deflate longer
   * matches on some images), and the palette in luminance order beside its
   * frequency order. Pixels are the same in every candidate.
   */
  readonly search: boolean;
}

/**
 * Effort 1..5 (rule: @kpress/core EFFORT; default 3). Measured with
 * libdeflate 1.14 on the sample photos and the bench's 12 MP image at k = 16
 * (tools/bench, `pnpm bench`; bytes against the zlib 9/8 this replaced):
 * - 1: level 6, 2-3 ms a 0.3 MP photo; still no larger than sharp's effort 1.
 * - 2: level 8, about zlib 9's bytes at a fifth of its time.
 * - 3: level 10 (near-optimal parsing): 3.6-8% smaller than zlib 9 at k = 16-256.
 * - 4: level 12: a further 1-2.5%, at 2.5x level 10's time.
 * - 5: level 12 on every candidate of `search`, about 4x effort 4.
 */
export const EFFORT_PLANS: Readonly<Record<number, EffortPlan>> = {
  1: { level: 6, search: false },
  2: { level: 8, search: false },
  3: { level: 10, search: false },
  4: { level: 12, search: false },
  5: { level: 12, search: true },
};

/** The plan of `effort` (checked by EFFORT's rule). */
export function effortPlan(effort: number = EFFORT.default as number): EffortPlan {
  return EFFORT_PLANS[EFFORT.check(effort)] as EffortPlan;
}
