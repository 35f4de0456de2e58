import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, redact } from './redact.js';

/** Options of `createLogger`. */
export interface LoggerOptionsInput {
  /** Minimum level; default `info` (pass `config.logLevel`). */
  level?: string;
  /**
   * Human-readable coloured lines instead of JSON lines; default: true when
   * stderr (where logs go) is a terminal.
   */
  pretty?: boolean;
  /** Fields added to every line, e.g. `{ app: 'worker' }`; default none (no pid/hostname). */
  base?: Record<string, unknown>;
  /** Where lines go; default stderr (stdout is for command output such as `--json`). */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** Field paths whose values are always replaced by `***`. */
export const REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'credentials',
  '*.credentials',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

function redactValue(value: unknown): unknown {
  return typeof value === 'string' ? redact(value) : value;
}

/**
 * A pino logger writing JSON lines (or pretty lines on a terminal) to stderr,
 * hiding secret-looking fields and any credential in messages, string fields
 * and errors (see `redact`).
 */
export function createLogger(options: LoggerOptionsInput = {}): Logger {
  const usePretty = options.pretty ?? process.stderr.isTTY === true;
  const stream: DestinationStream | NodeJS.WritableStream = usePretty
    ? pretty({
        destination: options.destination ?? 2,
        sync: true,
        colorize: options.destination === undefined,
        translateTime: 'SYS:HH:MM:ss.l',
      })
    : (options.destination ?? pino.destination({ fd: 2, sync: true }));
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.base ?? null,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    formatters: {
      log(object) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(object)) out[k] = redactValue(v);
        return out;
      },
    },
    serializers: {
      err(err: unknown) {
        const s = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
        for (const k of ['message', 'stack']) if (typeof s[k] === 'string') s[k] = redact(s[k]);
        return s;
      },
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map(redactValue) as Parameters<typeof method>);
      },
    },
  };
  return pino(pinoOptions, stream as DestinationStream);
}
