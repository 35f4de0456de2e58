import { REPORT_FORMATS, type ReportFormat } from '@kpress/producer/report-formats';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '@kpress/cli-kit';

const HELP_AFTER = `
Reads a finished batch's results from <dest>_kpress/<batch-id>/.

Formats: table (default) totals, largest savings and failures as text;
json summary.json; csv manifest.csv (one row per object); html report.html.

Examples:
  $ kpress report s3://archive/2024/ --batch 20240101-120000-ab12cd
  $ kpress report s3://archive/2024/ --batch latest --format html > report.html
  $ kpress report s3://archive/2024/ --batch 20240101-120000-ab12cd --format csv > manifest.csv`;

function format(value: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `--format must be one of ${REPORT_FORMATS.join(', ')}, got "${value}".`,
    );
  }
  return value as ReportFormat;
}

export function register(program: Command): void {
  program
    .command('report')
    .description("read a batch's savings report")
    .argument('<dest>', 'the destination s3://bucket/prefix/ the batch wrote to')
    .requiredOption(
      '--batch <id>',
      'batch id (printed by enqueue), or latest: the newest batch under <dest>',
    )
    .option('--format <format>', 'table | json | csv | html', format, 'table' as ReportFormat)
    .addHelpText('after', HELP_AFTER)
    .action(async (dest: string, flags: { batch: string; format: ReportFormat }) => {
      // loaded when used: --help and --version start without the configuration schema
      const [{ ConfigError }, { loadConfig }] = await Promise.all([
        import('@kpress/config/config-error'),
        import('@kpress/config/load-config'),
      ]);
      try {
        const config = loadConfig(process.env);
        // loaded when used: other commands start without the S3 client
        const { resolveBatchId, writeReport } = await import('@kpress/producer');
        let batchId = flags.batch;
        if (batchId === 'latest') {
          const { Storage } = await import('@kpress/storage');
          const storage = new Storage({ config });
          try {
            batchId = await resolveBatchId(storage, dest, batchId);
          } finally {
            storage.close();
          }
        }
        await writeReport({
          dest,
          batchId,
          format: flags.format,
          config,
          width: process.stdout.columns ?? 100,
        });
      } catch (err) {
        if (err instanceof CliError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        throw new CliError(message.split('\n')[0] ?? message, 1, {
          cause: err instanceof ConfigError ? undefined : err,
        });
      }
    });
}
