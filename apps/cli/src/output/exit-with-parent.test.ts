/**
 * KPRESS_EXIT_WITH_PARENT=1: a worker whose parent is SIGKILLed stops on its
 * own; without the variable it lives on (so the first check can fail).
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { exitWithParentRequested, watchParent } from '@kpress/cli-kit';
import { redisUrl, removeQueueKeys, spawnProcess, uniqueQueueName } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';
import { BIN } from '../test/paths.js';

/** A parent process that starts one worker with a stdin pipe and prints its pid. */
const PARENT = `
const { spawn } = require('node:child_process');
const w = spawn(process.execPath, [process.argv[1], 'worker', '--concurrency', '1'], {
  stdio: ['pipe', 'inherit', 'inherit'],
});
console.log('worker pid ' + w.pid);
setInterval(() => {}, 1000);
`;

/** Running (a zombie waiting for its new parent to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function startOrphanable(flag: string | undefined) {
  const queue = uniqueQueueName('kpress-orphan');
  const parent = spawnProcess(process.execPath, ['-e', PARENT, BIN], {
    exitWithParent: false,
    env: {
      REDIS_URL: redisUrl(),
      KPRESS_QUEUE: queue,
      NODE_NO_WARNINGS: '1',
      LOG_LEVEL: 'info',
      KPRESS_EXIT_WITH_PARENT: flag,
    },
  });
  const pid = Number((await parent.waitForLine(/^worker pid \d+$/)).split(' ')[2]);
  await parent.waitForLine(/worker ready/, 60_000);
  return { parent, pid, queue };
}

/** Waits until the process is gone, or `limitMs` (default 10 s) has passed. */
async function gone(pid: number, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

describe('KPRESS_EXIT_WITH_PARENT', () => {
  it('is on only for exactly "1"', () => {
    expect(exitWithParentRequested({ KPRESS_EXIT_WITH_PARENT: '1' })).toBe(true);
    expect(exitWithParentRequested({ KPRESS_EXIT_WITH_PARENT: 'true' })).toBe(false);
    expect(exitWithParentRequested({})).toBe(false);
  });

  it('watchParent fires once when stdin ends', () => {
    const stdin = new PassThrough();
    let calls = 0;
    watchParent(() => calls++, stdin);
    stdin.write('ignored');
    expect(calls).toBe(0);
    stdin.end();
    stdin.destroy();
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(calls).toBe(1);
        resolve();
      }),
    );
  });

  it('a worker whose parent is SIGKILLed stops when the flag is set, and stays without it', async () => {
    const watched = await startOrphanable('1');
    const unwatched = await startOrphanable(undefined);
    try {
      watched.parent.kill('SIGKILL');
      unwatched.parent.kill('SIGKILL');
      // Looks at the pid itself: the worker's pipes reach EOF a little before the
      // kernel marks it exited, so their closing alone does not say it is gone.
      await gone(watched.pid, 30_000);
      expect(alive(watched.pid)).toBe(false);
      // the parent's output pipes are shared with its worker: all it wrote is read now
      await watched.parent.waitForExit();
      expect(watched.parent.stderr.join('\n')).toContain('closing: finishing the jobs in hand');
      // the unwatched worker had the same time to stop, and did not
      expect(alive(unwatched.pid)).toBe(true);
    } finally {
      if (alive(unwatched.pid)) process.kill(unwatched.pid, 'SIGTERM');
      if (alive(watched.pid)) process.kill(watched.pid, 'SIGKILL');
      await Promise.all([gone(unwatched.pid), gone(watched.pid)]);
      await removeQueueKeys(watched.queue);
      await removeQueueKeys(unwatched.queue);
    }
  }, 120_000);
});
