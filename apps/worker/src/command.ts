import {
  CliError,
  exitWithParentRequested,
  intInRange,
  loadCliConfig,
  watchParent,
} from '@kpress/cli-kit';
import { armFaultPlan } from '@kpress/config/fault-plan';
import type { Command } from 'commander';
import { closeOnSignals } from './signals.js';

const HELP_AFTER = `
Takes compress and finalize jobs from the queue (KPRESS_QUEUE) until SIGTERM or
SIGINT, then finishes the jobs in hand and exits 0. Run as many as you like, on
any number of machines. Images are compressed in a pool of --concurrency threads.

With --metrics-port N (or KPRESS_METRICS_PORT=N; containers use 9464) it serves
GET /metrics (Prometheus: kpress_jobs_total{outcome}, kpress_bytes_in_total,
kpress_bytes_out_total, kpress_stage_seconds{stage}, kpress_queue_depth, process
metrics) and GET /healthz (200 while taking jobs with Redis connected, 503 while
closing) on 127.0.0.1 (this machine only; --metrics-host or KPRESS_METRICS_HOST
0.0.0.0 to let Prometheus scrape it from elsewhere, as the container images do).

Examples:
  $ kpress worker
  $ KPRESS_QUEUE=nightly REDIS_URL=redis://queue:6379 kpress worker --concurrency 8
  $ kpress worker --metrics-port 9464 &    # then: curl localhost:9464/metrics

A program that starts workers as child processes can set KPRESS_EXIT_WITH_PARENT=1 and
give them a stdin pipe it never writes to: when the program dies (even by
SIGKILL) the pipe closes and each worker stops as on SIGTERM.`;

/** Adds the `worker` command to a kpress program (the `kpress` CLI, and the worker's own binary). */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('process jobs until SIGTERM or SIGINT')
    .option(
      '--concurrency <N>',
      'jobs at once (default: number of cores)',
      intInRange('--concurrency', 1, 1024),
    )
    .option(
      '--metrics-port <N>',
      'serve /metrics and /healthz on this port (default: KPRESS_METRICS_PORT, else none)',
      intInRange('--metrics-port', 0, 65535),
    )
    .option(
      '--metrics-host <addr>',
      'address of the metrics server (default: KPRESS_METRICS_HOST, else 127.0.0.1)',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: { concurrency?: number; metricsPort?: number; metricsHost?: string }) => {
      const config = await loadCliConfig();
      // loaded when used: the `kpress` program registers this command without loading the worker
      const { KpressWorker } = await import('./worker.js');
      const worker = new KpressWorker({
        config,
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
        ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
        ...(flags.metricsHost === undefined ? {} : { metricsHost: flags.metricsHost }),
      });
      closeOnSignals(worker);
      // the fault suite's seam (a no-op unless KPRESS_FAULT_PLAN names a plan file)
      if (armFaultPlan(process.env))
        worker.logger.warn('KPRESS_FAULT_PLAN set: faults will be injected');
      // the parent's death closes our stdin pipe: stop as on SIGTERM (see exit-with-parent.ts)
      if (exitWithParentRequested()) watchParent();
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
