import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './repo.js';

const rootPkg = JSON.parse(readRepoFile('package.json')) as {
  packageManager: string;
  devDependencies: Record<string, string>;
};
const PNPM = rootPkg.packageManager.replace(/^pnpm@/, '');
const TURBO = rootPkg.devDependencies.turbo as string;

interface Parsed {
  stages: Array<{ name: string | null; image: string; instructions: Instruction[] }>;
  all: Instruction[];
}

/** Parses a Dockerfile with dockerfile-ast, resolving `FROM ${ARG}` from the initial ARGs. */
function parseDockerfile(path: string): Parsed {
  const df = DockerfileParser.parse(readRepoFile(path));
  const args = new Map<string, string>();
  for (const arg of df.getInitialARGs()) {
    const p = arg.getProperty();
    if (p) args.set(p.getName(), p.getValue() ?? '');
  }
  const resolve = (s: string) =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? `<unset ${a ?? b}>`);
  const stages: Parsed['stages'] = [];
  for (const ins of df.getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const from = ins as unknown as { getBuildStage(): string | null; getImage(): string | null };
      stages.push({
        name: from.getBuildStage(),
        image: resolve(from.getImage() ?? ''),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return { stages, all: df.getInstructions() };
}

const words = (i: Instruction) => i.getArguments().map((a) => a.getValue());
/** The RUN commands among `instructions` (a whole file's, or one stage's). */
const runs = (instructions: Instruction[]) =>
  instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');

const DOCKERFILES = {
  worker: 'apps/worker/Dockerfile',
  producer: 'apps/producer/Dockerfile',
} as const;

let pruneDir = '';
beforeAll(() => {
  pruneDir = mkdtempSync(join(tmpdir(), 'kpress-prune-'));
  execFileSync(
    'pnpm',
    ['exec', 'turbo', 'prune', '@kpress/cli', '--docker', '--out-dir', pruneDir],
    {
      cwd: repoRoot,
      stdio: 'pipe',
    },
  );
}, 120_000);
afterAll(() => {
  if (pruneDir) rmSync(pruneDir, { recursive: true, force: true });
});

for (const [role, path] of Object.entries(DOCKERFILES)) {
  describe(path, () => {
    const p = parseDockerfile(path);
    const final = p.stages.at(-1);
    const finalKeyword = (k: string) =>
      (final?.instructions ?? []).filter((i) => i.getKeyword() === k);

    it('is multi-stage on glibc node:24 (bookworm-slim, the LTS CI also tests on), named stages', () => {
      expect(p.stages.length).toBeGreaterThanOrEqual(3);
      for (const s of p.stages) {
        expect(s.image).toBe('node:24-bookworm-slim');
        expect(s.image).not.toMatch(/alpine|musl/);
        expect(s.name).toMatch(/^[a-z]+$/);
      }
    });

    it('pins pnpm and turbo to the repository versions', () => {
      const text = runs(p.all).join('\n');
      expect(text).toContain(`pnpm@${PNPM}`);
      expect(text).toContain(`turbo@${TURBO}`);
      expect(PNPM).toBe('12.4.2');
      expect(TURBO).toBe('2.11.11');
      expect(text).not.toMatch(/(pnpm|turbo)@latest/);
    });

    it('turns off turbo telemetry in every stage that runs turbo or pnpm install', () => {
      for (const s of p.stages) {
        const text = runs(s.instructions).join('\n');
        if (!/\bturbo\b|pnpm install/.test(text)) continue;
        const env = s.instructions.filter((i) => i.getKeyword() === 'ENV').flatMap((i) => words(i));
        expect(env, `stage ${s.name}`).toContain('TURBO_TELEMETRY_DISABLED=1');
      }
    });

    // the worker image holds the worker app alone; the producer image the whole CLI
    const app = role === 'worker' ? 'worker' : 'cli';

    it(`prunes for @kpress/${app}, installs frozen, and keeps prod-only deps`, () => {
      const text = runs(p.all).join('\n');
      expect(text).toContain(`turbo prune @kpress/${app} --docker --out-dir /app/out`);
      expect(text).toMatch(/pnpm install --frozen-lockfile/);
      expect(text).toMatch(
        /pnpm install --frozen-lockfile --prod|pnpm prune --prod|pnpm (--filter \S+ )?deploy .*--prod/,
      );
    });

    it(`runs as a non-root user with the ${app} entry point`, () => {
      const users = finalKeyword('USER').map((i) => words(i)[0]);
      expect(users.length).toBeGreaterThan(0);
      expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
      const entry = finalKeyword('ENTRYPOINT').at(-1);
      expect(entry && JSON.parse(entry.getArgumentsContent() ?? '')).toEqual([
        'node',
        `/app/apps/${app}/dist/bin.js`,
      ]);
      const cmd = finalKeyword('CMD').at(-1);
      expect(cmd && JSON.parse(cmd.getArgumentsContent() ?? '')).toEqual(
        role === 'worker' ? ['worker'] : ['enqueue', '--help'],
      );
      expect(finalKeyword('STOPSIGNAL').map((i) => words(i)[0])).toEqual(['SIGTERM']);
    });

    it(
      role === 'worker'
        ? 'checks health with node on 127.0.0.1:9464/healthz'
        : 'has no worker healthcheck',
      () => {
        const hc = finalKeyword('HEALTHCHECK');
        if (role === 'worker') {
          expect(hc).toHaveLength(1);
          const text = hc[0]?.getArgumentsContent() ?? '';
          expect(text).toMatch(/CMD \["node", "-e"/);
          expect(text).toContain('http://127.0.0.1:9464/healthz');
          expect(text).not.toMatch(/curl|wget/);
        } else {
          expect(hc).toHaveLength(0);
        }
      },
    );

    it('copies only what turbo prune --docker lays out (and what earlier stages built)', () => {
      const stageNames = new Set(p.stages.map((s) => s.name));
      let checked = 0;
      for (const copy of p.all.filter((i) => i.getKeyword() === 'COPY')) {
        const args = words(copy).filter((w) => !w.startsWith('--'));
        // getFromFlag() misses --from when another flag follows it: read the flags.
        const from = (copy as Copy)
          .getFlags()
          .find((f) => f.getName() === 'from')
          ?.getValue();
        const sources = args.slice(0, -1);
        for (const src of sources) {
          if (from === 'pruner' && src.startsWith('/app/out/')) {
            const local = join(pruneDir, src.slice('/app/out/'.length));
            expect(existsSync(local), `${src} in turbo prune output`).toBe(true);
            checked++;
          } else if (from === 'pruner' && src.startsWith('/app/')) {
            // the pruner stage holds the whole build context at /app
            expect(existsSync(join(repoRoot, src.slice('/app/'.length))), src).toBe(true);
          } else if (from) {
            expect(stageNames.has(from), `COPY --from=${from}`).toBe(true);
          } else {
            expect(existsSync(join(repoRoot, src)), `build context path ${src}`).toBe(true);
          }
        }
      }
      expect(checked).toBeGreaterThanOrEqual(2);
      expect(existsSync(join(pruneDir, 'json', 'pnpm-lock.yaml'))).toBe(true);
      expect(existsSync(join(pruneDir, 'json', 'pnpm-workspace.yaml'))).toBe(true);
      expect(existsSync(join(pruneDir, 'full', 'apps', 'cli', 'package.json'))).toBe(true);
    });

    it('brings every root file that the package tsconfig.json files extend', () => {
      // turbo prune leaves root config files out; the builder must copy them itself.
      const copied = p.all
        .filter((i) => i.getKeyword() === 'COPY')
        .flatMap((i) =>
          words(i)
            .filter((w) => !w.startsWith('--'))
            .slice(0, -1),
        );
      const extended = new Set<string>();
      for (const dir of ['apps/cli', 'apps/worker', 'apps/producer', 'packages/core']) {
        const ts = JSON.parse(readRepoFile(`${dir}/tsconfig.json`)) as { extends?: string };
        if (ts.extends?.startsWith('../../')) extended.add(ts.extends.slice('../../'.length));
      }
      expect(extended.size).toBeGreaterThan(0);
      for (const file of extended) {
        expect(
          existsSync(join(pruneDir, 'full', file)) || copied.includes(`/app/${file}`),
          file,
        ).toBe(true);
      }
    });
  });
}

describe('turbo prune output', () => {
  it('holds a lockfile that a frozen install accepts as up to date', () => {
    // --lockfile-only: verify the pruned lockfile against the pruned manifests
    // without writing node_modules (what the image's `pnpm install --frozen-lockfile` needs).
    const out = execFileSync(
      'pnpm',
      ['install', '--frozen-lockfile', '--lockfile-only', '--ignore-scripts', '--prefer-offline'],
      { cwd: join(pruneDir, 'json'), env: { ...process.env, CI: 'true' }, encoding: 'utf8' },
    );
    expect(out).not.toMatch(/ERR_PNPM/);
  }, 120_000);
});

describe('.dockerignore', () => {
  const lines = readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps out node_modules, dist, git and env files but not what turbo prune reads', () => {
    for (const must of ['**/node_modules', '**/dist', '.git', '.env'])
      expect(lines).toContain(must);
    for (const needed of [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'turbo.json',
      'apps',
      'packages',
      'tools',
    ]) {
      expect(lines, needed).not.toContain(needed);
    }
  });
});
