import { describe, expect, it } from 'vitest';
import { KeyHashSet } from './key-set.js';

describe('KeyHashSet', () => {
  it('holds what was added, and nothing else, across growth', () => {
    const s = new KeyHashSet();
    for (let i = 0; i < 20_000; i++) s.add(`out/k${i}.png`);
    s.add('out/k1.png');
    expect(s.size).toBe(20_000);
    for (let i = 0; i < 20_000; i++) expect(s.has(`out/k${i}.png`)).toBe(true);
    for (let i = 20_000; i < 40_000; i++) expect(s.has(`out/k${i}.png`)).toBe(false);
    expect(s.has('')).toBe(false);
  });
});
