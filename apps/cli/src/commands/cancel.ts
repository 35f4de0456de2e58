import { CliError, loadCliConfig, say } from '@kpress/cli-kit';
import type { Command } from 'commander';
import { withQueueSession } from '../queue-session.js';

const HELP_AFTER = `
Stops handing out the batch's jobs: its queued jobs leave the queue, no
finalize starts, and \`enqueue --wait\` on it stops saying so. Jobs workers hold
finish and keep their records; nothing in S3 is removed. Running \`kpress
enqueue\` with the batch's arguments (printed) resumes it: sources with a
record are skipped, the rest queued again.

An \`enqueue\` still queuing the batch stops before its next chunk and exits 1.

Exit status: 0 cancelled; 1 not under way on this queue, or Redis/S3 unreachable; 2 usage error.

Example:
  $ kpress cancel --batch 20261204-013000-ab12cd`;

export function register(program: Command): void {
  program
    .command('cancel')
    .description("stop handing out a batch's jobs (resumable by enqueue)")
    .requiredOption('--batch <id>', 'the batch to cancel')
    .option('--json', 'print what was done as JSON')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: { batch: string; json?: boolean }) => {
      const config = await loadCliConfig();
      const producer = await import('@kpress/producer');
      const { batchFileKeys, parseBatchFile, parseS3Url } = await import('@kpress/storage');
      await withQueueSession(config, async (session) => {
        const entry = await session.tracker.registration(flags.batch);
        if (entry === undefined) {
          throw new CliError(
            `batch ${flags.batch} is not under way on queue ${config.queueName} (finished, or never enqueued here): nothing to cancel`,
          );
        }
        const dest = parseS3Url(entry.dest);
        const batchKey = batchFileKeys(dest.prefix, flags.batch).batch;
        const batch = parseBatchFile(
          await session.storage.getJson(dest.bucket, batchKey),
          `s3://${dest.bucket}/${batchKey}`,
        );
        const result = await producer.cancelBatch(flags.batch, session);
        const status = await producer.batchStatus(entry, { ...session, config });
        const resume = producer.rerunCommand(batch);
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ ...result, done: status.done, listed: status.listed, resume })}\n`,
          );
          return;
        }
        const done =
          status.done === undefined || status.listed === undefined
            ? ''
            : `; ${status.done} of ${status.listed} done`;
        process.stdout.write(
          `batch ${flags.batch} cancelled: ${result.removed} queued jobs removed, ${result.inHand} in hand finish and keep their records${done}\n`,
        );
        say(`resume it with: ${resume}`);
      });
    });
}
