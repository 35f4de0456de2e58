import { describe, expect, it } from 'vitest';
import { unwritableReason } from './layout.js';
import { normalisePrefix, parseS3Url, prefixesOverlap, unsafeSegmentProblem } from './s3-url.js';

describe('unsafe path segments', () => {
  it('names empty, "." and ".." segments', () => {
    expect(unsafeSegmentProblem('a//b')).toBe('has an empty path segment ("//" or a leading "/")');
    expect(unsafeSegmentProblem('/a')).toMatch(/empty path segment/);
    expect(unsafeSegmentProblem('a/./b')).toBe('has a "." path segment');
    expect(unsafeSegmentProblem('..')).toBe('has a ".." path segment');
    for (const ok of ['a/b/', 'a', '', '.hidden/x', 'a..b/c', '...']) {
      expect(unsafeSegmentProblem(ok), ok).toBeUndefined();
    }
  });

  it('parseS3Url refuses such prefixes', () => {
    expect(() => parseS3Url('s3://bkt/a/../b/')).toThrow(
      'prefix of "s3://bkt/a/../b/" has a ".." path segment: some S3-compatible stores and proxies normalise such paths, so the prefix would not mean what it says',
    );
    expect(() => parseS3Url('s3://bkt/a//b/')).toThrow(/empty path segment/);
  });

  it('a source with such a relative path has a reason, and nothing is written for it', () => {
    expect(unwritableReason('in/a/../b.jpg', 'in/', 'out/', 'b1')).toBe(
      'unsafe path: the name under the source prefix has a ".." path segment, which some S3-compatible stores and proxies rewrite to another key; rename the object',
    );
    expect(unwritableReason('in/a/b.jpg', 'in/', 'out/', 'b1')).toBeUndefined();
  });
});

describe('overlap on normalised prefixes', () => {
  it('normalises as a rewriting store would', () => {
    expect(normalisePrefix('a/./b//c/')).toBe('a/b/c/');
    expect(normalisePrefix('a/b/../')).toBe('a/');
    expect(normalisePrefix('../../')).toBe('');
  });

  it('finds overlaps hidden by dot segments', () => {
    const at = (prefix: string) => ({ bucket: 'bkt', prefix });
    expect(prefixesOverlap(at('in/'), at('out/x/../../in/sub/'))).toBe(true);
    expect(prefixesOverlap(at('in/./'), at('in/'))).toBe(true);
    expect(prefixesOverlap(at('in/'), at('input/'))).toBe(false);
    expect(prefixesOverlap(at('in/'), { bucket: 'other', prefix: 'in/' })).toBe(false);
  });
});

describe('batch options', () => {
  it('compare with an absent stripMetadata as false and an absent effort as 3, and describe as the command line', async () => {
    const { describeBatch, sameBatchOptions } = await import('./batch-file.js');
    const o = { colors: 16, seed: 1 };
    expect(sameBatchOptions(o, { ...o, stripMetadata: false })).toBe(true);
    expect(sameBatchOptions(o, { ...o, stripMetadata: true })).toBe(false);
    expect(sameBatchOptions(o, { ...o, quality: 40 })).toBe(false);
    expect(sameBatchOptions(o, { ...o, effort: 3 })).toBe(true);
    expect(sameBatchOptions(o, { ...o, effort: 5 })).toBe(false);
    expect(sameBatchOptions(o, { ...o, dither: false })).toBe(true);
    expect(sameBatchOptions(o, { ...o, dither: true })).toBe(false);
    expect(
      describeBatch({ source: 's3://a/x/', dest: 's3://b/y/', options: { ...o, dither: true } }),
    ).toBe('s3://a/x/ -> s3://b/y/ --colors 16 --seed 1 --effort 3 --dither');
    expect(
      describeBatch({
        source: 's3://a/x/',
        dest: 's3://b/y/',
        options: { ...o, stripMetadata: true },
      }),
    ).toBe('s3://a/x/ -> s3://b/y/ --colors 16 --seed 1 --effort 3 --strip-metadata');
  });
});
