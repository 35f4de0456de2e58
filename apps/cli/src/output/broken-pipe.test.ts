/**
 * `kpress enqueue --help | head -1`: the reader goes away before kpress has
 * written; kpress must exit quietly with its own status, not crash on EPIPE
 * (before the fix: "Error: write EPIPE" with a stack, exit 1).
 */
import { spawn } from 'node:child_process';
import { EXIT } from '@kpress/cli-kit';
import { describe, expect, it } from 'vitest';
import { BIN } from '../test/paths.js';

/** Runs kpress with the read end of `closed` shut before the child writes a byte. */
function runWithClosedPipe(args: string[], closed: 'stdout' | 'stderr') {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  child[closed].destroy();
  const open = closed === 'stdout' ? child.stderr : child.stdout;
  let text = '';
  open.setEncoding('utf8');
  open.on('data', (d: string) => {
    text += d;
  });
  return new Promise<{ code: number | null; other: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, other: text }));
  });
}

describe('a closed pipe (EPIPE)', () => {
  it.each([['enqueue', '--help'], ['--help']])(
    'kpress %s %s with stdout closed exits 0 and prints nothing on stderr',
    async (...args) => {
      const r = await runWithClosedPipe(args, 'stdout');
      expect(r.other).toBe('');
      expect(r.code).toBe(EXIT.ok);
    },
  );

  it('an error written to a closed stderr keeps its exit code (2, usage)', async () => {
    const r = await runWithClosedPipe(['frobnicate'], 'stderr');
    expect(r.code).toBe(EXIT.usage);
    expect(r.other).toBe('');
  });
});
