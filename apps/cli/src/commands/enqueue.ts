import type { Summary } from '@kpress/manifest';
import { formatBytes } from '@kpress/report/format';
import type { Config } from '@kpress/config/load-config';
import type { Command } from 'commander';
import { CliError } from '@kpress/cli-kit';
import { addImageOptions, type ImageFlags, imageOptionsOf } from '../image-options.js';

interface EnqueueFlags extends ImageFlags {
  dest: string;
  batch?: string;
  wait?: boolean;
  json?: boolean;
  keys?: string;
  inventory?: string;
}

const HELP_AFTER = `
Lists every object under the source prefix and queues one job per object as
one batch; prints the batch id. Outputs go under --dest, mirroring the source
tree; the manifest, summary and report go under <dest>_kpress/<batch-id>/.
Running it again with the same --batch resumes the batch: objects that have a
result already are skipped, nothing is done twice.

With --wait it rides out Redis and S3 outages: when Redis comes back empty
(no persistence) and has lost the batch's jobs, it re-enqueues the batch by
itself (up to 3 times, then it exits 1 with the command to rerun).

With --keys (an S3 Batch Operations CSV: bucket,key, keys URL-encoded) or
--inventory (an S3 Inventory report's manifest.json, CSV format), the batch is
exactly the listed keys of the source bucket under the source prefix, not a
listing; the finalize merges against that list. Rows of other buckets or
prefixes are counted and left out.

By default each image gets the palette that reaches SSIMULACRA 2.1 score 80
(--target) in the fewest bytes; an image no palette serves is kept as the
original, its row naming the best score reached. --colors K alone is a fixed
palette. The options are part of the batch: a rerun gives the same ones (a
batch made before --target existed resumes with its own, e.g. --colors 16).

Exit status: 0 queued (with --wait: finished, even when some images failed),
1 a bad URL, a missing bucket, denied access or unreachable Redis (one line).

Examples:
  $ kpress enqueue s3://photos/2024/ --dest s3://archive/2024/
  $ kpress enqueue s3://photos/2024/ --dest s3://archive/2024/ --target visually-lossless --wait
  $ kpress enqueue s3://photos/2024/ --dest s3://archive/2024/ --colors 32 --wait
  $ kpress enqueue s3://photos/2024/ --dest s3://archive/2024/ --batch 20240101-run1 --wait --json
  $ kpress enqueue s3://photos/ --dest s3://archive/ --inventory s3://inv/photos/daily/2026-12-01T00-00Z/manifest.json`;

function line(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

export function register(program: Command): void {
  addImageOptions(
    program
      .command('enqueue')
      .description('enqueue every object under an S3 prefix as one batch')
      .argument('<source>', 'source s3://bucket/prefix/')
      .requiredOption(
        '--dest <url>',
        'destination s3://bucket/prefix/ (not overlapping the source)',
      ),
  )
    .option('--batch <id>', 'batch id (default: a new one); reuse one to resume that batch')
    .option(
      '--keys <url>',
      'only these keys: an S3 Batch Operations CSV, s3://bucket/path/keys.csv',
    )
    .option(
      '--inventory <url>',
      'only these keys: an S3 Inventory report, s3://bucket/path/manifest.json (CSV)',
    )
    .option('--wait', 'wait until the manifest, summary and report are written, showing progress')
    .option('--json', 'print the result (with --wait: summary.json) as JSON on stdout')
    .addHelpText('after', HELP_AFTER)
    .action(async (source: string, flags: EnqueueFlags) => {
      if (flags.keys !== undefined && flags.inventory !== undefined) {
        throw new CliError('--keys and --inventory cannot be used together: give one list', 2);
      }
      const keyList =
        flags.keys !== undefined
          ? { kind: 'keys' as const, url: flags.keys }
          : flags.inventory !== undefined
            ? { kind: 'inventory' as const, url: flags.inventory }
            : undefined;
      // loaded when used: --help and --version start without the configuration schema
      const [{ ConfigError }, { loadConfig }] = await Promise.all([
        import('@kpress/config/config-error'),
        import('@kpress/config/load-config'),
      ]);
      let config: Config;
      try {
        config = loadConfig(process.env);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(line(err));
        throw err;
      }
      // loaded when used: `kpress compress` and `--help` start without the S3 and queue clients
      const producer = await import('@kpress/producer');
      let result: Awaited<ReturnType<typeof producer.enqueue>>;
      try {
        result = await producer.enqueue({
          source,
          dest: flags.dest,
          options: imageOptionsOf(flags),
          ...(flags.batch === undefined ? {} : { batchId: flags.batch }),
          ...(keyList === undefined ? {} : { keyList }),
          config,
        });
      } catch (err) {
        throw new CliError(line(err), 1, { cause: err });
      }
      if (!flags.json) {
        const what = result.finished
          ? 'already finished'
          : `${result.total} objects, ${result.enqueued} queued, ${result.skipped} already done`;
        process.stderr.write(`kpress: batch ${result.batchId}: ${what}\n`);
        process.stdout.write(`${result.batchId}\n`);
      }
      if (!flags.wait) {
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const view = producer.createProgressView();
      const summary = await producer
        .waitForBatch({
          dest: result.dest,
          batchId: result.batchId,
          config,
          onProgress: (p) => view.update(p),
        })
        .finally(() => view.stop());
      process.stdout.write(
        flags.json ? `${JSON.stringify(summary)}\n` : summaryLines(summary, result),
      );
    });
}

/** What `enqueue --wait` prints of a finished batch: its counts and savings, and how to see the report. */
function summaryLines(summary: Summary, result: { dest: string; batchId: string }): string {
  const c = summary.counts;
  const pct = (summary.savedRatio * 100).toFixed(1);
  return (
    `${c.total} objects: ${c.compressed} compressed, ${c.keptOriginal} kept original, ` +
    `${c.copied > 0 ? `${c.copied} copied (${formatBytes(summary.bytes.copied)}), ` : ''}${c.skipped > 0 ? `${c.skipped} skipped, ` : ''}${c.failed} failed; ` +
    `${formatBytes(summary.bytes.original)} -> ${formatBytes(summary.bytes.output)} (saved ${pct}%)` +
    `${c.qualityMissed > 0 ? `; --quality not reached for ${c.qualityMissed} (qualityMet false in the manifest; raise --colors, up to 256)` : ''}\n` +
    `report: kpress report ${result.dest} --batch ${result.batchId} [--format html]\n`
  );
}
