import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@kpress/codec';
import { SAMPLES_DIR } from '@kpress/testkit';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kpress(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: SAMPLES_DIR });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kpress compress (built binary, child process)', () => {
  it('writes a valid palette PNG and prints a one-line summary', async () => {
    const out = join(dir, 'chelsea.png');
    const r = kpress('compress', 'chelsea.png', out, '--colors', '16');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(
      /^chelsea\.png -> .*chelsea\.png: .* -> .*16 colours, PSNR \d+\.\d+ dB/,
    );
    const png = readFileSync(out);
    // IHDR: colour type 3 (palette), bit depth 4 for 16 colours; and libpng decodes it cleanly.
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png[24], png[25]]).toEqual([4, 3]);
    const img = await decode(png);
    expect(img).toMatchObject({ format: 'png', width: 451, height: 300 });
  });

  it('--json prints the result record', () => {
    const out = join(dir, 'coffee.jpg.png');
    const r = kpress('compress', 'coffee.jpg', out, '--colors', '64', '--seed', '3', '--json');
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({
      input: 'coffee.jpg',
      output: out,
      originalBytes: statSync(join(SAMPLES_DIR, 'coffee.jpg')).size,
      outputBytes: statSync(out).size,
      width: 600,
      height: 400,
    });
    expect(rec.colors).toBeGreaterThan(16);
    expect(rec.colors).toBeLessThanOrEqual(64);
    expect(rec.psnr).toBeGreaterThan(25);
    // SSIMULACRA 2.1 at 2 decimals (coffee at 64 colours: about 68 by the reference tool)
    expect(rec.ssimulacra2).toBeGreaterThan(55);
    expect(rec.ssimulacra2).toBeLessThan(80);
    expect(Math.round(rec.ssimulacra2 * 100) / 100).toBe(rec.ssimulacra2);
    expect(rec.status).toBe(rec.outputBytes < rec.originalBytes ? 'compressed' : 'not-smaller');
    expect(typeof rec.ms).toBe('number');
    // the digests are those of the bytes on disk
    const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(rec.sha256).toBe(digest(join(SAMPLES_DIR, 'coffee.jpg')));
    expect(rec.outputSha256).toBe(digest(out));
  });

  it('is deterministic for a given seed', () => {
    const a = join(dir, 'a.png');
    const b = join(dir, 'b.png');
    expect(kpress('compress', 'astronaut.jpg', a, '--seed', '5', '--colors', '16').code).toBe(0);
    expect(kpress('compress', 'astronaut.jpg', b, '--seed', '5', '--colors', '16').code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('a truncated JPEG exits 1 with one line naming the file and the reason', () => {
    const out = join(dir, 'broken.png');
    const r = kpress('compress', 'broken-truncated.jpg', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kpress: broken-truncated\.jpg: truncated or corrupt JPEG: /);
    expect(() => statSync(out)).toThrow();
  });

  it('a missing file exits 1 naming it', () => {
    const r = kpress('compress', 'nope.jpg', join(dir, 'nope.png'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('kpress: nope.jpg: no such file');
  });

  it('bad options are usage errors (exit 2) naming the option and value', () => {
    const bad = kpress('compress', 'chelsea.png', join(dir, 'x.png'), '--colors', '300');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--colors must be an integer from 2 to 256, got 300/);
    const q = kpress('compress', 'chelsea.png', join(dir, 'x.png'), '--quality', 'abc');
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/--quality must be a number of dB above 0 and at most 100, got "abc"/);
    expect(kpress('compress', 'chelsea.png').code).toBe(2);
  });

  it('--help shows examples and exits 0', () => {
    const r = kpress('compress', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ kpress compress/);
  });

  it("keeps the source's EXIF and a provenance chunk; --strip-metadata drops the EXIF only", async () => {
    const jpeg = join(dir, 'exif.jpg');
    writeFileSync(
      jpeg,
      await sharp(join(SAMPLES_DIR, 'coffee.jpg'))
        .withExif({ IFD0: { Artist: 'kpress cli test' } })
        .jpeg()
        .toBuffer(),
    );
    const kept = join(dir, 'kept.png');
    const stripped = join(dir, 'stripped.png');
    expect(kpress('compress', jpeg, kept).code).toBe(0);
    expect(kpress('compress', jpeg, stripped, '--strip-metadata').code).toBe(0);
    const a = await sharp(kept).metadata();
    const b = await sharp(stripped).metadata();
    expect(a.exif?.toString('latin1')).toContain('kpress cli test');
    expect(b.exif).toBeUndefined();
    for (const m of [a, b]) {
      expect(m.comments?.find((c) => c.keyword === 'Software')?.text).toMatch(/^kpress \d/);
    }
  });
});
