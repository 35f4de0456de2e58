import { describe, expect, it } from 'vitest';
import { enclosingPrefixes } from './dest-owners.js';

describe('enclosingPrefixes', () => {
  it('lists the bucket root and each parent folder, not the prefix itself', () => {
    expect(enclosingPrefixes('a/b/c/')).toEqual(['', 'a/', 'a/b/']);
    expect(enclosingPrefixes('a/')).toEqual(['']);
    expect(enclosingPrefixes('')).toEqual([]);
  });
});
