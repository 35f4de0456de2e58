import { KPRESS_VERSION } from '@kpress/config/version';
import { Command } from 'commander';
import { setVerbosity } from './verbosity.js';

/**
 * A kpress program with the flags every one has (`-V/--version`, which prints
 * the kpress version; `-q/--quiet`, `-v/--verbose`, which set LOG_LEVEL for it
 * and its children) and commander's exits turned
 * into errors for `runProgram` (which also makes its usage errors one line).
 */
export function kpressProgram(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .version(KPRESS_VERSION, '-V, --version', 'print the kpress version')
    .option('-q, --quiet', 'warnings and errors only (LOG_LEVEL=warn)')
    .option('-v, --verbose', 'debug logs (LOG_LEVEL=debug)')
    .exitOverride()
    .hook('preAction', (root) => {
      const o = root.opts<{ quiet?: boolean; verbose?: boolean }>();
      setVerbosity(o.verbose ? 'verbose' : o.quiet ? 'quiet' : 'normal');
    });
}
