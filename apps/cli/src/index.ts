export { CliError } from './cli-error.js';
export { detail, say } from './output/say.js';
export { verbosity } from './output/verbosity.js';
export { buildProgram } from './program.js';

/** Absolute path of the built `kpress` binary (dist/bin.js), for programs that start kpress processes. */
export const KPRESS_BIN = new URL('./bin.js', import.meta.url);
