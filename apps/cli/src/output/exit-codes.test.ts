/**
 * The CLI's contract with people, checked on the built binary: --help with
 * examples for every command, one-line errors, the documented exit codes,
 * and --quiet.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { EXIT, exitCodeForSignal } from '@kpress/cli-kit';
import { KPRESS_VERSION } from '@kpress/config';
import { redisUrl, removeQueueKeys, spawnProcess, uniqueQueueName } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { BIN } from '../test/paths.js';

const COMMANDS = ['compress', 'enqueue', 'worker', 'report', 'demo', 'dashboard'];

function kpress(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

describe('kpress --help', () => {
  it('lists every command, the global flags and the exit codes', () => {
    const r = kpress(['--help']);
    expect(r.code).toBe(EXIT.ok);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toContain('--quiet');
    expect(r.stdout).toContain('--verbose');
    expect(r.stdout).toMatch(/Exit status: 0 done; 1 a runtime failure/);
    expect(r.stdout).toContain('130 / 143');
  });

  it.each(COMMANDS)('%s --help shows usage and examples', (command) => {
    const r = kpress([command, '--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(new RegExp(`^Usage: kpress ${command} `, 'm'));
    expect(r.stdout).toMatch(/Examples:\n {2}\$ /);
  });
});

describe('kpress --version', () => {
  it.each(['--version', '-V'])('%s prints the version alone and exits 0', (flag) => {
    const r = kpress([flag]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(`${KPRESS_VERSION}\n`);
    expect(KPRESS_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.stderr).toBe('');
  });

  it('is listed in --help', () => {
    expect(kpress(['--help']).stdout).toMatch(/-V, --version +print the kpress version/);
  });
});

describe('errors: one line saying what was wrong, and the exit code', () => {
  it('an unknown command is a usage error (2)', () => {
    const r = kpress(['frobnicate']);
    expect(r.code).toBe(EXIT.usage);
    expect(lines(r.stderr)).toEqual(["kpress: unknown command 'frobnicate' (see kpress --help)"]);
  });

  it('a bad flag value is a usage error (2) naming the flag and the value', () => {
    const r = kpress(['demo', '--workers', '0']);
    expect(r.code).toBe(EXIT.usage);
    expect(lines(r.stderr)).toEqual([
      'kpress: --workers must be an integer from 1 to 16, got 0 (see kpress demo --help)',
    ]);
    expect(r.stdout).toBe('');
  });

  it('unreachable Redis is a runtime failure (1) in one line naming the URL', () => {
    const r = kpress(['enqueue', 's3://source-bkt/in/', '--dest', 's3://dest-bkt/out/'], {
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(r.code).toBe(EXIT.failure);
    expect(lines(r.stderr)).toEqual([
      'kpress: cannot reach Redis at redis://127.0.0.1:1: ECONNREFUSED',
    ]);
  });

  it('a missing input for compress is a runtime failure (1)', () => {
    const r = kpress(['compress', '/no/such/file.jpg', '/tmp/never-written.png']);
    expect(r.code).toBe(EXIT.failure);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^kpress: .*no\/such\/file\.jpg/);
  });

  it('signals map to 128 + the signal number', () => {
    expect(exitCodeForSignal('SIGINT')).toBe(130);
    expect(exitCodeForSignal('SIGTERM')).toBe(143);
  });
});

describe('--quiet', () => {
  it('keeps info lines off stderr (the worker says nothing until a warning)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const queue = uniqueQueueName('kpress-quiet');
    const run = (flags: string[]) =>
      spawnProcess(process.execPath, [BIN, ...flags, 'worker', '--concurrency', '1'], {
        env: {
          REDIS_URL: redisUrl(),
          KPRESS_QUEUE: queue,
          KPRESS_METRICS_PORT: String(port),
          NODE_NO_WARNINGS: '1',
          LOG_LEVEL: 'info',
        },
      });
    const waitHealthy = async () => {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // the same run without --quiet logs "worker ready": the check below can fail
    const loud = run([]);
    await waitHealthy();
    loud.kill('SIGTERM');
    expect((await loud.waitForExit()).code).toBe(0);
    expect(loud.stderr.join('\n')).toContain('worker ready');

    const quiet = run(['--quiet']);
    await waitHealthy();
    quiet.kill('SIGTERM');
    expect((await quiet.waitForExit()).code).toBe(0);
    expect(quiet.stderr).toEqual([]);
    await removeQueueKeys(queue);
  }, 60_000);
});
