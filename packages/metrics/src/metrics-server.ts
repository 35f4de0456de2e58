import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { HealthCheck, HealthStatus } from './health.js';

/** Options of {@link MetricsServer}. */
export interface MetricsServerOptions {
  /** The registry served on `/metrics`. */
  registry: Registry;
  /** Port; 0 picks a free one. Containers use 9464. Required. */
  port: number;
  /** Address to listen on. Default `127.0.0.1` (this machine only; `0.0.0.0` lets Prometheus scrape from elsewhere). */
  host?: string;
  /** Answers `/healthz`. Default: always ok. */
  health?: HealthCheck;
}

/**
 * A small HTTP server: `GET /metrics` (Prometheus text format) and
 * `GET /healthz` (JSON; 200 when healthy, 503 otherwise). Anything else is 404.
 * `listen()` starts it; `close()` stops it and drops open connections.
 */
export class MetricsServer {
  private readonly server: Server;
  private readonly options: MetricsServerOptions;
  private closing: Promise<void> | undefined;

  constructor(options: MetricsServerOptions) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RangeError(`port must be an integer in 0..65535, got ${options.port}`);
    }
    this.options = options;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`error: ${err.message}\n`);
      });
    });
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** The address listened on. */
  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** The port listened on (after `listen()`). */
  get port(): number | undefined {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a.port : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      const body = await this.options.registry.metrics();
      res.writeHead(200, { 'content-type': this.options.registry.contentType });
      res.end(body);
      return;
    }
    if (path === '/healthz') {
      let status: HealthStatus;
      try {
        status = this.options.health ? await this.options.health() : { ok: true };
      } catch (err) {
        status = { ok: false, error: (err as Error).message };
      }
      res.writeHead(status.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(status)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /metrics or /healthz\n');
  }

  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
