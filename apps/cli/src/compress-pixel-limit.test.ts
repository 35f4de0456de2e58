/**
 * `kpress compress` and the pixel limit (built binary, child processes, real
 * images): a folder run copies an image over what KPRESS_SLOT_MEMORY_MB allows,
 * one file has no limit but sharp's, and `compress --help` says so with the
 * default's figures.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BYTES_PER_PIXEL, CONFIG_DEFAULTS, pixelsForBudget } from '@kpress/config';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './test/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kpress-pixel-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kpress(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A smooth gradient PNG of `width` x `height`. */
async function gradient(path: string, width: number, height: number): Promise<void> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = (x * 4) & 255;
      px[i + 1] = (y * 4) & 255;
      px[i + 2] = ((x + y) * 2) & 255;
    }
  }
  await sharp(px, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
}

describe('kpress compress and the pixel limit', () => {
  it('a folder run copies an image over the limit of KPRESS_SLOT_MEMORY_MB; one file is not limited', async () => {
    // 1 MiB at BYTES_PER_PIXEL: 4096 pixels, so 64 x 64 is at the limit and 65 x 64 over it
    const limit = pixelsForBudget(1);
    expect(limit).toBe((1024 * 1024) / BYTES_PER_PIXEL);
    const input = join(dir, 'in');
    mkdirSync(input);
    await gradient(join(input, 'at.png'), 64, limit / 64);
    await gradient(join(input, 'over.png'), 65, limit / 64);
    const env = { KPRESS_SLOT_MEMORY_MB: '1' };

    const r = kpress(['compress', 'in', 'out', '--colors', '16', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const rows = readFileSync(
      join(dir, 'out', '_kpress', summary.batchId, 'manifest.jsonl'),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byKey = new Map(rows.map((row) => [row.key, row]));
    expect(['compressed', 'kept-original']).toContain(byKey.get('at.png')?.status);
    expect(byKey.get('over.png')).toMatchObject({
      status: 'copied',
      error: `too many pixels: 65x64 is 4160 pixels, more than maxPixels ${limit}`,
    });
    expect(readFileSync(join(dir, 'out', 'over.png'))).toEqual(
      readFileSync(join(input, 'over.png')),
    );

    const one = kpress(['compress', 'in/over.png', 'over-one.png', '--colors', '16'], env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^in\/over\.png -> over-one\.png: .*65x64, \d+ colours/);
  });

  it('--help says what a folder run does with an image over the pixel limit, with the default figures', () => {
    const help = kpress(['compress', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).not.toMatch(/is a failed row/);
    expect(help).toMatch(/an image over the pixel limit is copied unchanged/);
    expect(help).toMatch(/One file has no pixel limit but sharp's/);
    const mib = CONFIG_DEFAULTS.KPRESS_SLOT_MEMORY_MB;
    const mp = Math.floor(pixelsForBudget(mib) / 1e5) / 10;
    expect(help).toContain(
      `KPRESS_SLOT_MEMORY_MB allows at ${BYTES_PER_PIXEL} bytes per pixel: ${mib} MiB, ${mp} megapixels;`,
    );
    // a 24 MP photo (6000 x 4000) fits the budget the help names for it
    const for24 = Number(/set (\d+) for 24 MP photos/.exec(help)?.[1]);
    expect(pixelsForBudget(for24)).toBeGreaterThanOrEqual(6000 * 4000);
  });
});
