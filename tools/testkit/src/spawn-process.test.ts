import { describe, expect, it } from 'vitest';
import { spawnProcess } from './spawn-process.js';

const node = process.execPath;

describe('spawnProcess', () => {
  it('collects stdout and stderr lines and the exit code', async () => {
    const p = spawnProcess(
      node,
      [
        '-e',
        'console.log("one"); console.log("two"); console.error("err " + process.env.KT_X); process.exit(3)',
      ],
      { env: { KT_X: 'from-env' } },
    );
    const exit = await p.waitForExit();
    expect(exit).toEqual({ code: 3, signal: null });
    expect(p.stdout).toEqual(['one', 'two']);
    expect(p.stderr).toEqual(['err from-env']);
  });

  it('waits for a line, then kill() ends the process with the signal', async () => {
    const p = spawnProcess(node, [
      '-e',
      'console.log("ready " + process.pid); setInterval(() => {}, 1000)',
    ]);
    const line = await p.waitForLine(/^ready \d+$/);
    expect(line).toBe(`ready ${p.pid}`);
    p.kill('SIGTERM');
    expect(await p.waitForExit()).toEqual({ code: null, signal: 'SIGTERM' });
    p.kill(); // no-op once exited
  });

  it('finds a line already printed', async () => {
    const p = spawnProcess(node, ['-e', 'console.error("early")']);
    await p.waitForExit();
    expect(await p.waitForLine(/early/)).toBe('early');
  });

  it('rejects waitForLine when the process exits without the line', async () => {
    const p = spawnProcess(node, ['-e', 'console.error("boom"); process.exit(2)']);
    await expect(p.waitForLine(/never/)).rejects.toThrow(/exited \(code 2.*boom/s);
  });

  it('rejects waitForExit when the command does not exist', async () => {
    const p = spawnProcess('/nonexistent/kpress-binary', []);
    await expect(p.waitForExit()).rejects.toThrow(/ENOENT/);
  });
});
