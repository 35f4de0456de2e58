import type { Logger } from '@kpress/config';

/** Options of {@link RedisOutage}. */
export interface RedisOutageOptions {
  /** Where the lines go. */
  logger: Logger;
  /** The Redis URL as it may be logged (redacted). */
  where: string;
  /** First "still down" line after this long; each next one after twice as long. Default 10 s. */
  firstReminderMs?: number;
  /** Longest gap between "still down" lines. Default 5 min. */
  maxReminderMs?: number;
  /** The clock (ms). Default `Date.now`. */
  now?: () => number;
  /** How the first and the last line of an outage read. Default {@link OUTAGE_LINES}. */
  lines?: OutageLines;
}

/** The first and last line of an outage. */
export interface OutageLines {
  /** When it starts; `err` is the error's code or message. */
  down(where: string, err: string): string;
  /** When it ends, after `downS` seconds. */
  back(where: string, downS: number): string;
}

/** The worker's and the dashboard's lines. */
export const OUTAGE_LINES: OutageLines = {
  down: (where, err) => `Redis at ${where} does not answer (${err}): retrying with backoff`,
  back: (where, downS) => `Redis at ${where} is back after ${downS} s`,
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * True when `err` says the connection to Redis failed (refused, reset, timed
 * out, name not resolved, closed) rather than that Redis refused a command.
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e === undefined || e === null) return false;
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /^(Connection is closed|connect ETIMEDOUT|Reached the max retries per request limit|Stream isn't writeable)/.test(
    message,
  );
}

/**
 * One outage of Redis, logged as Redis trouble should be: one structured line
 * when it starts (naming the error), "still down" lines at growing gaps (10 s,
 * 20 s, 40 s, ... at most 5 min apart), and one line when it is back. Feed it
 * every connection error (`report`) and every reconnect (`recovered`); the
 * clients keep reconnecting on their own.
 */
export class RedisOutage {
  private since: number | undefined;
  private nextReminderAt = 0;
  private gapMs = 0;
  private lastErrorText = '';
  private readonly now: () => number;

  constructor(private readonly options: RedisOutageOptions) {
    this.now = options.now ?? Date.now;
  }

  /** True from the first connection error until `recovered()`. */
  get down(): boolean {
    return this.since !== undefined;
  }

  /** The code (or message) of the last connection error. */
  get lastError(): string {
    return this.lastErrorText;
  }

  /** How long Redis has been down (ms); 0 while it is up. */
  downForMs(): number {
    return this.since === undefined ? 0 : this.now() - this.since;
  }

  /** A connection error from any client of this Redis. Returns true when it was one (and was counted). */
  report(err: unknown): boolean {
    if (!isConnectionError(err)) return false;
    const e = err as NodeJS.ErrnoException;
    this.lastErrorText = e.code ?? e.message;
    const now = this.now();
    const { logger, where } = this.options;
    if (this.since === undefined) {
      this.since = now;
      this.gapMs = this.options.firstReminderMs ?? 10_000;
      this.nextReminderAt = now + this.gapMs;
      logger.error(
        { stage: 'redis', redis: where, err: this.lastErrorText },
        (this.options.lines ?? OUTAGE_LINES).down(where, this.lastErrorText),
      );
      return true;
    }
    if (now >= this.nextReminderAt) {
      const downS = Math.round((now - this.since) / 1000);
      this.gapMs = Math.min(this.gapMs * 2, this.options.maxReminderMs ?? 300_000);
      this.nextReminderAt = now + this.gapMs;
      logger.error(
        { stage: 'redis', redis: where, err: this.lastErrorText, downS },
        `Redis at ${where} still down after ${downS} s (${this.lastErrorText}): retrying`,
      );
    }
    return true;
  }

  /** A client is connected again: ends the outage (one line) if there was one. */
  recovered(): void {
    if (this.since === undefined) return;
    const downS = Math.round((this.now() - this.since) / 1000);
    this.since = undefined;
    this.options.logger.warn(
      { stage: 'redis', redis: this.options.where, downS },
      (this.options.lines ?? OUTAGE_LINES).back(this.options.where, downS),
    );
  }
}
