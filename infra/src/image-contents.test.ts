// What the worker and producer images hold, checked without Docker: the
// builder stage's `pnpm deploy` command, read from each Dockerfile, is run
// here against this checkout (built as the image builds it), and its output is
// what the runtime stage copies. It must hold the kpress CLI and none of the
// test tooling: no s3rver, no @kpress/testkit, no @kpress/demo.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './repo.js';

const DOCKERFILES = ['apps/worker/Dockerfile', 'apps/producer/Dockerfile'];
const DEPLOY = /pnpm (--filter @kpress\/cli deploy [^\\\n&]*?) \/app\/deploy/;

/** The deploy arguments of a Dockerfile's builder stage. */
function deployArgs(path: string): string[] {
  const m = DEPLOY.exec(readRepoFile(path));
  if (!m) throw new Error(`${path}: no "pnpm --filter @kpress/cli deploy ... /app/deploy" step`);
  return (m[1] as string).trim().split(/\s+/);
}

let out = '';
beforeAll(() => {
  execFileSync(
    'pnpm',
    ['turbo', 'run', 'build', '--filter=@kpress/cli...', '--output-logs=errors-only'],
    {
      cwd: repoRoot,
      stdio: 'pipe',
    },
  );
  out = mkdtempSync(join(tmpdir(), 'kpress-image-'));
  execFileSync('pnpm', [...deployArgs(DOCKERFILES[0] as string), join(out, 'cli')], {
    cwd: repoRoot,
    stdio: 'pipe',
    env: { ...process.env, CI: 'true' },
  });
}, 300_000);
afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe("image contents (the Dockerfiles' pnpm deploy step, run here)", () => {
  it('both Dockerfiles deploy the CLI the same way, prod-only', () => {
    const [worker, producer] = DOCKERFILES.map(deployArgs);
    expect(producer).toEqual(worker);
    expect(worker).toContain('--prod');
  });

  it('holds the CLI, its packages and sharp, and no test server or test kit', () => {
    const cli = join(out, 'cli');
    expect(existsSync(join(cli, 'dist', 'bin.js'))).toBe(true);
    const ours = readdirSync(join(cli, 'node_modules', '@kpress')).sort();
    expect(ours).toEqual(['codec', 'config', 'producer', 'queue', 'storage', 'worker']);
    const store = readdirSync(join(cli, 'node_modules', '.pnpm'));
    expect(store.some((d) => d.startsWith('sharp@'))).toBe(true);
    expect(store.filter((d) => /s3rver|testkit|kpress\+demo|vitest/.test(d))).toEqual([]);
  });

  it('runs: the worker command is there, and demo says it is not part of the install', () => {
    const bin = join(out, 'cli', 'dist', 'bin.js');
    const help = spawnSync(process.execPath, [bin, 'worker', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--concurrency');
    const demo = spawnSync(process.execPath, [bin, 'demo'], { encoding: 'utf8' });
    expect(demo.status).toBe(1);
    expect(demo.stderr).toMatch(/the demo is not part of this install.*npm run demo/);
  });
});
