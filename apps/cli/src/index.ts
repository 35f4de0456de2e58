export { CliError, detail, say, verbosity } from '@kpress/cli-kit';
export { buildProgram } from './program.js';

/** Absolute path of the built `kpress` binary (dist/bin.js), for programs that start kpress processes. */
export const KPRESS_BIN = new URL('./bin.js', import.meta.url);
