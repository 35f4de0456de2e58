/**
 * `kpress compress` with the perceptual target, the default since issue 25
 * (built binary, child processes, the sample photos): the PNG written scores
 * at least the target by kpress's own score; a photo no palette serves writes
 * nothing (one file) or is kept as the original with its reason (a folder).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLES_DIR } from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kpress(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kpress compress --target', () => {
  it('by default reaches SSIMULACRA 2.1 80 and says so in --json', () => {
    const out = join(dir, 'chelsea.png');
    const r = kpress('compress', join(SAMPLES_DIR, 'chelsea.png'), out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout);
    expect(record.target).toBe(80);
    expect(record.ssimulacra2).toBeGreaterThanOrEqual(80);
    expect(record.colors).toBeGreaterThan(16);
  });

  it('writes nothing for a photo no palette serves, naming the best score reached', () => {
    const out = join(dir, 'astronaut.png');
    const r = kpress('compress', join(SAMPLES_DIR, 'astronaut.png'), out);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^kpress: .*astronaut\.png: best SSIMULACRA 2\.1 score 7\d\.\d\d \(256 colours(, dithered)?\) is below the target 80; nothing written \(a batch keeps such files as originals/,
    );
    expect(existsSync(out)).toBe(false);
    // a lower target, by its name, serves it
    const medium = kpress(
      'compress',
      join(SAMPLES_DIR, 'astronaut.png'),
      out,
      '--target',
      'medium',
      '--json',
    );
    expect(medium.code, medium.stderr).toBe(0);
    expect(JSON.parse(medium.stdout)).toMatchObject({ target: 70 });
    expect(JSON.parse(medium.stdout).ssimulacra2).toBeGreaterThanOrEqual(70);
  });

  it('refuses a bad target and a target with --quality (usage errors naming the option)', () => {
    const src = join(SAMPLES_DIR, 'chelsea.png');
    const zero = kpress('compress', src, join(dir, 'x.png'), '--target', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(
      /--target must be a SSIMULACRA 2\.1 score above 0 and at most 100 with at most 2 decimals, or medium \(70\), high \(80\), visually-lossless \(90\), got 0/,
    );
    const word = kpress('compress', src, join(dir, 'x.png'), '--target', 'ultra');
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/--target must be .*, got "ultra"/);
    const both = kpress('compress', src, join(dir, 'x.png'), '--target', 'high', '--quality', '40');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /--quality must be absent when a target is set \(target 80 picks the palette by its SSIMULACRA 2\.1 score, quality by PSNR: give one of them\), got 40/,
    );
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });

  it('a folder keeps the photos no palette serves as originals, with the best score in the reason', () => {
    const input = join(dir, 'photos');
    mkdirSync(input, { recursive: true });
    for (const f of ['astronaut.png', 'chelsea.png'])
      copyFileSync(join(SAMPLES_DIR, f), join(input, f));
    const r = kpress('compress', 'photos', 'archive', '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const rows = readFileSync(
      join(dir, 'archive', '_kpress', summary.batchId, 'manifest.jsonl'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row]));
    expect(byKey['astronaut.png']).toMatchObject({
      status: 'kept-original',
      ssimulacra2: null,
      width: 512,
      height: 512,
      error: expect.stringMatching(
        /^best SSIMULACRA 2\.1 score 7\d\.\d\d \(256 colours(, dithered)?\) is below the target 80$/,
      ),
    });
    expect(byKey['chelsea.png'].status).toBe('compressed');
    expect(byKey['chelsea.png'].ssimulacra2).toBeGreaterThanOrEqual(80);
  }, 60_000);
});
