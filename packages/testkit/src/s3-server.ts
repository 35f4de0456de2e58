import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { s3rverFixes } from './s3rver-fixes.js';

/** Options of `startS3Server`. */
export interface S3ServerOptions {
  /** Buckets created before the server answers; default none. */
  buckets?: string[];
}

/** A running loopback S3 server (s3rver) and a client for it. */
export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Where s3rver stores objects (a fresh temporary directory, removed by `close()`). */
  directory: string;
  /**
   * Environment for a kpress process using this server: S3_ENDPOINT,
   * S3_FORCE_PATH_STYLE, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
   * (s3rver's fixed S3RVER/S3RVER).
   */
  env: Record<string, string>;
  /** A client for the server (path style, checksums only when required). */
  client: S3Client;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /** Stops the server, destroys the client and removes the server's directory. */
  close(): Promise<void>;
}

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * An S3 client for an S3-compatible endpoint, with the settings kpress uses for
 * custom endpoints: path style, and checksums only WHEN_REQUIRED (otherwise the
 * SDK's aws-chunked framing is stored by s3rver as part of the body).
 */
export function s3ClientFor(endpoint: string, region = 'us-east-1'): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Starts s3rver on 127.0.0.1 on a free port, silent, storing in a fresh
 * temporary directory that `close()` removes.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'kpress-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  server.middleware.unshift(s3rverFixes);
  let address: Awaited<ReturnType<S3rver['run']>>;
  try {
    address = await server.run();
  } catch (err) {
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = s3ClientFor(endpoint);
  let closed = false;
  return {
    endpoint,
    port: address.port,
    directory,
    env: {
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    client,
    async createBucket(name: string) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      // keep-alive sockets from any client would hold close() open
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
