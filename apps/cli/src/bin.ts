#!/usr/bin/env node
// first: sizes libuv's pool before anything uses it
import '@kpress/cli-kit/uv-threadpool';
import { runProgram } from '@kpress/cli-kit';
import { buildProgram } from './program.js';

await runProgram(buildProgram());
