import { Command } from 'commander';
import { register as registerCompress } from './commands/compress.js';
import { register as registerEnqueue } from './commands/enqueue.js';
import { register as registerReport } from './commands/report.js';
import { register as registerWorker } from './commands/worker.js';

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
  registerEnqueue(program);
  registerWorker(program);
  registerReport(program);
  return program;
}
