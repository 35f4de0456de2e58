import { verbosity } from './verbosity.js';

/** A progress line for a person on stderr (`kpress: ...`); silent with --quiet. */
export function say(line: string, stream: NodeJS.WritableStream = process.stderr): void {
  if (verbosity() !== 'quiet') stream.write(`kpress: ${line}\n`);
}

/** A detail line on stderr, shown only with --verbose. */
export function detail(line: string, stream: NodeJS.WritableStream = process.stderr): void {
  if (verbosity() === 'verbose') stream.write(`kpress: ${line}\n`);
}
