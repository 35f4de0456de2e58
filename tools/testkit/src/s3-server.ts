import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { type RgwServerOptions, startRgwServer } from './rgw-server.js';
import { acceptS3Credentials } from './s3-credentials.js';
import { type S3Server, type S3ServerKind, s3ServerHandle } from './s3-server-handle.js';
import { s3rverFixes } from './s3rver-fixes.js';

/** Options of `startS3Server`. */
export interface S3ServerOptions extends RgwServerOptions {
  /** Which server; default `'s3rver'`. */
  kind?: S3ServerKind;
}

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * The servers the integration suites run against, from `KPRESS_TEST_S3`:
 * `both` (default: RGW, the real S3 implementation, and s3rver, which the demo
 * embeds), `rgw` or `s3rver`. Anything else throws naming the variable.
 */
export function testS3Kinds(value = process.env.KPRESS_TEST_S3): S3ServerKind[] {
  const v = (value ?? '').trim() || 'both';
  if (v === 'both') return ['rgw', 's3rver'];
  if (v === 'rgw' || v === 's3rver') return [v];
  throw new Error(
    `KPRESS_TEST_S3: expected one of both, rgw, s3rver; got ${JSON.stringify(value)}`,
  );
}

/** Starts an S3 server of `options.kind` (s3rver by default) with `options.buckets`. */
export function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  return (options.kind ?? 's3rver') === 'rgw' ? startRgwServer(options) : startS3rver(options);
}

/**
 * Starts s3rver on 127.0.0.1 on a free port, silent, storing in a fresh
 * temporary directory that `close()` removes.
 */
export async function startS3rver(options: { buckets?: string[] } = {}): Promise<S3Server> {
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
  return s3ServerHandle({
    kind: 's3rver',
    directory,
    endpoint: `http://127.0.0.1:${address.port}`,
    credentials: S3RVER_CREDENTIALS,
    // s3rver 3.7's delimited listings drop folders that hold only folders and
    // misorder their objects: list it one page after another
    env: { KPRESS_LIST_CONCURRENCY: '1' },
    addKey: async (accessKeyId, secretAccessKey) => {
      const revoke = acceptS3Credentials(accessKeyId, secretAccessKey);
      return async () => revoke();
    },
    async close() {
      // keep-alive sockets from any client would hold close() open
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  });
}
