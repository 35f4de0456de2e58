import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '@kpress/config';
import { createQueue, type KpressQueue } from '@kpress/queue';
import express from 'express';
import { type BasicAuthCredentials, basicAuth } from './basic-auth.js';
import { hostCheck, LOOPBACK_HOSTS } from './host-check.js';

/** Options of {@link DashboardServer}. */
export interface DashboardOptions {
  /** Configuration: REDIS_URL and KPRESS_QUEUE (the queue shown). */
  config: Config;
  /** Port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Let the board retry, clean, pause, promote and add jobs. Default false (read-only). */
  allowActions?: boolean;
  /** Ask for HTTP basic auth with these. Default none (no auth); required with `allowActions`. */
  auth?: BasicAuthCredentials;
  /**
   * Host names (the `Host` header, without port) the server answers to beside
   * localhost, 127.0.0.1, ::1 and `host` (when it is not 0.0.0.0 or ::);
   * requests for any other name get 421. Default none.
   */
  extraHosts?: readonly string[];
}

/**
 * bull-board for the kpress queue on an express server: read-only unless
 * `allowActions`, behind basic auth when `auth` is given. `close()` stops the
 * server and closes the queue connection.
 */
export class DashboardServer {
  private readonly queue: KpressQueue;
  private readonly app: express.Express;
  private server: Server | undefined;
  private closing: Promise<void> | undefined;
  readonly host: string;
  private readonly wantedPort: number;

  constructor(options: DashboardOptions) {
    const port = options.port ?? 3000;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`port must be an integer in 0..65535, got ${options.port}`);
    }
    this.wantedPort = port;
    this.host = options.host ?? '127.0.0.1';
    if (options.allowActions === true && options.auth === undefined) {
      throw new TypeError(
        'allowActions needs auth: whoever can add or edit jobs can make workers do anything a job can',
      );
    }
    const wildcard = this.host === '0.0.0.0' || this.host === '::';
    const allowedHosts = [
      ...LOOPBACK_HOSTS,
      ...(wildcard ? [] : [this.host]),
      ...(options.extraHosts ?? []),
    ];
    this.queue = createQueue(options.config);
    const adapter = new ExpressAdapter();
    adapter.setBasePath('/');
    createBullBoard({
      queues: [new BullMQAdapter(this.queue, { readOnlyMode: options.allowActions !== true })],
      // @bull-board/express 9.10.1 types against its own @bull-board/api 9.10.1 (this app has
      // 9.10.2): the same interface from two copies, so TypeScript needs the cast.
      serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: `kpress: ${options.config.queueName}` } },
    });
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.use(hostCheck(allowedHosts));
    if (options.auth !== undefined) this.app.use(basicAuth(options.auth));
    this.app.use('/', adapter.getRouter());
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = this.app.listen(this.wantedPort, this.host, (err?: Error) => {
        if (err) reject(err);
        else resolve((server.address() as AddressInfo).port);
      });
      server.once('error', reject);
      this.server = server;
    });
  }

  /** Stops the server (dropping open connections) and closes the queue. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      if (server?.listening) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      await this.queue.close();
    })();
    return this.closing;
  }
}
