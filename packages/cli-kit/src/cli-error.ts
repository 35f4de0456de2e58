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
