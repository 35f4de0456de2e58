import { type Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { oneLineUsageErrors } from './usage-error.js';
import { silenceNodeVersionSupportWarning } from './node-warnings.js';

/**
 * Runs a kpress program (the `kpress` CLI, the worker's own binary) the way
 * every one of them behaves: the SDK's Node-version notice dropped, a closed
 * stdout is a quiet exit, a usage error is one line `<name>: <what was wrong>
 * (see <command> --help)` and exit 2, a CliError is one line
 * `<name>: <message>` with its exit code, anything else one line and exit 1
 * (the stack with KPRESS_DEBUG=1).
 */
export async function runProgram(program: Command, argv: string[] = process.argv): Promise<void> {
  silenceNodeVersionSupportWarning();
  exitQuietlyOnBrokenPipe();
  const name = program.name();
  oneLineUsageErrors(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its one line (or the help) already.
      const ok = err.exitCode === 0 || err.code === 'commander.helpDisplayed';
      process.exitCode = ok ? 0 : 2;
    } else if (err instanceof CliError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
      if (process.env.KPRESS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  }
}
