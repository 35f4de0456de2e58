/**
 * An error the CLI reports as one line (`kpress: <message>`, no stack) with
 * its own exit code: 1 for a bad input or a failed operation, 2 for usage.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/**
 * `err` as the CLI reports it: a CliError as it is; anything else as the
 * first line of its message with `exitCode` (default 1), the error kept as
 * the cause (shown with --verbose).
 */
export function toCliError(err: unknown, exitCode = 1): CliError {
  if (err instanceof CliError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(message.split('\n')[0] ?? message, exitCode, { cause: err });
}
