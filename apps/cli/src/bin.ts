#!/usr/bin/env node
import { runProgram } from '@kpress/cli-kit';
import { buildProgram } from './program.js';

await runProgram(buildProgram());
