export { CliError } from './cli-error.js';
export { buildProgram } from './program.js';
