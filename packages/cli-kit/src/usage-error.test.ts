import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { oneLineUsageErrors, usageErrorLine } from './usage-error.js';

describe('usageErrorLine', () => {
  it.each([
    [
      "error: option '--colors <K>' argument '300' is invalid. --colors must be an integer from 2 to 256, got 300.\n",
      '--colors must be an integer from 2 to 256, got 300 (see kpress compress --help)',
    ],
    [
      "error: unknown option '--colrs'\n(Did you mean --colors?)\n",
      "unknown option '--colrs'; did you mean --colors? (see kpress compress --help)",
    ],
    [
      "error: missing required argument 'paths'\n",
      "missing required argument 'paths' (see kpress compress --help)",
    ],
    [
      "error: too many arguments for 'status'. Expected 0 arguments but got 1.\n",
      "too many arguments for 'status'. Expected 0 arguments but got 1 (see kpress compress --help)",
    ],
    [
      "error: command-argument value 'x' is invalid for argument 'n'. n must be a number, got x.\n",
      'n must be a number, got x (see kpress compress --help)',
    ],
  ])('%j', (text, line) => {
    expect(usageErrorLine(text, 'kpress compress')).toBe(line);
  });
});

describe('oneLineUsageErrors', () => {
  /** A program with one command, parsed from `argv`; returns what went to stderr and stdout. */
  function parse(argv: string[]) {
    const err: string[] = [];
    const out: string[] = [];
    const program = new Command('kpress').exitOverride();
    program
      .command('compress')
      .argument('<in>')
      .option('--colors <K>', 'colours', (v) => {
        if (v !== '16') throw new InvalidArgumentError(`--colors must be 16, got ${v}`);
        return 16;
      })
      .action(() => {});
    oneLineUsageErrors(program);
    for (const c of [program, ...program.commands]) {
      c.configureOutput({ writeErr: (s) => err.push(s), writeOut: (s) => out.push(s) });
    }
    expect(() => program.parse(argv, { from: 'user' })).toThrow();
    return { err: err.join(''), out: out.join('') };
  }

  it('prints one line naming the program, the refusal and the command whose help to read', () => {
    expect(parse(['compress', 'a', '--colors', '8'])).toEqual({
      err: 'kpress: --colors must be 16, got 8 (see kpress compress --help)\n',
      out: '',
    });
    expect(parse(['frobnicate']).err).toBe(
      "kpress: unknown command 'frobnicate' (see kpress --help)\n",
    );
  });
});
