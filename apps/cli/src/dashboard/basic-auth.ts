import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** User and password for HTTP basic auth. */
export interface BasicAuthCredentials {
  user: string;
  password: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of two strings (hashing first, so lengths leak nothing). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Express middleware asking for HTTP basic auth: 401 with a
 * `WWW-Authenticate` challenge unless the request carries `credentials`.
 * Compares user and password in constant time; both are always compared.
 */
export function basicAuth(credentials: BasicAuthCredentials, realm = 'kpress dashboard') {
  if (credentials.user === '' || credentials.password === '') {
    throw new TypeError('basic auth needs a non-empty user and password');
  }
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    if (match?.[1] !== undefined) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        const userOk = safeEqual(decoded.slice(0, colon), credentials.user);
        const passwordOk = safeEqual(decoded.slice(colon + 1), credentials.password);
        if (userOk && passwordOk) {
          next();
          return;
        }
      }
    }
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    res.status(401).type('text/plain').send('authentication required\n');
  };
}
