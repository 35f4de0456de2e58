/** One variable that failed validation. */
export interface ConfigIssue {
  /** The environment variable, e.g. `KPRESS_MAX_PIXELS`. */
  variable: string;
  /** Its value as given (already redacted when it may hold credentials). */
  value: string | undefined;
  /** What was expected. */
  message: string;
}

/** Thrown by `loadConfig` when one or more variables are invalid; the message names each one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map(
      (i) =>
        `${i.variable}=${i.value === undefined ? '(unset)' : JSON.stringify(i.value)} is invalid: ${i.message}`,
    );
    super(
      issues.length === 1
        ? `invalid configuration: ${lines[0]}`
        : `invalid configuration:\n  ${lines.join('\n  ')}`,
    );
    this.issues = issues;
  }
}
