import { once } from 'node:events';
import {
  type IncomingMessage,
  request as httpRequest,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from './prng.js';

/** Probabilities (0..1, summing to at most 1) of each fault, drawn once per request. */
export interface FaultRates {
  /** Answer 503 SlowDown (S3's throttling reply) without forwarding. Default 0. */
  slowDown?: number;
  /** Answer 500 InternalError without forwarding. Default 0. */
  internalError?: number;
  /** Destroy the client's socket before forwarding (the request never arrives). Default 0. */
  resetRequest?: number;
  /**
   * Forward the request (so a PUT or COPY has happened upstream), then send the
   * response headers and half the body and destroy the socket. Default 0.
   */
  resetResponse?: number;
  /** Wait `delayMs` before forwarding. Default 0. */
  delay?: number;
}

/** Options of `startFaultProxy`. */
export interface FaultProxyOptions {
  /** Upstream S3 endpoint, `http://host:port` (required). */
  target: string;
  /** PRNG seed: the same seed and request order give the same faults. Default 1. */
  seed?: number;
  /** Fault rates; default none (a plain proxy). Change later with `setRates`. */
  rates?: FaultRates;
  /** Delay of a `delay` fault, ms. Default 300. */
  delayMs?: number;
  /**
   * Refuse object keys longer than S3's 1,024 UTF-8 bytes with 400 KeyTooLongError,
   * as real S3 does (s3rver does not). Default true.
   */
  enforceKeyLimit?: boolean;
  /**
   * Told each request (method and path with query) before anything else; may
   * answer it without forwarding (an S3 error reply), or return a promise
   * that is awaited before the request goes on (to change the upstream in
   * between). Default none.
   */
  onRequest?: (request: ProxiedRequest) => ProxyReply | undefined | Promise<ProxyReply | undefined>;
}

/** A request as `onRequest` sees it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent (`/bucket/key?tagging`). */
  url: string;
}

/** An S3 error reply that `onRequest` sends instead of forwarding. */
export interface ProxyReply {
  status: number;
  /** S3 error code (`NotImplemented`, `AccessDenied`, ...). */
  code: string;
  message: string;
}

/** What the proxy has seen and injected. */
export interface FaultCounts {
  requests: number;
  forwarded: number;
  slowDown: number;
  internalError: number;
  resetRequest: number;
  resetResponse: number;
  delay: number;
  keyTooLong: number;
}

/** A running fault-injecting proxy in front of an S3 endpoint. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as S3_ENDPOINT. */
  readonly endpoint: string;
  readonly port: number;
  /** Live counters. */
  readonly counts: Readonly<FaultCounts>;
  /** Injected faults in total (every count but requests, forwarded and keyTooLong). */
  injected(): number;
  /** Replaces the fault rates (e.g. 0 to stop injecting). */
  setRates(rates: FaultRates): void;
  /** Stops listening and drops open connections; idempotent. */
  close(): Promise<void>;
}

/** S3's limit on a key, in UTF-8 bytes. */
export const S3_MAX_KEY_BYTES = 1024;

const FAULTS = ['slowDown', 'internalError', 'resetRequest', 'resetResponse', 'delay'] as const;
type Fault = (typeof FAULTS)[number];

function checkRates(rates: FaultRates): Required<FaultRates> {
  const out = {} as Required<FaultRates>;
  let sum = 0;
  for (const name of FAULTS) {
    const v = rates[name] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new RangeError(`rates.${name} must be a number in 0..1, got ${String(v)}`);
    }
    out[name] = v;
    sum += v;
  }
  if (sum > 1 + 1e-9) throw new RangeError(`fault rates sum to ${sum}, more than 1`);
  return out;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

/** The object key of a path-style request (`/bucket/key`), or undefined. */
function objectKey(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const m = /^\/[^/]+\/(.+)$/.exec(path);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * Starts an HTTP proxy on 127.0.0.1 in front of an S3 endpoint that injects
 * faults per request, chosen with a seeded PRNG (see `FaultRates`), and counts
 * them. Headers pass through unchanged, so SigV4 signatures stay valid.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:') {
    throw new RangeError(`target must be an http:// URL, got ${JSON.stringify(options.target)}`);
  }
  const delayMs = options.delayMs ?? 300;
  if (!Number.isInteger(delayMs) || delayMs < 0) {
    throw new RangeError(`delayMs must be a whole number >= 0, got ${options.delayMs}`);
  }
  const enforceKeyLimit = options.enforceKeyLimit ?? true;
  let rates = checkRates(options.rates ?? {});
  const random = mulberry32(options.seed ?? 1);
  const counts: FaultCounts = {
    requests: 0,
    forwarded: 0,
    slowDown: 0,
    internalError: 0,
    resetRequest: 0,
    resetResponse: 0,
    delay: 0,
    keyTooLong: 0,
  };

  const pick = (): Fault | undefined => {
    let r = random();
    for (const name of FAULTS) {
      if (r < rates[name]) return name;
      r -= rates[name];
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, cutResponse: boolean) => {
    counts.forwarded++;
    const up = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upRes) => {
        if (!cutResponse) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          // let the half body leave, then cut the connection
          setImmediate(() => res.socket?.destroy());
        });
      },
    );
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  };

  const onRequest = options.onRequest;
  const server: Server = createServer((req, res) => {
    counts.requests++;
    if (onRequest === undefined) {
      handle(req, res);
      return;
    }
    req.pause();
    Promise.resolve(onRequest({ method: req.method ?? 'GET', url: req.url ?? '' })).then(
      (reply) => {
        if (reply === undefined) {
          handle(req, res);
          return;
        }
        req.resume();
        s3Error(res, reply.status, reply.code, reply.message);
      },
      () => req.socket.destroy(),
    );
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const key = objectKey(req.url ?? '');
    if (enforceKeyLimit && key !== undefined && Buffer.byteLength(key) > S3_MAX_KEY_BYTES) {
      counts.keyTooLong++;
      req.resume();
      s3Error(res, 400, 'KeyTooLongError', 'Your key is too long');
      return;
    }
    const fault = pick();
    if (fault !== undefined) counts[fault]++;
    switch (fault) {
      case 'slowDown':
        req.resume();
        s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.');
        return;
      case 'internalError':
        req.resume();
        s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
        return;
      case 'resetRequest':
        req.socket.destroy();
        return;
      case 'resetResponse':
        forward(req, res, true);
        return;
      case 'delay':
        setTimeout(() => forward(req, res, false), delayMs);
        return;
      default:
        forward(req, res, false);
    }
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    counts,
    injected: () =>
      counts.slowDown +
      counts.internalError +
      counts.resetRequest +
      counts.resetResponse +
      counts.delay,
    setRates(next: FaultRates) {
      rates = checkRates(next);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
