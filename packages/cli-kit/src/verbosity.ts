/**
 * How chatty the CLI is, set once from the global flags:
 * `quiet` (--quiet: warnings and errors only), `normal`, `verbose` (--verbose: debug).
 */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** LOG_LEVEL for each verbosity (`normal` keeps LOG_LEVEL as set, default info). */
export const LOG_LEVEL_OF: Record<Exclude<Verbosity, 'normal'>, string> = {
  quiet: 'warn',
  verbose: 'debug',
};

let current: Verbosity = 'normal';

/**
 * Sets the verbosity and, for quiet/verbose, LOG_LEVEL in this process's
 * environment, so loadConfig's logger and every child process (the demo's
 * workers) follow it.
 */
export function setVerbosity(v: Verbosity, env: NodeJS.ProcessEnv = process.env): void {
  current = v;
  if (v !== 'normal') env.LOG_LEVEL = LOG_LEVEL_OF[v];
}

export function verbosity(): Verbosity {
  return current;
}
