import { kpressProgram } from '@kpress/cli-kit';
import { registerWorkerCommand } from '@kpress/worker/command';
import type { Command } from 'commander';
import { register as registerBatches } from './commands/batches.js';
import { register as registerCancel } from './commands/cancel.js';
import { register as registerCompress } from './commands/compress.js';
import { register as registerDashboard } from './commands/dashboard.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerEnqueue } from './commands/enqueue.js';
import { register as registerReport } from './commands/report.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerVerify } from './commands/verify.js';

const GLOBAL_HELP = `
Exit status: 0 done; 1 a runtime failure (unreachable Redis, missing bucket,
denied access, a bad image for compress), one line on stderr saying what and
what to do; 2 a usage error (unknown command, bad or missing flag);
130 / 143 when SIGINT / SIGTERM cut off a command before it finished its work
(worker and dashboard exit 0 on a signal: stopping is their normal end).

Environment: REDIS_URL, KPRESS_QUEUE, S3_ENDPOINT, S3_FORCE_PATH_STYLE,
AWS_REGION, AWS credentials (SDK chain), LOG_LEVEL, KPRESS_METRICS_PORT,
KPRESS_METRICS_HOST,
KPRESS_DASHBOARD_USER / KPRESS_DASHBOARD_PASSWORD. Logs are JSON lines on
stderr (pretty on a terminal); stdout carries only command output.

\`kpress\` on PATH: run \`pnpm install:bin\` in the repository (or use
\`pnpm kpress ...\` inside it).

Examples:
  $ kpress demo
  $ kpress compress photo.jpg photo.png --colors 32
  $ kpress compress photos/ archive/ --dither
  $ kpress enqueue s3://photos/2024/ --dest s3://archive/2024/ --wait
  $ kpress status --watch
  $ kpress batches s3://archive/2024/
  $ kpress worker --concurrency 8 --metrics-port 9464
  $ kpress dashboard --port 3000`;

/**
 * Builds the `kpress` program. Each command lives in `commands/<name>.ts`
 * and exports `register(program)`; this file only wires them.
 */
export function buildProgram(): Command {
  const program = kpressProgram(
    'kpress',
    'Compress whole image datasets for archival with k-means colour quantization',
  ).addHelpText('after', GLOBAL_HELP);
  registerCompress(program);
  registerEnqueue(program);
  registerWorkerCommand(program);
  registerStatus(program);
  registerBatches(program);
  registerCancel(program);
  registerReport(program);
  registerVerify(program);
  registerDemo(program);
  registerDashboard(program);
  return program;
}
