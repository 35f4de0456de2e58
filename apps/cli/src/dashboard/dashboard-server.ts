import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import {
  type Config,
  createLogger,
  createRedis,
  type Logger,
  type Redis,
  redactUrl,
} from '@kpress/config';
import { createQueue, type KpressQueue, RedisOutage } from '@kpress/queue';
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
  /** Where Redis outages are logged. Default createLogger at config.logLevel. */
  logger?: Logger;
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
  private readonly outage: RedisOutage;
  /** A client of its own that tells whether Redis answers (commands fail at once while it does not). */
  private readonly probe: Redis;
  private readonly where: string;

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
    this.where = redactUrl(options.config.redisUrl);
    this.outage = new RedisOutage({
      logger: options.logger ?? createLogger({ level: options.config.logLevel }),
      where: this.where,
    });
    this.queue = createQueue(options.config);
    this.queue.on('error', (err) => this.outage.report(err));
    this.probe = createRedis(options.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.probe.on('error', (err) => this.outage.report(err));
    this.probe.on('ready', () => this.outage.recovered());
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
    this.app.get('/healthz', (_req, res) => {
      const redis = this.redisState();
      res.status(redis === 'ready' ? 200 : 503).json({ ok: redis === 'ready', redis });
    });
    this.app.use((_req, res, next) => {
      if (this.redisState() === 'ready') return next();
      res
        .status(503)
        .type('text/plain')
        .send(
          `${this.redisProblem()}: the dashboard keeps trying; reload this page once Redis is back\n`,
        );
    });
    this.app.use('/', adapter.getRouter());
  }

  /** 'ready' while Redis answers, 'connecting' before its first answer or error, 'down' during an outage. */
  redisState(): 'ready' | 'connecting' | 'down' {
    if (this.outage.down) return 'down';
    return this.probe.status === 'ready' ? 'ready' : 'connecting';
  }

  /** "Redis at <url> does not answer (<error>) for N s", or "... has not answered yet". */
  redisProblem(): string {
    if (!this.outage.down) return `Redis at ${this.where} has not answered yet`;
    const s = Math.round(this.outage.downForMs() / 1000);
    return `Redis at ${this.where} does not answer (${this.outage.lastError}) for ${s} s`;
  }

  /** Resolves once Redis answered or failed to (at most `timeoutMs`, default 3 s), with `redisState()`. */
  async firstRedisAnswer(timeoutMs = 3000): Promise<'ready' | 'connecting' | 'down'> {
    const started = Date.now();
    while (this.redisState() === 'connecting' && Date.now() - started < timeoutMs) {
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.redisState();
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
      // quit() waits for a Redis that does not answer: give it 2 s, then cut the connections
      let timer: NodeJS.Timeout | undefined;
      const quit = Promise.all([
        this.queue.close(),
        this.probe.quit().catch(() => this.probe.disconnect()),
      ]).then(() => 'quit' as const);
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), this.outage.down ? 0 : 2000);
      });
      if ((await Promise.race([quit, late])) === 'late') {
        await this.queue.disconnect().catch(() => {});
        this.probe.disconnect();
      }
      clearTimeout(timer);
    })();
    return this.closing;
  }
}
