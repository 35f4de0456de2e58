/**
 * Seeded PRNG (mulberry32): 32-bit integer arithmetic only, so the same seed yields the same
 * sequence on every engine and machine. Never Math.random.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Scramble the seed so that nearby seeds start far apart.
    this.state = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) | 0;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }
}
