/**
 * Whether a PUT's ETag is the MD5 of the body, so it can be checked: 32 hex
 * digits with no '-' (multipart ETags are `<md5 of md5s>-<parts>`), and the
 * object is not encrypted with SSE-KMS, DSSE-KMS or SSE-C (S3 documents their
 * ETags as not the MD5 of the data; SSE-S3's is).
 */
export function etagIsMd5(
  etag: string,
  response: { ServerSideEncryption?: string; SSECustomerAlgorithm?: string } = {},
): boolean {
  if (!/^[0-9a-fA-F]{32}$/.test(etag)) return false;
  if (response.SSECustomerAlgorithm !== undefined) return false;
  const sse = response.ServerSideEncryption;
  return sse === undefined || sse === 'AES256';
}
