#!/usr/bin/env node
// first: sizes libuv's pool before anything uses it
import '@kpress/cli-kit/uv-threadpool';
import { runProgram } from '@kpress/cli-kit';
import { returnToInvokingDirectory } from './invoked-from.js';
import { buildProgram } from './program.js';

returnToInvokingDirectory();
await runProgram(buildProgram());
