import { createHash } from 'node:crypto';
import type { ManifestRow } from '@kpress/manifest';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkOutput, problemLine } from './output-check.js';

/** A 6x4 palette PNG of two colours (left half red, right half blue). */
const palettePng = () => {
  const raw = Buffer.alloc(6 * 4 * 3);
  for (let i = 0; i < 24; i++) raw.set(i % 6 < 3 ? [200, 0, 0] : [0, 0, 200], i * 3);
  return sharp(raw, { raw: { width: 6, height: 4, channels: 3 } })
    .png({ palette: true, colors: 4 })
    .toBuffer();
};

async function rowFor(bytes: Buffer): Promise<ManifestRow> {
  return {
    key: 'in/a.jpg',
    status: 'compressed',
    originalBytes: 999,
    outputKey: 'out/a.jpg.png',
    outputBytes: bytes.length,
    width: 6,
    height: 4,
    colors: 4,
    psnr: 40,
    ms: 1,
    error: null,
    outputSha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

describe('checkOutput', () => {
  it('takes a lossless 16-bit re-encode for what it is, and names one that is not', async () => {
    const png16 = await sharp({ create: { width: 6, height: 4, channels: 3, background: '#c33' } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const row = {
      ...(await rowFor(png16)),
      key: 'in/ct.png',
      outputKey: 'out/ct.png',
      colors: null,
      psnr: Number.POSITIVE_INFINITY,
      bitDepth: 16,
    };
    expect(checkOutput(row, png16)).toEqual([]);
    // the row's size is after EXIF orientation; the samples are stored unturned
    expect(checkOutput({ ...row, width: 4, height: 6 }, png16)).toEqual([]);
    expect(checkOutput({ ...row, width: 5 }, png16).map(problemLine)).toEqual([
      'out/ct.png: not-16-bit-png: 6x4, the manifest says 5x4',
    ]);
    const eight = await palettePng();
    const as8 = { ...row, outputBytes: eight.length, outputSha256: undefined };
    expect(checkOutput(as8, eight).map(problemLine)).toEqual([
      'out/ct.png: not-16-bit-png: PNG bit depth 2, colour type 3: not a 16-bit grey or RGB(A) PNG',
    ]);
  });

  it('finds nothing wrong with what the row says', async () => {
    const png = await palettePng();
    expect(checkOutput(await rowFor(png), png)).toEqual([]);
  });

  it('names a missing output, a size, a checksum and a PNG that is not the palette one', async () => {
    const png = await palettePng();
    const row = await rowFor(png);
    expect(checkOutput(row, undefined)).toEqual([
      { key: 'out/a.jpg.png', kind: 'missing', detail: 'the output is gone' },
    ]);
    const flipped = Buffer.from(png);
    flipped[flipped.length - 15] ^= 1;
    expect(checkOutput(row, flipped).map((p) => p.kind)).toEqual(['checksum']);
    const rgb = await sharp({ create: { width: 6, height: 4, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const kinds = checkOutput(row, rgb).map(problemLine);
    expect(kinds).toContain('out/a.jpg.png: not-palette-png: PNG colour type 2, not 3 (palette)');
    expect(checkOutput({ ...row, width: 7 }, png).map(problemLine)).toEqual([
      'out/a.jpg.png: not-palette-png: 6x4, the manifest says 7x4',
    ]);
    expect(checkOutput({ ...row, colors: 1 }, png)[0]?.detail).toMatch(
      /palette entries, the manifest says at most 1/,
    );
    expect(checkOutput(row, Buffer.from('text'))[0]).toMatchObject({ kind: 'size' });
  });

  it('does not read a kept original as a PNG', () => {
    const bytes = Buffer.from('a JPEG, say');
    const row = {
      key: 'in/a.jpg',
      status: 'kept-original',
      outputKey: 'out/a.jpg',
      outputBytes: bytes.length,
      outputSha256: createHash('sha256').update(bytes).digest('hex'),
    } as ManifestRow;
    expect(checkOutput(row, bytes)).toEqual([]);
  });
});
