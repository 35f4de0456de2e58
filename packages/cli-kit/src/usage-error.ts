import type { Command } from 'commander';

/**
 * Commander's text for a usage error (`error: ...`, maybe a `(Did you mean
 * --colors?)` line) as kpress says every error: one line, the option's own
 * message when a parser refused a value (it names the option, what was
 * expected and what was given), and the help that would have helped:
 *
 *   `--colors must be an integer from 2 to 256, got 300 (see kpress compress --help)`
 */
export function usageErrorLine(text: string, commandPath: string): string {
  const [first = '', ...rest] = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  let what = first.replace(/^error: /, '');
  // a parser's InvalidArgumentError: its message already names option, rule and value
  const refused =
    /^(?:option '[^']*' argument|command-argument value) .*? is invalid(?: for argument '[^']*')?\. (.+)$/.exec(
      what,
    );
  if (refused?.[1] !== undefined) what = refused[1];
  what = what.replace(/\.$/, '');
  const hints = rest.map((l) => l.replace(/^\((.*)\)$/, '$1').replace(/^Did/, 'did'));
  const extra = hints.length > 0 ? `; ${hints.join('; ')}` : '';
  return `${what}${extra} (see ${commandPath} --help)`;
}

/** `kpress compress` for the compress command of the `kpress` program. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Makes `program` and each of its commands print usage errors as one line,
 * `<program>: <usageErrorLine>`, naming that command's help.
 */
export function oneLineUsageErrors(program: Command): void {
  const visit = (command: Command) => {
    command.showHelpAfterError(false).configureOutput({
      outputError: (text, write) =>
        write(`${program.name()}: ${usageErrorLine(text, commandPath(command))}\n`),
    });
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
}
