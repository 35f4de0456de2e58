import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ManifestRow, SavingEntry } from '@kpress/manifest';
import { describe, expect, it } from 'vitest';
import { type ReportImageSource, reportSamples } from './report-samples.js';

const samples = fileURLToPath(new URL('../../../../fixtures/samples/', import.meta.url));

describe('reportSamples', () => {
  it('fetches no source or output over the byte limit (KPRESS_MAX_BYTES), however small', async () => {
    const source = await readFile(`${samples}chelsea.png`);
    const saving: SavingEntry = {
      key: 'chelsea.png',
      outputKey: 'out/chelsea.png',
      status: 'compressed',
      originalBytes: source.length,
      outputBytes: 1000,
      savedBytes: source.length - 1000,
      savedRatio: 0.9,
      psnr: 30,
      colors: 16,
    };
    const row = {
      key: 'chelsea.png',
      status: 'compressed',
      originalBytes: source.length,
      outputKey: 'out/chelsea.png',
      outputBytes: 1000,
      psnr: 30,
      colors: 16,
    } as ManifestRow;
    // a GET as S3 serves it under a limit: more than maxBytes is refused
    const asked: number[] = [];
    const get = async (_key: string, maxBytes: number) => {
      asked.push(maxBytes);
      if (source.length > maxBytes) throw new Error(`over ${maxBytes} bytes`);
      return source;
    };
    const images: ReportImageSource = { row: async () => row, source: get, output: get };
    const skipped: string[] = [];
    const limit = 100_000; // chelsea.png is 240,512 bytes
    const shown = await reportSamples(
      { largestSavings: [saving], sample: [] },
      images,
      (key) => skipped.push(key),
      12,
      { maxBytes: limit, maxPixels: 1_000_000 },
    );
    expect(shown).toEqual([]);
    expect(skipped).toEqual(['chelsea.png']);
    for (const m of asked) expect(m).toBeLessThanOrEqual(limit);
  });
});
