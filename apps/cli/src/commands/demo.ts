import { existsSync } from 'node:fs';
import { COLORS } from '@kpress/core/option-rules';
import type { Command } from 'commander';
import { CliError, exitCodeForSignal, intInRange, ruleParser } from '@kpress/cli-kit';

const HELP_AFTER = `
Runs the whole pipeline on the bundled sample images with nothing to set up but
Redis (REDIS_URL, default redis://127.0.0.1:6379): starts an S3 server inside
this process on a free loopback port, uploads the samples plus two bad files
(a truncated JPEG and a text file named like an image, to show failures),
starts --workers worker processes on a queue of its own (never KPRESS_QUEUE),
enqueues the batch and shows progress, prints the savings table, and copies
report.html, manifest.jsonl, manifest.csv, summary.json and the workers' logs
to <out>/<batch-id>/. Then it stops the workers, removes its queue and closes
the S3 server. Nothing it does touches a real bucket or queue.

Exit status: 0 done; 1 Redis unreachable or the pipeline failed;
130 (SIGINT) / 143 (SIGTERM) when interrupted (everything is still shut down).

Examples:
  $ pnpm demo                       # from a fresh clone: installs, starts Redis if it can, runs this
  $ kpress demo
  $ kpress demo --workers 4 --colors 32 --out /tmp/kpress-demo`;

/** What the CLI calls of @kpress/demo (not a dependency: see `loadDemo`). */
interface DemoModule {
  runDemo(options: {
    outDir: string;
    workers: number;
    colors: number;
    signal: AbortSignal;
  }): Promise<unknown>;
}

/**
 * The demo lives in its own app (apps/demo, beside this one in the repository):
 * it embeds a test S3 server (s3rver), which no production install or image
 * carries. Loaded on use, from beside the CLI, with a clear error when absent.
 */
async function loadDemo(): Promise<DemoModule> {
  const entry = new URL('../../../demo/dist/index.js', import.meta.url);
  if (!existsSync(entry)) {
    throw new CliError(
      'the demo is not part of this install (images and production installs leave out the ' +
        'test S3 server it embeds): run it from a clone of the repository with "npm run demo"',
    );
  }
  return (await import(entry.href)) as DemoModule;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('the whole pipeline on bundled sample images (needs only Redis)')
    .option('--workers <N>', 'worker processes', intInRange('--workers', 1, 16), 2)
    .option(
      '--colors <K>',
      `palette size, ${COLORS.expected}`,
      ruleParser(COLORS, '--colors'),
      COLORS.default,
    )
    .option('--out <dir>', 'where report.html and the manifests are written', '.kpress-demo')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: { workers: number; colors: number; out: string }) => {
      const abort = new AbortController();
      let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
      const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
        if (interrupted !== undefined) process.exit(exitCodeForSignal(signal));
        interrupted = signal;
        process.stderr.write(`\nkpress: ${signal}: stopping the demo and shutting down\n`);
        abort.abort(new Error(`interrupted by ${signal}`));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const { runDemo } = await loadDemo();
        await runDemo({
          outDir: flags.out,
          workers: flags.workers,
          colors: flags.colors,
          signal: abort.signal,
        });
      } catch (err) {
        if (interrupted !== undefined) {
          throw new CliError(`demo interrupted by ${interrupted}`, exitCodeForSignal(interrupted));
        }
        if (err instanceof CliError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        throw new CliError(`demo failed: ${message.split('\n')[0]}`, 1, { cause: err });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
