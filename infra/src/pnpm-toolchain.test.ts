/**
 * The pnpm that turbo spawns must run under a plain exec. turbo starts each
 * task's `pnpm run` with execve, which does not retry a file the kernel cannot
 * exec under a shell as glibc's execvp (and so Node's spawn) does: pnpm 12's
 * placeholder `pnpm` script, left by an install with scripts off, runs from a
 * shell and fails under turbo with ENOEXEC. Python's os.execv is a bare
 * execve, so it sees what turbo sees.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './repo.js';

const PINNED = (
  JSON.parse(readRepoFile('package.json')) as { packageManager: string }
).packageManager.replace(/^pnpm@/, '');

/** Runs `file args` with a bare execve (no shell retry on ENOEXEC), as turbo does. */
function plainExec(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(
    'python3',
    ['-c', 'import os, sys; os.execv(sys.argv[1], sys.argv[1:])', file, ...args],
    { encoding: 'utf8', env },
  );
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** The first `name` on PATH, as a shell finds it. */
function which(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', env });
  return r.stdout.trim();
}

/** An npm install that hangs (a registry that does not answer) fails the test instead of holding CI. */
const NPM_TIMEOUT_MS = 100_000;

const scratch = mkdtempSync(join(tmpdir(), 'kpress-pnpm-toolchain-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A machine without pnpm, as .ci/run makes one: a throw-away npm prefix first
 * on PATH and any pnpm already there hidden behind a stand-in that answers like
 * a missing command; and `ensurePnpm` from scripts/ensure-pnpm.mjs run in it.
 */
function freshPrefix(name: string, extra: { first?: string; env?: NodeJS.ProcessEnv } = {}) {
  const prefix = join(scratch, name);
  const hide = join(scratch, `${name}-hide`);
  mkdirSync(hide, { recursive: true });
  writeFileSync(join(hide, 'pnpm'), '#!/bin/sh\necho "pnpm: not found" >&2\nexit 127\n');
  chmodSync(join(hide, 'pnpm'), 0o755);
  const dirs = [join(prefix, 'bin'), hide, process.env.PATH];
  const env = {
    ...process.env,
    // what bootstrap's own install put in npm's cache (CI runs it first) is
    // enough: this is about how pnpm is installed, not about the network
    npm_config_prefer_offline: 'true',
    ...extra.env,
    NPM_CONFIG_PREFIX: prefix,
    PATH: (extra.first === undefined ? dirs : [extra.first, ...dirs]).join(delimiter),
  };
  const ensure = () =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { ensurePnpm } from ${JSON.stringify(join(repoRoot, 'scripts', 'ensure-pnpm.mjs'))};
         const { spawnSync } = await import('node:child_process');
         const err = ensurePnpm(${JSON.stringify(PINNED)}, {
           say: (l) => console.error('[kpress] ' + l),
           run: (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1,
         });
         if (err) { console.error(err); process.exit(1); }`,
      ],
      { encoding: 'utf8', env, cwd: scratch, timeout: NPM_TIMEOUT_MS },
    );
  return { prefix, env, ensure };
}

describe('the pnpm turbo spawns', () => {
  it('is the pinned version and runs under a plain exec', () => {
    const pnpm = which('pnpm');
    expect(pnpm).not.toBe('');
    const r = plainExec(pnpm, ['--version']);
    expect(r.stderr).not.toMatch(/Exec format error/);
    expect(r).toMatchObject({ code: 0, stdout: PINNED });
  });

  it('the check catches a shebang-less script (the ENOEXEC turbo met)', () => {
    const placeholder = join(scratch, 'shebang-less');
    writeFileSync(placeholder, 'echo 12.4.2\n');
    chmodSync(placeholder, 0o755);
    // a shell runs it...
    expect(spawnSync('sh', ['-c', placeholder], { encoding: 'utf8' }).stdout.trim()).toBe('12.4.2');
    // ...a plain exec does not
    const r = plainExec(placeholder, []);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Exec format error/);
  });
});

describe("bootstrap's pnpm install (scripts/ensure-pnpm.mjs) on a machine without pnpm", () => {
  it("installs the pinned pnpm into npm's global prefix, and it runs under a plain exec", () => {
    const fresh = freshPrefix('new');
    const r = fresh.ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`installing pnpm@${PINNED}`);
    expect(r.stderr).not.toMatch(/npm warn/i);
    const pnpm = which('pnpm', fresh.env);
    expect(pnpm).toBe(join(fresh.prefix, 'bin', 'pnpm'));
    expect(plainExec(pnpm, ['--version'], fresh.env)).toMatchObject({ code: 0, stdout: PINNED });
    // a second run finds it and leaves it alone
    const again = fresh.ensure();
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('');
  }, 120_000);

  it('replaces the placeholder an install with --ignore-scripts leaves', () => {
    const fresh = freshPrefix('placeholder');
    const npm = spawnSync(
      'npm',
      ['install', '--global', '--ignore-scripts', '--no-fund', '--no-audit', `pnpm@${PINNED}`],
      { encoding: 'utf8', env: fresh.env, timeout: NPM_TIMEOUT_MS },
    );
    expect(npm.status, npm.stderr).toBe(0);
    const pnpm = which('pnpm', fresh.env);
    expect(pnpm).toBe(join(fresh.prefix, 'bin', 'pnpm'));
    expect(plainExec(pnpm, ['--version'], fresh.env).stderr).toMatch(/Exec format error/);

    const r = fresh.ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("pnpm's placeholder script");
    expect(plainExec(pnpm, ['--version'], fresh.env)).toMatchObject({ code: 0, stdout: PINNED });
  }, 120_000);

  it("installs a working pnpm when the user's npm config turns install scripts off", () => {
    const fresh = freshPrefix('no-scripts', { env: { npm_config_ignore_scripts: 'true' } });
    const r = fresh.ensure();
    expect(r.status, r.stderr).toBe(0);
    const pnpm = join(fresh.prefix, 'bin', 'pnpm');
    expect(plainExec(pnpm, ['--version'], fresh.env)).toMatchObject({ code: 0, stdout: PINNED });
  }, 120_000);

  it("another pnpm first on PATH: installs once, then uses it from npm's folder and says so", () => {
    const other = join(scratch, 'other-pnpm');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'pnpm'), '#!/bin/sh\necho 9.15.0\n');
    chmodSync(join(other, 'pnpm'), 0o755);
    const fresh = freshPrefix('shadowed', { first: other });
    const r = fresh.ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`installing pnpm@${PINNED}`);
    const again = fresh.ensure();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('installing');
    expect(again.stderr).toContain(
      `pnpm@${PINNED} is in ${join(fresh.prefix, 'bin')}, but your PATH finds ${join(other, 'pnpm')} first`,
    );
  }, 120_000);
});
