import { describe, expect, it } from 'vitest';
import { bucketNameProblem, formatS3Url, parseS3Url, prefixesOverlap } from './s3-url.js';

describe('parseS3Url', () => {
  it('splits bucket and prefix, normalising the prefix to end in "/"', () => {
    expect(parseS3Url('s3://my-bucket/photos/2024/')).toEqual({
      bucket: 'my-bucket',
      prefix: 'photos/2024/',
    });
    expect(parseS3Url('s3://my-bucket/photos')).toEqual({ bucket: 'my-bucket', prefix: 'photos/' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://b.c-1/a b/é+%/')).toEqual({ bucket: 'b.c-1', prefix: 'a b/é+%/' });
  });

  it.each(['http://bucket/x', 'bucket/x', 'S3://bucket/', '', 's3:/bucket'])(
    'refuses %j as not an s3:// URL',
    (text) => {
      expect(() => parseS3Url(text)).toThrow(`not an s3:// URL: ${JSON.stringify(text)}`);
    },
  );

  it.each([
    ['s3://ab/', 'must be 3 to 63 characters long'],
    ['s3://My-Bucket/', 'may hold only lowercase letters'],
    ['s3://bucket_x/', 'may hold only lowercase letters'],
    ['s3://-bucket/', 'must start and end with a letter or digit'],
    ['s3://a..b/', 'must not contain ".."'],
    ['s3://192.168.1.1/', 'must not look like an IP address'],
    ['s3:///x/', 'must be 3 to 63'],
  ])('refuses the bucket of %s', (text, reason) => {
    const bucket = text.slice(5).split('/')[0];
    expect(() => parseS3Url(text)).toThrow(
      `bucket name ${JSON.stringify(bucket)} is invalid: ${reason}`,
    );
  });

  it('refuses a prefix starting with "/"', () => {
    expect(() => parseS3Url('s3://bucket//x/')).toThrow(/starts with "\/"/);
  });

  it('formatS3Url is the inverse of parseS3Url', () => {
    for (const url of ['s3://bucket/', 's3://bucket/a/b/', 's3://bucket/é x/']) {
      expect(formatS3Url(parseS3Url(url))).toBe(url);
    }
  });

  it('bucketNameProblem accepts a valid name', () => {
    expect(bucketNameProblem('kpress-data.eu-1')).toBeUndefined();
  });
});

describe('prefixesOverlap', () => {
  const at = (u: string) => parseS3Url(u);
  it('is true for the same prefix and for one inside the other in the same bucket', () => {
    expect(prefixesOverlap(at('s3://bkt1/a/'), at('s3://bkt1/a/'))).toBe(true);
    expect(prefixesOverlap(at('s3://bkt1/a/'), at('s3://bkt1/a/out/'))).toBe(true);
    expect(prefixesOverlap(at('s3://bkt1/a/out/'), at('s3://bkt1/a/'))).toBe(true);
    expect(prefixesOverlap(at('s3://bkt1/'), at('s3://bkt1/out/'))).toBe(true);
  });
  it('is false for siblings, look-alike prefixes and other buckets', () => {
    expect(prefixesOverlap(at('s3://bkt1/a/'), at('s3://bkt1/b/'))).toBe(false);
    expect(prefixesOverlap(at('s3://bkt1/a/'), at('s3://bkt1/ab/'))).toBe(false);
    expect(prefixesOverlap(at('s3://bkt1/a/'), at('s3://bkt2/a/'))).toBe(false);
  });
});
