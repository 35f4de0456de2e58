import { describe, expect, it } from 'vitest';
import { etagIsMd5 } from './etag.js';

describe('etagIsMd5', () => {
  it('takes a plain 32-hex-digit ETag (no encryption or SSE-S3) as an MD5', () => {
    expect(etagIsMd5('5d41402abc4b2a76b9719d911017c592')).toBe(true);
    expect(etagIsMd5('5D41402ABC4B2A76B9719D911017C592', { ServerSideEncryption: 'AES256' })).toBe(
      true,
    );
  });

  it('does not check multipart, odd or encrypted-object ETags', () => {
    expect(etagIsMd5('5d41402abc4b2a76b9719d911017c592-3')).toBe(false);
    expect(etagIsMd5('')).toBe(false);
    expect(etagIsMd5('5d41402abc4b2a76b9719d911017c59')).toBe(false);
    expect(etagIsMd5('zz41402abc4b2a76b9719d911017c592')).toBe(false);
    const plain = '5d41402abc4b2a76b9719d911017c592';
    expect(etagIsMd5(plain, { ServerSideEncryption: 'aws:kms' })).toBe(false);
    expect(etagIsMd5(plain, { ServerSideEncryption: 'aws:kms:dsse' })).toBe(false);
    expect(etagIsMd5(plain, { SSECustomerAlgorithm: 'AES256' })).toBe(false);
  });
});
