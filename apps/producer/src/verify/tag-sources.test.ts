import type { ManifestRow } from '@kpress/manifest';
import { describe, expect, it } from 'vitest';
import { tagCountsLine, tagVerdict } from './tag-sources.js';

const SRC = 'a'.repeat(64);
const OUT = 'b'.repeat(64);

const compressed: ManifestRow = {
  key: 'in/a.jpg',
  status: 'compressed',
  originalBytes: 999,
  outputKey: 'out/a.jpg.png',
  outputBytes: 100,
  width: 6,
  height: 4,
  colors: 4,
  psnr: 40,
  ms: 1,
  error: null,
  sha256: SRC,
  outputSha256: OUT,
  etag: 'e1',
};
const kept: ManifestRow = {
  ...compressed,
  key: 'in/spin.png',
  status: 'kept-original',
  outputKey: 'out/spin.png',
  outputSha256: SRC,
  error: 'animated',
};
const failed: ManifestRow = {
  ...compressed,
  status: 'failed',
  outputKey: null,
  outputBytes: null,
  outputSha256: null,
  error: 'unreadable',
};
const read = { sha256: SRC, etag: 'e2' };

describe('tagVerdict', () => {
  it('tags a clean compressed or kept row whose source was re-read, with the ETag read', () => {
    expect(tagVerdict(compressed, { problems: 0, source: read })).toEqual({
      tag: true,
      etag: 'e2',
    });
    expect(tagVerdict(kept, { problems: 0, source: read })).toEqual({ tag: true, etag: 'e2' });
  });

  it('never tags a row with a problem, a failed row, or a source not re-read or changed', () => {
    const no = (row: ManifestRow, check: Parameters<typeof tagVerdict>[1]) => {
      const v = tagVerdict(row, check);
      return v.tag ? 'tagged' : v.reason;
    };
    expect(no(compressed, { problems: 1, source: read })).toBe('problems found');
    expect(no(failed, { problems: 0 })).toBe('failed row');
    expect(no({ ...failed, status: 'skipped' as never }, { problems: 0 })).toBe('skipped row');
    expect(no(compressed, { problems: 0 })).toBe('source gone');
    expect(no(compressed, { problems: 0, source: { ...read, sha256: OUT } })).toBe(
      'source changed',
    );
    expect(no({ ...compressed, sha256: null }, { problems: 0, source: read })).toBe(
      'no source sha256 in the manifest',
    );
    expect(no({ ...kept, outputSha256: OUT }, { problems: 0, source: read })).toBe(
      "copy's sha256 is not the source's",
    );
  });
});

describe('tagCountsLine', () => {
  it('says what was tagged and why the rest was not', () => {
    expect(
      tagCountsLine({
        tagged: 3,
        alreadyTagged: 0,
        taggedByOtherBatch: 1,
        notTagged: { 'failed row': 1, 'problems found': 2 },
      }),
    ).toBe(
      '3 tagged, 0 already tagged, 1 tagged by another batch (kept), 3 not tagged (1 failed row, 2 problems found)',
    );
  });
});
