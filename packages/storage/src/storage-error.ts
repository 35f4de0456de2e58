import { redact } from '@kpress/config';

/** What went wrong, as callers need to act on it. */
export type StorageErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'AccessDenied'
  | 'TooLarge'
  | 'InvalidRequest'
  | 'Transient'
  | 'Unknown';

/** A failed storage operation; the message never holds credentials. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** Whether trying again later may succeed (5xx, throttling, network resets and timeouts). */
  readonly retryable: boolean;

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: { operation: string; bucket?: string; key?: string; status?: number } = {
      operation: 'unknown',
    },
    options?: { cause?: unknown },
  ) {
    super(redact(message), options);
    this.retryable = code === 'Transient';
  }
}

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeTooSkewed',
  // the body S3 received does not match the Content-MD5 sent: changed in transit, send it again
  'BadDigest',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

function codeFor(name: string, status: number | undefined, netCode: string | undefined) {
  if (name === 'NoSuchBucket') return 'NoSuchBucket';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'NoSuchKey';
  if (
    name === 'AccessDenied' ||
    name === 'Forbidden' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'ExpiredToken' ||
    status === 403
  ) {
    return 'AccessDenied';
  }
  if (name === 'EntityTooLarge') return 'TooLarge';
  if (TRANSIENT_NAMES.has(name) || (status !== undefined && (status >= 500 || status === 429))) {
    return 'Transient';
  }
  if (netCode !== undefined && NETWORK_CODES.has(netCode)) return 'Transient';
  if (status !== undefined && status >= 400) return 'InvalidRequest';
  return 'Unknown';
}

/**
 * Maps an AWS SDK (or network) error to a `StorageError`. A StorageError
 * passes through unchanged. `NoSuchKey` also covers HEAD's bare 404.
 */
export function toStorageError(
  err: unknown,
  operation: string,
  bucket?: string,
  key?: string,
): StorageError {
  if (err instanceof StorageError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsLikeError;
  const name = e.Code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const netCode = typeof e.code === 'string' ? e.code : undefined;
  const code = codeFor(name, status, netCode);
  const where = bucket === undefined ? '' : ` s3://${bucket}/${key ?? ''}`;
  const original = e.message && e.message !== name ? `: ${e.message}` : '';
  const statusText = status === undefined ? '' : ` (HTTP ${status})`;
  return new StorageError(
    code,
    `${operation}${where} failed: ${name}${netCode && netCode !== name ? ` ${netCode}` : ''}${statusText}${original}`,
    { operation, bucket, key, status },
    { cause: err },
  );
}
