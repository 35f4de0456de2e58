// The worker image's runtime contract, run for real without Docker: the
// Dockerfile's ENTRYPOINT + CMD start a real `kpress worker` (built from this
// checkout, as the image builds it), its HEALTHCHECK command passes against
// it, its STOPSIGNAL stops it with exit status 0, and the healthcheck then fails.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { removeQueueKeys } from '@kpress/testkit';
import { DockerfileParser } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './repo.js';

const df = DockerfileParser.parse(readRepoFile('apps/worker/Dockerfile'));
const lastOf = (keyword: string) =>
  df
    .getInstructions()
    .filter((i) => i.getKeyword() === keyword)
    .at(-1);
const jsonArgs = (keyword: string): string[] =>
  JSON.parse(lastOf(keyword)?.getArgumentsContent() ?? 'null') as string[];

const entrypoint = jsonArgs('ENTRYPOINT');
const cmd = jsonArgs('CMD');
const stopSignal = lastOf('STOPSIGNAL')?.getArguments()[0]?.getValue() as NodeJS.Signals;
/** `HEALTHCHECK [options] CMD ["node", "-e", "..."]`: the exec-form array after CMD. */
const healthcheck = JSON.parse(
  /CMD\s+(\[.*\])\s*$/s.exec(lastOf('HEALTHCHECK')?.getArgumentsContent() ?? '')?.[1] ?? 'null',
) as string[];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs the Dockerfile's HEALTHCHECK (with the metrics port swapped), resolving to its exit code. */
function runHealthcheck(port: number): Promise<number> {
  const [bin, ...args] = healthcheck.map((a) => a.replaceAll(':9464/', `:${port}/`));
  expect(bin).toBe('node');
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 10_000 }, (err) => {
      resolve(err ? Number((err as { code?: number }).code ?? 1) : 0);
    });
  });
}

let worker: ChildProcess | undefined;
let output = '';

beforeAll(() => {
  // What the image's builder stage runs (turbo's cache makes it quick when built).
  execFileSync(
    'pnpm',
    ['turbo', 'run', 'build', '--filter=@kpress/worker...', '--output-logs=errors-only'],
    {
      cwd: repoRoot,
      stdio: 'pipe',
    },
  );
}, 300_000);

afterAll(() => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
});

describe('worker image runtime contract (no Docker needed)', () => {
  it('parses ENTRYPOINT, CMD, STOPSIGNAL and HEALTHCHECK from the Dockerfile', () => {
    expect(entrypoint).toEqual(['node', '/app/apps/worker/dist/bin.js']);
    expect(cmd).toEqual(['worker']);
    expect(stopSignal).toBe('SIGTERM');
    expect(healthcheck[0]).toBe('node');
    expect(healthcheck.join(' ')).toContain(':9464/healthz');
  });

  it('passes its healthcheck while running, exits 0 on STOPSIGNAL, then fails the healthcheck', async () => {
    const port = await freePort();
    // Before the worker starts, nothing answers: the healthcheck must fail.
    expect(await runHealthcheck(port)).not.toBe(0);

    const bin = join(repoRoot, (entrypoint[1] as string).replace(/^\/app\//, ''));
    const queueName = `infra-hc-${randomBytes(4).toString('hex')}`;
    worker = spawn(process.execPath, [bin, ...cmd, '--concurrency', '1'], {
      env: {
        ...process.env,
        KPRESS_METRICS_PORT: String(port),
        KPRESS_QUEUE: queueName,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d) => {
      output += d;
    });
    worker.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) =>
      worker?.once('exit', (code) => resolve(code)),
    );

    let healthy = -1;
    for (let i = 0; i < 60 && healthy !== 0 && worker.exitCode === null; i++) {
      healthy = await runHealthcheck(port);
      if (healthy !== 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(healthy, `worker output:\n${output}`).toBe(0);

    worker.kill(stopSignal);
    expect(await exited, `worker output:\n${output}`).toBe(0);
    expect(await runHealthcheck(port)).not.toBe(0);
    await removeQueueKeys(queueName);
  }, 60_000);
});
