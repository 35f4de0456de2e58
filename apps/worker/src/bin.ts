#!/usr/bin/env node
// The worker on its own: what the worker image runs, without the rest of the
// CLI (no producer, no dashboard). Same command line as `kpress worker`:
//   kpress-worker worker [--concurrency N] [--metrics-port N]
// first: sizes libuv's pool before anything uses it
import '@kpress/cli-kit/uv-threadpool';
import { kpressProgram, runProgram } from '@kpress/cli-kit';
import { registerWorkerCommand } from './command.js';

const program = kpressProgram('kpress', 'The kpress worker: compresses the images of the queue');
registerWorkerCommand(program);
await runProgram(program);
