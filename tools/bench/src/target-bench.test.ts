import { describe, expect, it } from 'vitest';
import { cpuRounds } from './target-bench.js';

describe('cpuRounds (KPRESS_BENCH_ROUNDS)', () => {
  it('is 5 unless set, and any odd number from 1 to 25', () => {
    expect(cpuRounds(undefined)).toBe(5);
    expect(cpuRounds('')).toBe(5);
    expect(cpuRounds('1')).toBe(1);
    expect(cpuRounds('25')).toBe(25);
  });

  it('refuses even, fractional, out-of-range and non-numbers by name', () => {
    for (const bad of ['0', '2', '2.5', '27', '-3', 'abc', '1000']) {
      expect(() => cpuRounds(bad)).toThrow(
        `KPRESS_BENCH_ROUNDS must be an odd number from 1 to 25, got ${bad}`,
      );
    }
  });
});
