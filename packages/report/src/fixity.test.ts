import { describe, expect, it } from 'vitest';
import { fixityLines } from './fixity.js';

describe('fixityLines', () => {
  it('says what digests are recorded and how the last verification went', () => {
    expect(fixityLines({ outputs: 3, outputDigests: 3 })).toEqual([
      '3 of 3 outputs carry a SHA-256 (manifest-sha256.txt, sha256sum -c)',
      'check the archive at any time with kpress verify',
    ]);
    expect(
      fixityLines({ outputs: 3, outputDigests: 2, runs: { count: 0, last: undefined } })[1],
    ).toBe('never verified: run kpress verify before deleting the originals');
    const last = {
      startedAt: '2026-12-02T10:00:00.000Z',
      deep: true,
      clean: false,
      problems: { checksum: 1, extra: 2 },
    };
    expect(fixityLines({ outputs: 3, outputDigests: 3, runs: { count: 2, last } })[1]).toBe(
      'verified 2 times; last 2026-12-02T10:00:00.000Z (deep): 1 checksum, 2 extra',
    );
    expect(
      fixityLines({
        outputs: 1,
        outputDigests: 1,
        runs: { count: 1, last: { ...last, deep: false, clean: true } },
      })[1],
    ).toBe('verified 1 time; last 2026-12-02T10:00:00.000Z: clean');
  });
});
