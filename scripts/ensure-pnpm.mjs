// The pinned pnpm, installed the way a newcomer's machine gets it: plain
// Node.js, no dependency, so that bootstrap.mjs can run it before anything is
// installed, and the toolchain test can check what it leaves.
//
// pnpm 12's npm package ships a shebang-less `pnpm` file that its own install
// script replaces with the native binary. Installed with scripts off, the
// placeholder stays: a shell or a bin shim still runs it, but turbo spawns
// `pnpm` with a plain exec and the kernel answers ENOEXEC. So the install runs
// pnpm's script, and the result is checked the way the kernel looks at it.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable `name` on `path` (a PATH string), or undefined. */
export function findOnPath(name, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Whether the kernel itself can exec `file` (after links): an ELF binary or a
 * `#!` script. Anything else only runs where a shell retries it after ENOEXEC
 * (glibc's execvp, bin shims), which turbo's spawn does not.
 */
export function kernelExecutable(file) {
  let fd;
  try {
    fd = openSync(realpathSync(file), 'r');
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    const elf = n === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    return elf || (n >= 2 && head[0] === 0x23 && head[1] === 0x21);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What `pnpm` on PATH is: its path, its version (or undefined), and whether a plain exec runs it. */
export function inspectPnpm(path = process.env.PATH) {
  const file = findOnPath('pnpm', path);
  if (file === undefined) return { file, version: undefined, execs: false };
  let version;
  try {
    version = execFileSync(file, ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: path },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    version = undefined;
  }
  return { file, version, execs: kernelExecutable(file) };
}

/** npm 11.x has `allow-scripts` and warns about an install script it does not list; older npm runs them quietly. */
function npmAllowScriptsFlag() {
  const r = spawnSync('npm', ['config', 'ls', '-l'], { encoding: 'utf8' });
  return /^allow-scripts = /m.test(r.stdout ?? '') ? ['--allow-scripts=pnpm'] : [];
}

/** npm's global bin folder (where `npm install --global` puts `pnpm`). */
function npmGlobalBin() {
  return join(execFileSync('npm', ['prefix', '--global'], { encoding: 'utf8' }).trim(), 'bin');
}

const good = (found, version) => found.version === version && found.execs;

/**
 * A good pnpm in npm's global bin folder that PATH does not find first: put
 * that folder first on process.env.PATH (for bootstrap's children) and say
 * what the user's own shell will find instead. Returns whether it did.
 */
function preferGlobalBin(version, say) {
  const bin = npmGlobalBin();
  const path = `${bin}${delimiter}${process.env.PATH ?? ''}`;
  if (!good(inspectPnpm(path), version)) return false;
  const shadow = findOnPath('pnpm');
  process.env.PATH = path;
  say(
    shadow === undefined
      ? `pnpm@${version} is in ${bin}, which is not on your PATH: add it there to run pnpm yourself`
      : `pnpm@${version} is in ${bin}, but your PATH finds ${shadow} first: put ${bin} before it to run pnpm yourself`,
  );
  return true;
}

/**
 * Makes `pnpm` on PATH the pinned `version`, run by a plain exec: leaves a good
 * one alone, uses one in npm's global bin folder that PATH does not reach
 * first, otherwise installs it globally with npm, scripts on (a pnpm left by
 * `--ignore-scripts` is replaced). Returns an error line, or undefined.
 */
export function ensurePnpm(version, { say, run }) {
  const found = inspectPnpm();
  if (good(found, version) || preferGlobalBin(version, say)) return undefined;
  if (found.version === version) {
    say(`the pnpm at ${found.file} is pnpm's placeholder script (installed without its install`);
    say('script), which turbo cannot exec: reinstalling it with its install script');
  } else {
    say(`installing pnpm@${version}`);
  }
  // --ignore-scripts=false: pnpm's install script is what puts its binary in
  // place, whatever the user's npm config says about scripts
  const args = ['install', '--global', '--no-fund', '--no-audit', '--ignore-scripts=false'];
  if (run('npm', [...args, ...npmAllowScriptsFlag(), `pnpm@${version}`]) !== 0) {
    return `could not install pnpm; try: npm install --global pnpm@${version}`;
  }
  if (good(inspectPnpm(), version) || preferGlobalBin(version, say)) return undefined;
  const now = inspectPnpm(`${npmGlobalBin()}${delimiter}${process.env.PATH ?? ''}`);
  if (now.version !== version) {
    return `pnpm@${version} was installed but \`pnpm --version\` does not answer it (found ${now.file ?? 'no pnpm'})`;
  }
  return `${now.file} cannot be run by a plain exec (turbo's spawn): reinstall with npm install --global --ignore-scripts=false pnpm@${version}`;
}
