import type { Command } from 'commander';
import { CliError, EXIT, loadCliConfig, say, toCliError } from '@kpress/cli-kit';

const HELP_AFTER = `
Checks a finished batch against its manifest: every output exists, has the
recorded size and sha256, and a compressed one is a palette PNG of the row's
width, height and at most its colours; objects under the destination that no
row names are reported as extra; manifest.jsonl, manifest.csv,
manifest-sha256.txt and summary.json agree. --deep also re-reads each source
that still exists: its sha256 and the PSNR of its output.

--tag-sources (needs --deep) then tags each source whose row verified clean,
and whose sha256 and ETag still match, kpress-archived=<batch-id>, keeping its
other tags, for an S3 lifecycle rule (README: "Verifying an archive"). It never
writes or deletes a source's bytes. A source with any problem, a failed or
skipped row, a source already gone, or one with 10 tags (S3's limit) is not
tagged; a source tagged by another batch keeps that tag. Rerunning tags
nothing twice. The summary counts tagged, already tagged and not tagged.

Prints one line per problem on stdout, "<key>: <kind>: <detail>", and a
summary on stderr. Each run is recorded as a fixity event under
<dest>_kpress/<batch>/fixity/. Exit status: 0 clean, 1 problems found (or the
batch cannot be read), 2 usage.

Examples:
  $ kpress verify s3://archive/2024/ --batch 20240101-120000-ab12cd
  $ kpress verify s3://archive/2024/ --batch 20240101-120000-ab12cd --deep --json
  $ kpress verify s3://archive/2024/ --batch 20240101-120000-ab12cd --deep --tag-sources`;

interface VerifyFlags {
  batch: string;
  deep?: boolean;
  tagSources?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description("check a batch's outputs against its manifest (fixity)")
    .argument('<dest>', 'the destination s3://bucket/prefix/ the batch wrote to')
    .requiredOption('--batch <id>', 'batch id (printed by enqueue)')
    .option('--deep', 're-read the sources: their sha256 and the PSNR of each output')
    .option(
      '--tag-sources',
      'tag each clean source kpress-archived=<batch-id> (needs --deep; never deletes)',
    )
    .option('--json', 'print the fixity event as JSON instead of problem lines')
    .addHelpText('after', HELP_AFTER)
    .action(async (dest: string, flags: VerifyFlags) => {
      if (flags.tagSources === true && flags.deep !== true) {
        throw new CliError(
          '--tag-sources needs --deep: a source is tagged only after its sha256 is re-read (see kpress verify --help)',
          EXIT.usage,
        );
      }
      const config = await loadCliConfig();
      const tty = process.stderr.isTTY && flags.json !== true;
      // loaded when used: a progress bar only on a terminal
      const cliProgress = tty ? (await import('cli-progress')).default : undefined;
      const bar =
        cliProgress !== undefined
          ? new cliProgress.SingleBar(
              { format: 'verify {bar} {value}/{total} rows', stream: process.stderr },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      let started = false;
      // loaded when used: other commands start without the S3 client
      const { problemLine, tagCountsLine, verifyBatch } = await import('@kpress/producer');
      let result: Awaited<ReturnType<typeof verifyBatch>>;
      try {
        result = await verifyBatch({
          dest,
          batchId: flags.batch,
          deep: flags.deep === true,
          tagSources: flags.tagSources === true,
          config,
          onProblem: (p) => {
            if (flags.json !== true) process.stdout.write(`${problemLine(p)}\n`);
          },
          onProgress: (checked, total) => {
            if (bar === undefined) return;
            if (!started) bar.start(total, 0);
            started = true;
            bar.update(checked);
          },
        });
      } catch (err) {
        throw toCliError(err);
      } finally {
        bar?.stop();
      }
      if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
      const found = Object.entries(result.problems)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ');
      say(
        `verify ${result.batchId}: ${result.rows} rows, ${result.outputsChecked} outputs${result.deep ? `, ${result.sourcesChecked} sources` : ''} checked: ${result.clean ? 'clean' : found}`,
      );
      if (result.tags !== undefined) say(`tag-sources: ${tagCountsLine(result.tags)}`);
      if (!result.clean) process.exitCode = 1;
    });
}
