/**
 * Local outputs are written durably: a real `kpress compress` (built binary,
 * real images) watched by strace (Debian's, installed by `npm test` and CI)
 * flushes each file's data before linking it into place, flushes its folder
 * after, flushes the parent of every folder it creates (so the new folder's
 * name is on the disk too), and writes the run's summary.json last. Every file in the output
 * tree arrives that way, so a crash or power loss after kpress says done
 * cannot leave an empty or half-written output behind.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SAMPLES_DIR } from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A system call strace saw: `path` the file behind the fd (-y) or the first path argument. */
interface Call {
  name: 'fdatasync' | 'fsync' | 'link' | 'rename' | 'mkdir';
  path: string;
  /** link and rename: where the file went. */
  to?: string;
}

/**
 * Parses `strace -f -y -s 4096` lines (complete or `<unfinished ...>`) of the
 * calls; relative paths are resolved from `cwd`. A mkdir counts only when it
 * made the folder (`= 0`; with `<unfinished ...>`, when its resumption says so).
 */
function parseCalls(text: string, cwd: string): Call[] {
  const calls: Call[] = [];
  // mkdir calls of each thread that strace showed cut by another thread's line
  const unfinished = new Map<string, string>();
  for (const line of text.split('\n')) {
    const sync = /^\d+ +(fdatasync|fsync)\(\d+<(.*?)>/.exec(line);
    if (sync) {
      calls.push({ name: sync[1] as Call['name'], path: sync[2] as string });
      continue;
    }
    const made =
      /^(\d+) +mkdir(?:at)?\((?:AT_FDCWD(?:<[^>]*>)?, )?"(.*?)", \d+(?:\) += (-?\d+)| <unfinished \.\.\.>)/.exec(
        line,
      );
    if (made) {
      const [, pid, path, result] = made as unknown as [string, string, string, string?];
      if (result === undefined) unfinished.set(pid, path);
      else if (result === '0') calls.push({ name: 'mkdir', path: resolve(cwd, path) });
      continue;
    }
    const resumed = /^(\d+) +<\.\.\. mkdir(?:at)? resumed>.*= (-?\d+)/.exec(line);
    if (resumed) {
      const path = unfinished.get(resumed[1] as string);
      unfinished.delete(resumed[1] as string);
      if (path !== undefined && resumed[2] === '0')
        calls.push({ name: 'mkdir', path: resolve(cwd, path) });
      continue;
    }
    const move = /^\d+ +(link|rename)\("(.*?)", "(.*?)"/.exec(line);
    if (move) {
      const [, name, from, to] = move as unknown as [string, Call['name'], string, string];
      calls.push({ name, path: resolve(cwd, from), to: resolve(cwd, to) });
    }
  }
  return calls;
}

/** Runs `kpress <args>` under strace; resolves with its exit, stderr and the calls it made. */
function traced(args: string[], name: string) {
  const log = join(dir, `${name}.strace`);
  const r = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-y',
      '-s',
      '4096',
      '-e',
      'trace=fdatasync,fsync,link,rename,mkdir,mkdirat',
      '-o',
      log,
      process.execPath,
      BIN,
      ...args,
    ],
    { encoding: 'utf8', cwd: dir },
  );
  if (r.error) throw new Error(`strace could not run (apt-get install strace): ${r.error.message}`);
  return { code: r.status, stderr: r.stderr, calls: parseCalls(readFileSync(log, 'utf8'), dir) };
}

/** Every file under `root`, as absolute paths. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Checks that `final` was moved into place from a file flushed before the move,
 * and that its folder was flushed after it; returns the move's position.
 */
function expectDurable(calls: Call[], final: string): number {
  const at = calls.findIndex((c) => (c.name === 'link' || c.name === 'rename') && c.to === final);
  expect(at, `${final} linked or renamed into place`).toBeGreaterThanOrEqual(0);
  const tmp = calls[at]?.path;
  expect(tmp).toMatch(/\.kpress-\d+-[0-9a-f]{8}\.tmp$/);
  const flushed = calls.slice(0, at).some((c) => c.name === 'fdatasync' && c.path === tmp);
  expect(flushed, `${tmp} flushed before it became ${final}`).toBe(true);
  const folder = calls.slice(at + 1).some((c) => c.name === 'fsync' && c.path === dirname(final));
  expect(folder, `${dirname(final)} flushed after ${final} arrived`).toBe(true);
  return at;
}

/** Checks that each folder the run made had its parent flushed after it was made. */
function expectNewFoldersDurable(calls: Call[], folders: string[]): void {
  for (const folder of folders) {
    const at = calls.findIndex((c) => c.name === 'mkdir' && c.path === folder);
    expect(at, `${folder} made by the run`).toBeGreaterThanOrEqual(0);
    const parent = calls
      .slice(at + 1)
      .some((c) => c.name === 'fsync' && c.path === dirname(folder));
    expect(parent, `${dirname(folder)} flushed after ${folder} was made in it`).toBe(true);
  }
}

describe('durable local writes (strace)', () => {
  it('a folder run flushes every output, manifest and report, then writes summary.json last', () => {
    const input = join(dir, 'in');
    mkdirSync(join(input, 'sub'), { recursive: true });
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(input, 'chelsea.png'));
    copyFileSync(join(SAMPLES_DIR, 'coffee.jpg'), join(input, 'sub', 'coffee.jpg'));
    const out = join(dir, 'out');
    const run = traced(['compress', 'in', 'out', '--concurrency', '2', '--colors', '16'], 'folder');
    expect(run.code, run.stderr).toBe(0);

    const files = filesUnder(out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual([
      expect.stringMatching(/^_kpress\/[^/]+\/manifest\.jsonl$/),
      expect.stringMatching(/^_kpress\/[^/]+\/report\.html$/),
      expect.stringMatching(/^_kpress\/[^/]+\/summary\.json$/),
      'chelsea.png',
      'sub/coffee.jpg.png',
    ]);
    const moved = new Map(files.map((f) => [f, expectDurable(run.calls, f)]));
    // out/, out/sub/, out/_kpress/ and out/_kpress/<run>/ are new: each one's parent is flushed
    const runDir = dirname(files.find((f) => f.endsWith('manifest.jsonl')) as string);
    expectNewFoldersDurable(run.calls, [out, join(out, 'sub'), join(out, '_kpress'), runDir]);
    const summary = files.find((f) => f.endsWith('summary.json')) as string;
    expect(Math.max(...moved.values())).toBe(moved.get(summary));
  });

  it('a deep new folder for one file: every folder made has its parent flushed', () => {
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(dir, 'deep.png'));
    const run = traced(['compress', 'deep.png', 'a/b/c/deep-out.png'], 'deep');
    expect(run.code, run.stderr).toBe(0);
    expectDurable(run.calls, join(dir, 'a/b/c/deep-out.png'));
    expectNewFoldersDurable(run.calls, [join(dir, 'a'), join(dir, 'a/b'), join(dir, 'a/b/c')]);
  });

  it('one file, new and with --overwrite, is flushed and its folder too', () => {
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(dir, 'one.png'));
    const target = join(dir, 'one-out.png');
    const first = traced(['compress', 'one.png', 'one-out.png'], 'one');
    expect(first.code, first.stderr).toBe(0);
    expectDurable(first.calls, target);
    const again = traced(['compress', 'one.png', 'one-out.png', '--overwrite'], 'overwrite');
    expect(again.code, again.stderr).toBe(0);
    expect(again.calls.find((c) => c.to === target)?.name).toBe('rename');
    expectDurable(again.calls, target);
  });
});
