#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { exitQuietlyOnBrokenPipe } from './output/broken-pipe.js';
import { silenceNodeVersionSupportWarning } from './output/node-warnings.js';
import { buildProgram } from './program.js';

silenceNodeVersionSupportWarning();
exitQuietlyOnBrokenPipe();

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help) already.
    const ok = err.exitCode === 0 || err.code === 'commander.helpDisplayed';
    process.exitCode = ok ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`kpress: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kpress: ${message.split('\n')[0]}\n`);
    if (process.env.KPRESS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}
