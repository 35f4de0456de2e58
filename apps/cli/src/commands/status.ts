import { CliError, intInRange, loadCliConfig } from '@kpress/cli-kit';
import type { RegisteredBatch } from '@kpress/queue';
import type { Command } from 'commander';
import { withQueueSession } from '../queue-session.js';

const HELP_AFTER = `
For each batch under way on the queue (KPRESS_QUEUE), or the one --batch names:
sources listed, done, queued, active, stalled (held by a worker that stopped
answering, and when they are back in the queue), failed, the rate and ETA
since the batch was enqueued, the workers connected and the finalize's state.
A batch leaves this list once its summary is written (kpress batches <dest>
lists a destination's batches, finished or not).

Exit status: 0 shown; 1 Redis or S3 unreachable, or --batch not under way; 2 usage error.

Examples:
  $ kpress status
  $ kpress status --batch 20261204-013000-ab12cd --watch
  $ kpress status --json | jq '.[].etaS'`;

interface StatusFlags {
  batch?: string;
  watch?: boolean;
  json?: boolean;
  interval: number;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('show the batches under way: progress, stalled jobs, workers, finalize')
    .option('--batch <id>', 'only this batch')
    .option('--watch', 'look again every --interval seconds until the batches end')
    .option(
      '--interval <S>',
      'seconds between looks with --watch, an integer from 1 to 3600',
      intInRange('--interval', 1, 3600),
      2,
    )
    .option('--json', 'print a JSON array of the batches (one line per look)')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: StatusFlags) => {
      const config = await loadCliConfig();
      const { batchStatus, statusLines } = await import('@kpress/producer');
      // the batches seen so far: one that finishes mid-watch leaves the registry but is still shown
      const seen = new Map<string, RegisteredBatch>();
      await withQueueSession(config, async (session) => {
        for (let look = 0; ; look++) {
          const registered =
            flags.batch === undefined
              ? await session.tracker.registered()
              : [await session.tracker.registration(flags.batch)].filter(
                  (b): b is RegisteredBatch => b !== undefined,
                );
          for (const b of registered) seen.set(b.batchId, b);
          if (seen.size === 0) {
            if (flags.batch !== undefined) {
              throw new CliError(
                `batch ${flags.batch} is not under way on queue ${config.queueName}: it finished (its summary is written), or was never enqueued here; \`kpress batches <dest>\` lists a destination's batches`,
              );
            }
            if (flags.json) process.stdout.write('[]\n');
            else process.stdout.write(`no batch under way on queue ${config.queueName}\n`);
            return;
          }
          const statuses = [];
          for (const b of seen.values()) {
            statuses.push(await batchStatus(b, { ...session, config }));
          }
          if (flags.json) {
            process.stdout.write(`${JSON.stringify(statuses)}\n`);
          } else {
            if (look > 0) process.stdout.write('\n');
            for (const s of statuses) process.stdout.write(`${statusLines(s).join('\n')}\n`);
          }
          const ended = statuses.every((s) => s.state === 'finished' || s.state === 'cancelled');
          if (!flags.watch || ended) return;
          await new Promise((resolve) => setTimeout(resolve, flags.interval * 1000));
        }
      });
    });
}
