import { CliError, loadCliConfig, say, toCliError } from '@kpress/cli-kit';
import type { Command } from 'commander';

const HELP_AFTER = `
Lists the batches written under <dest> (its _kpress/<batch-id>/ folders),
oldest first: id, when it was first enqueued, its state, source and options,
and for a finished batch its counts and savings. The state is "finished"
when its summary is written; otherwise, asked of Redis (KPRESS_QUEUE),
"under way", "cancelled", or "unfinished" (not under way on this queue:
\`kpress enqueue\` with its arguments resumes it).

Examples:
  $ kpress batches s3://archive/2024/
  $ kpress report s3://archive/2024/ --batch latest`;

export function register(program: Command): void {
  program
    .command('batches')
    .description('list the batches of a destination with their state and savings')
    .argument('<dest>', 'the destination s3://bucket/prefix/')
    .option('--json', 'print a JSON array: batch.json, summary.json and state of each')
    .addHelpText('after', HELP_AFTER)
    .action(async (destUrl: string, flags: { json?: boolean }) => {
      const config = await loadCliConfig();
      const producer = await import('@kpress/producer');
      const { BatchTracker, connectRedis } = await import('@kpress/queue');
      const { Storage, parseS3Url } = await import('@kpress/storage');
      try {
        parseS3Url(destUrl);
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      const storage = new Storage({ config });
      try {
        const batches = await producer.listDestBatches(storage, destUrl);
        const states = new Map<string, string>();
        for (const b of batches)
          if (b.summary !== undefined) states.set(b.batch.batchId, 'finished');
        const open = batches.filter((b) => b.summary === undefined);
        if (open.length > 0) {
          try {
            const redis = await connectRedis(config, { timeoutMs: 2000 });
            const tracker = new BatchTracker(redis, config.queueName);
            try {
              for (const b of open) {
                const id = b.batch.batchId;
                if ((await tracker.cancelled(id)) !== undefined) states.set(id, 'cancelled');
                else if ((await tracker.registration(id)) !== undefined)
                  states.set(id, 'under way');
              }
            } finally {
              await redis.quit().catch(() => redis.disconnect());
            }
          } catch (err) {
            say(`${(err as Error).message}: states other than finished not known`);
          }
        }
        const stateOf = (b: (typeof batches)[number]) =>
          states.get(b.batch.batchId) ?? 'unfinished';
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify(batches.map((b) => ({ ...b, state: stateOf(b) })))}\n`,
          );
          return;
        }
        process.stdout.write(`${producer.batchesLines(batches, stateOf).join('\n')}\n`);
      } catch (err) {
        throw toCliError(err);
      } finally {
        storage.close();
      }
    });
}
