/**
 * The README's "Try the dataset workflow without Docker", followed as written:
 * `pnpm local-s3` (s3rver, or `--rgw` for Ceph's RADOS Gateway) prints an
 * `export ...` line; with it, the printed `kpress worker` and `kpress enqueue
 * ... --wait` compress the uploaded folder, and `status`, `batches` and
 * `report --batch latest` read it back. Ctrl-C stops the server. Real child
 * processes, real Redis, real S3 servers.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ProcessHandle,
  removeQueueKeys,
  samplePath,
  spawnProcess,
  testS3Kinds,
  uniqueQueueName,
} from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-local-s3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The variables of a shell line `export A='x' B='y'` (single quotes, `'\''` for a quote). */
function exportedVariables(line: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)='((?:[^']|'\\'')*)'/g)) {
    vars[m[1] as string] = (m[2] as string).replaceAll("'\\''", "'");
  }
  return vars;
}

/** Runs `kpress <args>` to its end; expects exit 0; returns its stdout lines. */
async function kpress(args: string[], env: Record<string, string>): Promise<string[]> {
  const p = spawnProcess(process.execPath, [BIN, ...args], { env, exitWithParent: false });
  const exit = await p.waitForExit();
  expect(exit.code, `kpress ${args.join(' ')}: ${p.stderr.join('\n')}`).toBe(0);
  return p.stdout;
}

describe.each(testS3Kinds())('pnpm local-s3 on %s', (kind) => {
  it('prints the environment under which the README commands compress the folder; Ctrl-C stops it', async () => {
    const folder = join(dir, kind, 'my photos');
    mkdirSync(join(folder, 'trip'), { recursive: true });
    copyFileSync(samplePath('chelsea.png'), join(folder, 'chelsea.png'));
    copyFileSync(samplePath('coffee.jpg'), join(folder, 'trip', 'coffee.jpg'));
    const args = [join(REPO, 'scripts/local-s3.mjs'), ...(kind === 'rgw' ? ['--rgw'] : []), folder];
    const server = spawnProcess(process.execPath, args, { exitWithParent: false });
    const queue = uniqueQueueName('kpress-local-s3');
    let worker: ProcessHandle | undefined;
    try {
      // the last command it prints: the export line is already in by then
      await server.waitForLine(/^kpress enqueue /, 60_000);
      expect(server.stdout).toContain(
        'kpress enqueue s3://photos/in/ --dest s3://archive/out/ --wait',
      );
      const vars = exportedVariables(server.stdout.find((l) => l.startsWith('export ')) ?? '');
      expect(Object.keys(vars)).toEqual(
        expect.arrayContaining(['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']),
      );
      const env = { ...vars, KPRESS_QUEUE: queue, NODE_NO_WARNINGS: '1' };

      worker = spawnProcess(process.execPath, [BIN, 'worker', '--concurrency', '2'], { env });
      await worker.waitForLine(/worker ready/, 60_000);
      const enqueue = ['enqueue', 's3://photos/in/', '--dest', 's3://archive/out/', '--wait'];
      const summary = JSON.parse((await kpress([...enqueue, '--json'], env)).at(-1) ?? '{}');
      expect(summary.counts).toMatchObject({ total: 2, failed: 0 });

      expect(await kpress(['status'], env)).toEqual([`no batch under way on queue ${queue}`]);
      const batches = await kpress(['batches', 's3://archive/out/'], env);
      expect(batches).toEqual([
        expect.stringMatching(new RegExp(`^${summary.batchId} +\\S+ +finished +s3://photos/in/ `)),
      ]);
      const report = await kpress(
        ['report', 's3://archive/out/', '--batch', 'latest', '--format', 'json'],
        env,
      );
      expect(JSON.parse(report.join('\n'))).toMatchObject({
        batchId: summary.batchId,
        counts: { total: 2 },
      });

      worker.kill('SIGTERM');
      expect((await worker.waitForExit()).code).toBe(0);
      server.kill('SIGINT');
      expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
      expect(server.stderr, 'local-s3 prints no warning').toEqual([]);
      // the server is gone: its endpoint no longer answers
      await expect(fetch(vars.S3_ENDPOINT as string)).rejects.toThrow();
    } finally {
      worker?.kill('SIGKILL');
      server.kill('SIGINT');
      await server.waitForExit();
      await removeQueueKeys(queue);
    }
  }, 180_000);
});
