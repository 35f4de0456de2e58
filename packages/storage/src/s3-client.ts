import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '@kpress/config';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Options of `createS3Client`. */
export interface S3ClientOptions {
  /** Attempts per request, including the first (SDK standard retry mode); default 5. */
  maxAttempts?: number;
  /** Most concurrent connections per host (keep-alive agent); default 64. */
  maxSockets?: number;
  /** Time to establish a connection, ms; default 5000. */
  connectionTimeoutMs?: number;
  /** Time without socket activity before a request fails, ms; default 60000. */
  requestTimeoutMs?: number;
  /** Credentials; default the AWS SDK's default chain (environment, profile, instance role...). */
  credentials?: S3ClientConfig['credentials'];
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
  }
  return value;
}

/**
 * An S3 client for the configured region and endpoint. Custom endpoints
 * (S3-compatible servers such as s3rver or MinIO) get path-style addressing
 * when `s3ForcePathStyle` is set, and checksums only WHEN_REQUIRED: otherwise the
 * SDK sends aws-chunked bodies with trailing checksums that some servers store
 * verbatim (an upload of 1,271 bytes came back as 1,314). Close with `destroy()`.
 */
export function createS3Client(
  config: Pick<Config, 's3Endpoint' | 's3ForcePathStyle' | 'awsRegion'>,
  options: S3ClientOptions = {},
): S3Client {
  const maxAttempts = positiveInt('maxAttempts', options.maxAttempts ?? 5);
  const maxSockets = positiveInt('maxSockets', options.maxSockets ?? 64);
  const connectionTimeout = positiveInt('connectionTimeoutMs', options.connectionTimeoutMs ?? 5000);
  const requestTimeout = positiveInt('requestTimeoutMs', options.requestTimeoutMs ?? 60_000);
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxSockets, 16) };
  const custom = config.s3Endpoint !== undefined;
  return new S3Client({
    region: config.awsRegion,
    ...(custom
      ? {
          endpoint: config.s3Endpoint,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
    forcePathStyle: config.s3ForcePathStyle,
    retryMode: 'standard',
    maxAttempts,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout,
      requestTimeout,
    }),
  });
}
