import { encodePng16 } from '@kpress/codec';
import type { ManifestRow } from '@kpress/manifest';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compareWithSource } from './deep-compare.js';

/** A 16-bit grey PNG of a ramp (`shift` added to every sample), by the codec's 16-bit writer. */
function ramp16(shift = 0): Buffer {
  const data = new Uint16Array(16 * 4).map((_, i) => (i % 16) * 4000 + 7 + shift);
  return encodePng16({ data, width: 16, height: 4, channels: 1 });
}

const row = (over: Partial<ManifestRow>): ManifestRow => ({
  key: 'in/ct.png',
  status: 'compressed',
  originalBytes: 1000,
  outputKey: 'out/ct.png',
  outputBytes: 100,
  width: 16,
  height: 4,
  colors: null,
  psnr: Number.POSITIVE_INFINITY,
  ms: 1,
  error: null,
  bitDepth: 16,
  ...over,
});

describe('compareWithSource (verify --deep)', () => {
  it('takes a lossless 16-bit output with the source samples, and names one without', async () => {
    const source = ramp16();
    expect(await compareWithSource(row({}), source, source)).toBeUndefined();
    const problem = await compareWithSource(row({}), source, ramp16(1));
    expect(problem).toMatchObject({ key: 'out/ct.png', kind: 'samples' });
    expect(problem?.detail).toMatch(/^not the source's samples: /);
  });

  it("measures a deep source's palette against the full depth, as the row did", async () => {
    const source = ramp16();
    const palette = await sharp(source).png({ palette: true, colors: 4 }).toBuffer();
    const first = await compareWithSource(row({ colors: 4, psnr: 1 }), source, palette);
    expect(first).toMatchObject({ kind: 'psnr' });
    const measured = Number(/^PSNR ([\d.]+) dB/.exec(first?.detail ?? '')?.[1]);
    expect(measured).toBeGreaterThan(1);
    expect(
      await compareWithSource(row({ colors: 4, psnr: measured }), source, palette),
    ).toBeUndefined();
    // the same palette counted against the 8-bit copy is another number
    const as8 = await compareWithSource(
      row({ colors: 4, psnr: measured, bitDepth: 8 }),
      source,
      palette,
    );
    expect(as8).toMatchObject({ kind: 'psnr' });
  });
});
