// What the worker and producer images hold, checked without Docker: each
// Dockerfile's builder-stage `pnpm --filter <app> deploy` command is read from
// the Dockerfile and run here against this checkout (built as the image builds
// it), and its output is what the runtime stage copies. The worker image holds
// the worker alone (no producer, no dashboard); the producer image the CLI;
// neither holds test tooling: no s3rver, no @kpress/testkit, no @kpress/demo.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './repo.js';

const IMAGES = {
  worker: { dockerfile: 'apps/worker/Dockerfile', app: 'worker' },
  producer: { dockerfile: 'apps/producer/Dockerfile', app: 'cli' },
} as const;
const DEPLOY = /pnpm (--filter @kpress\/([a-z-]+) deploy [^\\\n&]*?) \/app\/deploy/;
const TEST_TOOLING = /s3rver|testkit|kpress\+demo|vitest/;

/** The deploy arguments of a Dockerfile's builder stage, and the package it deploys. */
function deployStep(path: string): { args: string[]; app: string } {
  const m = DEPLOY.exec(readRepoFile(path));
  if (!m) throw new Error(`${path}: no "pnpm --filter @kpress/<app> deploy ... /app/deploy" step`);
  return { args: (m[1] as string).trim().split(/\s+/), app: m[2] as string };
}

let out = '';
beforeAll(() => {
  execFileSync(
    'pnpm',
    ['turbo', 'run', 'build', '--filter=@kpress/cli...', '--output-logs=errors-only'],
    { cwd: repoRoot, stdio: 'pipe' },
  );
  out = mkdtempSync(join(tmpdir(), 'kpress-image-'));
  for (const [role, image] of Object.entries(IMAGES)) {
    execFileSync('pnpm', [...deployStep(image.dockerfile).args, join(out, role)], {
      cwd: repoRoot,
      stdio: 'pipe',
      env: { ...process.env, CI: 'true' },
    });
  }
}, 300_000);
afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

const ours = (role: string) => readdirSync(join(out, role, 'node_modules', '@kpress')).sort();
const store = (role: string) => readdirSync(join(out, role, 'node_modules', '.pnpm'));
const run = (role: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(out, role, 'dist', 'bin.js'), ...args], { encoding: 'utf8' });

describe("image contents (the Dockerfiles' pnpm deploy step, run here)", () => {
  it('each Dockerfile deploys its own app, prod-only', () => {
    for (const image of Object.values(IMAGES)) {
      const step = deployStep(image.dockerfile);
      expect(step.app).toBe(image.app);
      expect(step.args).toContain('--prod');
    }
  });

  it('the worker image: the worker, its packages and sharp; no CLI, producer, dashboard or test tooling', () => {
    expect(existsSync(join(out, 'worker', 'dist', 'bin.js'))).toBe(true);
    expect(ours('worker')).toEqual([
      'cli-kit',
      'codec',
      'compress',
      'config',
      'core',
      'manifest',
      'metrics',
      'queue',
      'report',
      'storage',
    ]);
    expect(store('worker').some((d) => d.startsWith('sharp@'))).toBe(true);
    // the libdeflate addon travels with the deployed package (its `files`), and loads there
    // a dependency of codec: beside it in pnpm's layout
    const codec = realpathSync(join(out, 'worker', 'node_modules', '@kpress', 'codec'));
    const deflate = join(codec, '..', 'deflate');
    expect(existsSync(join(deflate, 'native', 'build', 'Release', 'kpress_deflate.node'))).toBe(
      true,
    );
    const loaded = spawnSync(
      process.execPath,
      [
        '-e',
        `import(${JSON.stringify(join(deflate, 'dist', 'index.js'))}).then((m) => console.log(m.deflateBackend().name))`,
      ],
      { encoding: 'utf8' },
    );
    expect(loaded.stdout.trim()).toBe('libdeflate');
    // so do core's native k-means kernels (built by its own build, `files` in its package.json)
    const core = realpathSync(join(out, 'worker', 'node_modules', '@kpress', 'core'));
    expect(existsSync(join(core, 'native', 'build', 'Release', 'kpress_core.node'))).toBe(true);
    const kernels = spawnSync(
      process.execPath,
      [
        '-e',
        `import(${JSON.stringify(join(core, 'dist', 'index.js'))}).then((m) => console.log(m.coreKernels().name))`,
      ],
      { encoding: 'utf8' },
    );
    expect(kernels.stdout.trim()).toBe('native');
    // @kpress/png (the PNG chunks codec and report write and read) comes along too, beside codec
    expect(existsSync(join(codec, '..', 'png', 'dist', 'index.js'))).toBe(true);
    expect(store('worker').filter((d) => /bull-board|express@|cli-progress/.test(d))).toEqual([]);
    expect(store('worker').filter((d) => TEST_TOOLING.test(d))).toEqual([]);
  });

  it('the producer image: the CLI and its packages; no test tooling', () => {
    expect(existsSync(join(out, 'producer', 'dist', 'bin.js'))).toBe(true);
    expect(ours('producer')).toEqual(
      expect.arrayContaining([
        'cli-kit',
        'codec',
        'config',
        'producer',
        'queue',
        'storage',
        'worker',
      ]),
    );
    expect(ours('producer')).not.toContain('demo');
    expect(ours('producer')).not.toContain('testkit');
    expect(store('producer').filter((d) => TEST_TOOLING.test(d))).toEqual([]);
  });

  it('both run: the worker binary has the worker command only; demo is not in the CLI image', () => {
    const help = run('worker', 'worker', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--concurrency');
    const other = run('worker', 'enqueue', 's3://a/in/', '--dest', 's3://b/out/');
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("unknown command 'enqueue'");
    const demo = run('producer', 'demo');
    expect(demo.status).toBe(1);
    expect(demo.stderr).toMatch(/the demo is not part of this install.*npm run demo/);
    // four CLI starts in a row: a safety net for a busy machine, not a speed check
  }, 60_000);
});
