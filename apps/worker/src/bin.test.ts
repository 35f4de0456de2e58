/**
 * The worker's own binary (what the worker image runs): a real child process
 * on real Redis starts, takes the queue, and exits 0 on SIGTERM; it has the
 * worker command only.
 */
import { fileURLToPath } from 'node:url';
import { KPRESS_VERSION } from '@kpress/config';
import { redisUrl, removeQueueKeys, spawnProcess, uniqueQueueName } from '@kpress/testkit';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('kpress-worker (apps/worker/dist/bin.js)', () => {
  it('starts a worker on the queue and exits 0 on SIGTERM', async () => {
    const queue = uniqueQueueName('kpress-worker-bin');
    const worker = spawnProcess(process.execPath, [BIN, 'worker', '--concurrency', '1'], {
      env: { REDIS_URL: redisUrl(), KPRESS_QUEUE: queue },
    });
    try {
      await worker.waitForLine(/worker ready/);
      worker.kill('SIGTERM');
      expect(await worker.waitForExit()).toEqual({ code: 0, signal: null });
    } finally {
      worker.kill('SIGKILL');
      await worker.waitForExit();
      await removeQueueKeys(queue);
    }
  });

  it.each(['--version', '-V'])('%s prints the kpress version and exits 0', async (flag) => {
    const p = spawnProcess(process.execPath, [BIN, flag], { exitWithParent: false });
    expect(await p.waitForExit()).toEqual({ code: 0, signal: null });
    expect(p.stdout).toEqual([KPRESS_VERSION]);
  });

  it('has no other command: enqueue is a usage error', async () => {
    const p = spawnProcess(process.execPath, [BIN, 'enqueue', 's3://a/in/'], {
      exitWithParent: false,
    });
    expect((await p.waitForExit()).code).toBe(2);
    expect(p.stderr.join('\n')).toContain("unknown command 'enqueue'");
  });
});
