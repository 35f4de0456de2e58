// The pool's threads: a compress task and a report crop, each as made in this thread.
import { readFile } from 'node:fs/promises';
import { makeWorstCrop } from '@kpress/report/crop';
import { samplePath } from '@kpress/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { CompressPool } from './pool.js';

describe('CompressPool', () => {
  const pool = new CompressPool({ threads: 1 });
  afterAll(() => pool.close());

  it('makes a report crop in a thread, the same as makeWorstCrop here', async () => {
    const source = await readFile(samplePath('chelsea.png'));
    const result = await pool.run({
      source: new Uint8Array(source),
      options: { colors: 16 },
      maxPixels: 1e8,
    });
    if (!result.ok) throw new Error(`compress failed: ${result.message}`);
    const output = Buffer.from(result.png);
    const options = { maxPixels: 1e8, side: 64 };
    const here = await makeWorstCrop(source, output, options);
    const there = await pool.crop(source, output, options);
    expect(there).toEqual(here);
    expect(there.region.width).toBe(64);
    // the caller's bytes are copied, not transferred: still whole here
    expect(source.byteLength).toBeGreaterThan(0);
    expect(output.byteLength).toBe(result.png.byteLength);
  });

  it('rejects a crop of images of different sizes with the reason', async () => {
    const a = await readFile(samplePath('chelsea.png'));
    const b = await readFile(samplePath('coffee.png'));
    await expect(pool.crop(a, b, { maxPixels: 1e8 })).rejects.toThrow(/the output is \d+x\d+/);
  });
});
