/**
 * `kpress compress` beyond one file (built binary, child processes, real
 * images): it never writes over an input or an existing output, says when
 * --quality was not reached, compresses a folder as a batch would, resolves
 * relative paths from where `pnpm kpress` is run, and works as an installed
 * `kpress` command from outside the repository.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLES_DIR } from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kpress(args: string[], cwd = dir, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('kpress compress: one file, safely', () => {
  it('refuses to write over its input (exit 2) and over an existing file unless --overwrite', () => {
    const src = join(dir, 'self.png');
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), src);
    const before = sha(src);
    const same = kpress(['compress', 'self.png', './self.png']);
    expect(same.code).toBe(2);
    expect(same.stderr).toBe(
      'kpress: ./self.png is the input: kpress never writes over a source; give another output path\n',
    );
    expect(sha(src)).toBe(before);

    const out = join(dir, 'taken.png');
    writeFileSync(out, 'keep me');
    const taken = kpress(['compress', 'self.png', 'taken.png']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      'kpress: taken.png exists: kpress never writes over a file unless --overwrite is given\n',
    );
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(kpress(['compress', 'self.png', 'taken.png', '--overwrite']).code).toBe(0);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
  });

  it('says when --quality was not reached, and records it', () => {
    const missed = kpress([
      'compress',
      join(SAMPLES_DIR, 'coffee.png'),
      'q1.png',
      '--quality',
      '38',
    ]);
    expect(missed.code).toBe(0);
    expect(missed.stdout).toMatch(
      /16 colours, PSNR \d+\.\d+ dB, SSIMULACRA 2 -?\d+\.\d\d, \d+ ms; --quality 38 not reached with at most 16 colours \(raise --colors, up to 256\)\n$/,
    );
    const json = kpress([
      'compress',
      join(SAMPLES_DIR, 'coffee.png'),
      'q2.png',
      '--quality',
      '38',
      '--json',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ colors: 16, qualityMet: false });
    expect(json.stderr).toMatch(/^kpress: --quality 38 not reached: \d+\.\d+ dB with 16 colours/);
    const met = kpress([
      'compress',
      join(SAMPLES_DIR, 'coffee.png'),
      'q3.png',
      '--quality',
      '30',
      '--colors',
      '256',
      '--json',
    ]);
    const rec = JSON.parse(met.stdout);
    expect(rec.qualityMet).toBe(true);
    expect(rec.psnr).toBeGreaterThanOrEqual(30);
  });
});

describe('kpress compress <dir> <out-dir>', () => {
  it('mirrors the tree with the batch naming rules, writes manifest, summary and report, overwrites nothing', () => {
    const input = join(dir, 'photos');
    mkdirSync(join(input, 'sub'), { recursive: true });
    for (const f of ['chelsea.png', 'coffee.jpg', 'broken-truncated.jpg']) {
      copyFileSync(join(SAMPLES_DIR, f), join(input, f));
    }
    copyFileSync(join(SAMPLES_DIR, 'astronaut.jpg'), join(input, 'sub', 'astronaut.jpg'));
    // a tiny PNG no palette PNG can beat: kept as the original
    copyFileSync(join(SAMPLES_DIR, 'coffee.png'), join(input, 'sub', 'coffee.png'));
    writeFileSync(join(input, 'notes.txt'), 'not an image');
    // x.jpg would be written as x.jpg.png, which is another source's name
    copyFileSync(join(SAMPLES_DIR, 'coffee.jpg'), join(input, 'x.jpg'));
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(input, 'x.jpg.png'));
    const inputDigests = Object.fromEntries(
      readdirSync(input, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [join(e.parentPath, e.name), sha(join(e.parentPath, e.name))]),
    );

    const r = kpress([
      'compress',
      'photos',
      'archive',
      '--concurrency',
      '2',
      '--json',
      '--colors',
      '16',
    ]);
    // the truncated JPEG and the text file are copied (issue 26; they were failed rows);
    // one row fails (the clash): exit 1 naming the count
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^kpress: 1 of 8 files failed \(first: x\.jpg: output name clash/);
    const summary = JSON.parse(r.stdout);
    expect(summary.counts).toMatchObject({ total: 8, failed: 1, copied: 2 });
    expect(summary.counts.compressed + summary.counts.keptOriginal).toBe(5);
    const out = join(dir, 'archive');
    expect(existsSync(join(out, 'chelsea.png'))).toBe(true);
    expect(existsSync(join(out, 'coffee.jpg.png'))).toBe(true);
    expect(existsSync(join(out, 'sub', 'astronaut.jpg.png'))).toBe(true);
    expect(existsSync(join(out, 'x.jpg.png'))).toBe(true);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('not an image');
    expect(readFileSync(join(out, 'broken-truncated.jpg'))).toEqual(
      readFileSync(join(input, 'broken-truncated.jpg')),
    );

    const runDir = join(out, '_kpress', summary.batchId);
    const rows = readFileSync(join(runDir, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((row) => row.key)).toEqual([
      'broken-truncated.jpg',
      'chelsea.png',
      'coffee.jpg',
      'notes.txt',
      'sub/astronaut.jpg',
      'sub/coffee.png',
      'x.jpg',
      'x.jpg.png',
    ]);
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row]));
    expect(byKey['x.jpg']).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^output name clash/),
    });
    expect(byKey['notes.txt']).toMatchObject({
      status: 'copied',
      error: expect.stringMatching(/^not an image/),
    });
    for (const row of rows.filter((x) => x.status !== 'failed')) {
      expect(row.outputSha256, row.key).toBe(sha(join(out, row.outputKey)));
      expect(row.sha256, row.key).toBe(inputDigests[join(input, row.key)]);
      if (row.status === 'kept-original' || row.status === 'copied')
        expect(row.outputSha256).toBe(row.sha256);
      // the score where a PNG is stored, null where the original is kept
      if (row.status === 'compressed') expect(typeof row.ssimulacra2, row.key).toBe('number');
      else expect(row.ssimulacra2, row.key).toBeNull();
    }
    expect(summary.ssimulacra2.count).toBe(summary.counts.compressed);
    expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'))).toEqual(summary);
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    // the worst cases: every compressed row here (fewer than 12), lowest score first, each cropped
    const worst = rows
      .filter((x) => x.status === 'compressed')
      .sort((x, y) => x.ssimulacra2 - y.ssimulacra2 || (x.key < y.key ? -1 : 1))
      .map((x) => x.key);
    expect(worst.length).toBeGreaterThan(0);
    expect(
      [...html.matchAll(/<figure class="worst"><figcaption><span class="key">([^<]*)</g)].map(
        (m) => m[1],
      ),
    ).toEqual(worst);
    expect(html.match(/<img class="crop" src="data:image\/png;base64,/g)).toHaveLength(
      worst.length,
    );

    // a second run writes over nothing: every output that exists is a failed row, left as it was
    const outputs = rows
      .filter((x) => x.outputKey)
      .map((x) => [x.outputKey, sha(join(out, x.outputKey))]);
    const again = kpress(['compress', 'photos', 'archive', '--colors', '16']);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^8 files: 0 compressed, 0 kept original, 8 failed;/);
    for (const [key, digest] of outputs) expect(sha(join(out, key))).toBe(digest);
    // and the inputs are untouched
    for (const [path, digest] of Object.entries(inputDigests)) expect(sha(path)).toBe(digest);

    const inside = kpress(['compress', 'photos', 'photos/out']);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/^kpress: photos\/out is inside the input photos: /);
  }, 120_000);

  it('copies a file that is not an image beside its name + .png (a copy keeps its name: no clash)', () => {
    const input = join(dir, 'scans');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'notes'), 'minutes of the meeting');
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(input, 'notes.png'));
    // an image beside its name + .png still fails: its PNG would take the other's name
    copyFileSync(join(SAMPLES_DIR, 'coffee.jpg'), join(input, 'cat'));
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(input, 'cat.png'));
    const r = kpress(['compress', 'scans', 'scans-out', '--json', '--colors', '16']);
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary.counts).toMatchObject({ total: 4, failed: 1, copied: 1 });
    const out = join(dir, 'scans-out');
    expect(readFileSync(join(out, 'notes'), 'utf8')).toBe('minutes of the meeting');
    expect(existsSync(join(out, 'cat'))).toBe(false);
    const rows = readFileSync(join(out, '_kpress', summary.batchId, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row]));
    expect(byKey.notes).toMatchObject({ status: 'copied', outputKey: 'notes' });
    expect(byKey.cat).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^output name clash: "cat" would be written as "cat.png"/),
    });
  });

  it('takes a list of files into a folder, refusing two with the same name', () => {
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(dir, 'a', 'same.png'));
    copyFileSync(join(SAMPLES_DIR, 'coffee.png'), join(dir, 'b', 'same.png'));
    const clash = kpress(['compress', 'a/same.png', 'b/same.png', 'list/']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/would both be written as same\.png/);
    const ok = kpress([
      'compress',
      'a/same.png',
      join(SAMPLES_DIR, 'coffee.jpg'),
      'list/',
      '--colors',
      '16',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(join(dir, 'list')).sort()).toEqual([
      '_kpress',
      'coffee.jpg.png',
      'same.png',
    ]);
  });
});

describe('where kpress runs from', () => {
  it('`pnpm kpress` resolves relative paths from the folder it is run in', () => {
    const sub = mkdtempSync(join(REPO, 'fixtures', '.kpress-test-'));
    try {
      copyFileSync(join(SAMPLES_DIR, 'chelsea.png'), join(sub, 'in.png'));
      const r = spawnSync('pnpm', ['--silent', 'kpress', 'compress', 'in.png', 'here.png'], {
        cwd: sub,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^in\.png -> here\.png: /);
      expect(existsSync(join(sub, 'here.png'))).toBe(true);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('`pnpm install:bin <dir>` puts a kpress on PATH that works outside the repository', () => {
    const binDir = join(dir, 'bin');
    const install = spawnSync(process.execPath, [join(REPO, 'scripts/install-bin.mjs'), binDir], {
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/^kpress installed: .*\/bin\/kpress\n/);
    const work = mkdtempSync(join(dir, 'elsewhere-'));
    copyFileSync(join(SAMPLES_DIR, 'coffee.jpg'), join(work, 'c.jpg'));
    const r = spawnSync('kpress', ['compress', 'c.jpg', 'c.png'], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(work, 'c.png')).size).toBeGreaterThan(0);
    // a file of that name that is not a launcher is left alone
    writeFileSync(join(binDir, 'kpress'), '#!/bin/sh\necho mine\n');
    const again = spawnSync(process.execPath, [join(REPO, 'scripts/install-bin.mjs'), binDir], {
      encoding: 'utf8',
    });
    expect(again.status).toBe(1);
    expect(readFileSync(join(binDir, 'kpress'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
  });
});
