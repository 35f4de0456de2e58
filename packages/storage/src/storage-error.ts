import { redact } from '@kpress/config';

/** What went wrong, as callers need to act on it. */
export type StorageErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'AccessDenied'
  | 'TooLarge'
  | 'PreconditionFailed'
  | 'NotImplemented'
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
  // likewise for the signed payload hash (RGW checks it before Content-MD5; so does AWS
  // for a body whose x-amz-content-sha256 is signed)
  'XAmzContentSHA256Mismatch',
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
  // a conditional write (If-None-Match: *) found an object at the key
  if (name === 'PreconditionFailed' || status === 412) return 'PreconditionFailed';
  // a server without the feature (object tagging on some S3 look-alikes): trying again cannot help
  if (name === 'NotImplemented' || status === 501) return 'NotImplemented';
  if (TRANSIENT_NAMES.has(name) || (status !== undefined && (status >= 500 || status === 429))) {
    return 'Transient';
  }
  if (netCode !== undefined && NETWORK_CODES.has(netCode)) return 'Transient';
  if (status !== undefined && status >= 400) return 'InvalidRequest';
  return 'Unknown';
}

/** Credential failures: a 403 that has nothing to do with whether the key exists. */
const CREDENTIAL_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

/**
 * A GET or HEAD of one key. S3 answers a read of a MISSING key with 403
 * AccessDenied instead of 404 when the caller has no s3:ListBucket that
 * applies to the request (a ListBucket limited by an `s3:prefix` condition
 * does not: a GET/HEAD carries no prefix), so such a 403 may mean "absent".
 */
function isKeyRead(operation: string, key: string | undefined, name: string): boolean {
  return (
    key !== undefined &&
    (operation === 'get' || operation === 'head') &&
    !CREDENTIAL_NAMES.has(name)
  );
}

/**
 * Maps an AWS SDK (or network) error to a `StorageError`. A 403 on a GET or
 * HEAD of a key says "access denied (or the object does not exist and the
 * role lacks s3:ListBucket ...)": see infra/README.md, IAM. A StorageError
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
  const hint =
    code === 'AccessDenied' && bucket !== undefined && isKeyRead(operation, key, name)
      ? `access denied (or the object does not exist and the role lacks s3:ListBucket on bucket "${bucket}"): `
      : '';
  return new StorageError(
    code,
    `${operation}${where} failed: ${hint}${name}${netCode && netCode !== name ? ` ${netCode}` : ''}${statusText}${original}`,
    { operation, bucket, key, status },
    { cause: err },
  );
}

/**
 * The value of `work`, or undefined when it failed because the object is not
 * there (a StorageError `NoSuchKey`): the one place "NoSuchKey means absent"
 * is written. Any other error is thrown.
 */
export async function undefinedIfAbsent<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}
