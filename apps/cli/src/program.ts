import { Command } from 'commander';
import { register as registerCompress } from './commands/compress.js';

/**
 * Builds the `kpress` program. Each command lives in `commands/<name>.ts`
 * and exports `register(program)`; this file only wires them.
 */
export function buildProgram(): Command {
  const program = new Command('kpress')
    .description('Compress whole image datasets for archival with k-means colour quantization')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCompress(program);
  return program;
}
