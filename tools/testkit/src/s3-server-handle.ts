import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** The S3 servers the test kit can start: s3rver (in process, the demo's) and Ceph's RGW (the truth). */
export type S3ServerKind = 's3rver' | 'rgw';

/** An S3 access key pair. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A running loopback S3 server and a client for it. */
export interface S3Server {
  readonly kind: S3ServerKind;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** The server's own temporary directory (s3rver's objects, RGW's cluster and logs); removed by `close()`. */
  readonly directory: string;
  /** The key pair the client and `env` use. */
  readonly credentials: S3Credentials;
  /**
   * Environment for a kpress process using this server: S3_ENDPOINT,
   * S3_FORCE_PATH_STYLE, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
   * and what the server needs besides (s3rver: KPRESS_LIST_CONCURRENCY=1).
   */
  readonly env: Record<string, string>;
  /** A client for the server (path style, checksums only when required). */
  readonly client: S3Client;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /**
   * Makes the server accept another key pair for the same account (so the same
   * buckets), e.g. distinctive marker credentials for a leak test. Resolves to
   * a function that revokes it.
   */
  addKey(accessKeyId: string, secretAccessKey: string): Promise<() => Promise<void>>;
  /** Stops the server, destroys the client and removes what it stored; idempotent. */
  close(): Promise<void>;
}

/**
 * An S3 client for an S3-compatible endpoint, with the settings kpress uses for
 * custom endpoints: path style, and checksums only WHEN_REQUIRED (s3rver stores
 * the SDK's aws-chunked framing inside the object otherwise, and RGW 16 refuses
 * streamed checksum uploads with 411 MissingContentLength).
 */
export function s3ClientFor(
  endpoint: string,
  credentials: S3Credentials,
  region = 'us-east-1',
): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** What a server implementation hands to `s3ServerHandle`. */
export interface S3ServerParts {
  kind: S3ServerKind;
  endpoint: string;
  directory: string;
  credentials: S3Credentials;
  addKey(accessKeyId: string, secretAccessKey: string): Promise<() => Promise<void>>;
  /** Settings kpress needs on this server, added to `env`. */
  env?: Record<string, string>;
  /** Stops the server itself (the client is destroyed first). */
  close(): Promise<void>;
}

/** The `S3Server` around a started server: client, env, buckets and an idempotent close. */
export function s3ServerHandle(parts: S3ServerParts): S3Server {
  const client = s3ClientFor(parts.endpoint, parts.credentials);
  let closing: Promise<void> | undefined;
  return {
    kind: parts.kind,
    endpoint: parts.endpoint,
    port: Number(new URL(parts.endpoint).port),
    directory: parts.directory,
    credentials: parts.credentials,
    env: {
      S3_ENDPOINT: parts.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: parts.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: parts.credentials.secretAccessKey,
      ...parts.env,
    },
    client,
    async createBucket(name: string) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    addKey: parts.addKey,
    close() {
      closing ??= (async () => {
        client.destroy();
        await parts.close();
      })();
      return closing;
    },
  };
}
