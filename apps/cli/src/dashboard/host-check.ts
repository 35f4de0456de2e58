import type { NextFunction, Request, Response } from 'express';

/** The host name of a `Host` header, lower-case, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  // a bare IPv6 address (two colons or more) has no port
  if (colon === -1 || h.indexOf(':') !== colon) return h;
  return h.slice(0, colon);
}

/** Host names every dashboard answers to: this machine's loopback names. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

/**
 * Express middleware answering 421 to a request whose `Host` is not one of
 * `allowed` (names without ports). A page on another site that resolves its
 * own name to this address (DNS rebinding) then cannot drive the dashboard
 * from a browser on the operator's machine.
 */
export function hostCheck(allowed: readonly string[]) {
  const names = new Set(allowed.map((h) => hostName(h)));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (names.has(hostName(req.headers.host))) {
      next();
      return;
    }
    res.status(421).type('text/plain').send('this dashboard does not answer to that host name\n');
  };
}
