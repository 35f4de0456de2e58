#!/usr/bin/env node
// `pnpm install:bin [dir]`: puts a `kpress` command on PATH that runs this
// checkout's CLI (apps/cli/dist/bin.js) from anywhere, with paths resolved from
// where it is run. Default dir: $KPRESS_BIN_DIR, else ~/.local/bin. A file of
// that name that is not a kpress launcher is left alone.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = '# kpress launcher';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'apps', 'cli', 'dist', 'bin.js');
const dir = resolve(
  process.argv[2] ?? process.env.KPRESS_BIN_DIR ?? join(homedir(), '.local', 'bin'),
);
const target = join(dir, 'kpress');

if (!existsSync(bin)) {
  console.error(`install-bin: ${bin} is missing: run pnpm install (it builds the CLI) first`);
  process.exit(1);
}
if (existsSync(target) && !readFileSync(target, 'utf8').includes(MARK)) {
  console.error(
    `install-bin: ${target} exists and is not a kpress launcher: left alone; give another folder`,
  );
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
const quoted = (s) => `'${s.replaceAll("'", "'\\''")}'`;
writeFileSync(
  target,
  `#!/bin/sh\n${MARK} for ${root}\nexec ${quoted(process.execPath)} ${quoted(bin)} "$@"\n`,
);
chmodSync(target, 0o755);
const onPath = (process.env.PATH ?? '')
  .split(delimiter)
  .some((p) => p !== '' && resolve(p) === dir);
console.log(`kpress installed: ${target}`);
if (!onPath) console.log(`${dir} is not on PATH: add it, e.g. export PATH="${dir}:$PATH"`);
