#!/usr/bin/env node
import { formatResult } from './format-result.js';
// pnpm --filter @kpress/bench-queue bench -- --jobs 1000000
import { parseArgs } from './options.js';
import { runBench } from './run-bench.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`bench-queue: ${sig}: stopping and removing the queue\n`);
    controller.abort();
  });
}

try {
  const options = parseArgs(process.argv.slice(2));
  const result = await runBench(options, controller.signal);
  process.stdout.write(formatResult(result));
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  if (!result.memory.returnedToBaseline || result.keysLeft !== 0) process.exitCode = 1;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
