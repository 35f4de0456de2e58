/**
 * Redaction of credentials in text that may be printed: URLs with passwords,
 * known secret values from the environment, and `key=value` pairs whose key
 * looks like a secret. Credentials must never appear in logs, errors, job data
 * or reports (DESIGN.md invariant 7).
 */

/** What replaces a hidden secret. */
export const REDACTED = '***';

/** Environment variables whose values are secrets wherever they appear. */
export const SECRET_ENV_VARS: readonly string[] = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'REDIS_PASSWORD',
];

/** Secrets shorter than this are not searched for in free text (too many false hits). */
const MIN_SECRET_LENGTH = 4;

const extraSecrets = new Set<string>();

/**
 * Registers a secret value to hide from everything `redact` processes in this
 * process (e.g. a password read from a file). Values shorter than 4 characters are ignored.
 */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) extraSecrets.add(value);
}

// scheme://user:password@  (the password part is everything up to the last '@' before the host)
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@?#]*:)([^\s@/?#]*)@/gi;
// password=..., "secretAccessKey": "...", token: ...
const SECRET_PAIRS =
  /\b((?:[a-z_]*password|passwd|secret[a-z_]*|[a-z_]*secretaccesskey|[a-z_]*sessiontoken|[a-z_]*session_token|authorization)["']?\s*[=:]\s*["']?)([^\s"'&,;}]+)/gi;

/**
 * Hides the password of a URL (`redis://user:pass@host` -> `redis://user:***@host`).
 * Text that is not a URL with credentials comes back unchanged.
 */
export function redactUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

function secretsFrom(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [...extraSecrets];
  for (const name of SECRET_ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) found.push(value);
  }
  const redisUrl = env.REDIS_URL;
  if (redisUrl) {
    try {
      const password = decodeURIComponent(new URL(redisUrl).password);
      if (password.length >= MIN_SECRET_LENGTH) found.push(password);
    } catch {
      // an unparsable REDIS_URL is reported by loadConfig, redacted by redactUrl
    }
  }
  // longest first, so a secret containing another is replaced whole
  return found.sort((a, b) => b.length - a.length);
}

/**
 * Hides credentials in free text: URL passwords, secret-looking `key=value`
 * pairs, and the values of known secret environment variables
 * (`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, the REDIS_URL password, ...)
 * wherever they appear.
 *
 * @param text what is about to be printed
 * @param env where to read the known secrets from; default `process.env`
 */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = redactUrl(text).replace(SECRET_PAIRS, `$1${REDACTED}`);
  for (const secret of secretsFrom(env)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
  }
  return out;
}
