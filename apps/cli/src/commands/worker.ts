import { ConfigError, loadConfig } from '@kpress/config';
import { closeOnSignals, KpressWorker } from '@kpress/worker';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { intInRange } from '../parse-options.js';

const HELP_AFTER = `
Takes compress and finalize jobs from the queue (KPRESS_QUEUE) until SIGTERM or
SIGINT, then finishes the jobs in hand and exits 0. Run as many as you like, on
any number of machines. Images are compressed in a pool of --concurrency threads.

Examples:
  $ kpress worker
  $ KPRESS_QUEUE=nightly REDIS_URL=redis://queue:6379 kpress worker --concurrency 8`;

export function register(program: Command): void {
  program
    .command('worker')
    .description('process jobs until SIGTERM or SIGINT')
    .option(
      '--concurrency <N>',
      'jobs at once (default: number of cores)',
      intInRange('--concurrency', 1, 1024),
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: { concurrency?: number }) => {
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(process.env);
      } catch (err) {
        if (err instanceof ConfigError)
          throw new CliError(err.message.split('\n')[0] ?? err.message);
        throw err;
      }
      const worker = new KpressWorker({
        config,
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
      });
      closeOnSignals(worker);
      try {
        await worker.start();
      } catch (err) {
        await worker.close().catch(() => {});
        throw new CliError(`worker could not start: ${(err as Error).message}`);
      }
      // runs until a signal closes it (closeOnSignals exits the process)
      await new Promise<never>(() => {});
    });
}
