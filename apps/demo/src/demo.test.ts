/**
 * `kpress demo` as a real child process (the built binary): in-process s3rver,
 * two worker processes, Redis at REDIS_URL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedis } from '@kpress/config';
import { redisUrl, spawnProcess } from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { NOT_AN_IMAGE, SAMPLE_NAMES } from './demo-objects.js';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kpress-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kpress demo (child process)', () => {
  it('runs the pipeline on the samples, writes report and manifest locally, and cleans up', async () => {
    const p = spawnProcess(process.execPath, [BIN, 'demo', '--out', dir], {
      env: { REDIS_URL: redisUrl(), NODE_NO_WARNINGS: '1' },
    });
    const exit = await p.waitForExit();
    const stderr = p.stderr.join('\n');
    expect(exit, stderr).toEqual({ code: 0, signal: null });
    const stdout = p.stdout.join('\n');

    // the truncated JPEG and the text file are copied (issue 26; they were failures): the table says so
    expect(stdout).toMatch(/Copied\s+2 objects/);
    expect(stdout).not.toMatch(/Failures \(/);
    expect(stdout).toMatch(/2 copied byte for byte \(on purpose/);

    const reportPath = /^report:\s+(.+)$/m.exec(stdout)?.[1]?.trim();
    expect(reportPath, stdout).toBeDefined();
    expect(existsSync(reportPath as string)).toBe(true);
    const html = readFileSync(reportPath as string, 'utf8');
    expect(html.trimStart().toLowerCase()).toMatch(/^<!doctype html>/);

    const batchDir = join(reportPath as string, '..');
    const summary = JSON.parse(readFileSync(join(batchDir, 'summary.json'), 'utf8'));
    const uploaded = SAMPLE_NAMES.length + 1;
    expect(summary.counts).toMatchObject({ total: uploaded, copied: 2, failed: 0 });
    // the page carries the totals
    expect(html).toContain(String(summary.counts.total));
    expect(html).toContain(summary.batchId);

    const rows = readFileSync(join(batchDir, 'manifest.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.key).sort()).toEqual(
      [...SAMPLE_NAMES, NOT_AN_IMAGE].map((n) => `samples/${n}`).sort(),
    );
    const copied = rows.filter((r) => r.status === 'copied').map((r) => r.key);
    expect(copied.sort()).toEqual(['samples/broken-truncated.jpg', `samples/${NOT_AN_IMAGE}`]);
    expect(readFileSync(join(batchDir, 'manifest.csv'), 'utf8').trim().split('\n')).toHaveLength(
      uploaded + 1,
    );

    // the workers logged into workers.log and closed cleanly; the demo queue is gone
    const log = readFileSync(join(batchDir, 'workers.log'), 'utf8');
    expect(log).toMatch(/\[worker 1\].*worker ready/);
    expect(log).toMatch(/\[worker 2\].*closed/);
    const queue = /workers ready on queue (\S+)/.exec(stderr)?.[1];
    expect(queue, stderr).toMatch(/^kpress-demo-/);
    const redis = createRedis(redisUrl());
    try {
      expect(await redis.keys(`bull:${queue}:*`)).toEqual([]);
    } finally {
      await redis.quit();
    }
  }, 180_000);

  it('says how to start Redis when none answers, in one line, exit 1', async () => {
    const p = spawnProcess(process.execPath, [BIN, 'demo', '--out', dir], {
      env: { REDIS_URL: 'redis://127.0.0.1:1', NODE_NO_WARNINGS: '1' },
    });
    const exit = await p.waitForExit();
    expect(exit.code).toBe(1);
    expect(p.stderr).toHaveLength(1);
    expect(p.stderr[0]).toMatch(
      /^kpress: cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*redis-server/,
    );
    expect(p.stdout).toEqual([]);
  }, 60_000);
});
