import { createHash } from 'node:crypto';
import type { ManifestRow } from '@kpress/manifest';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkCopy, checkOutput, checkScore, problemLine } from './output-check.js';

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

describe('checkScore (--deep)', () => {
  const row = (ssimulacra2: number | null | undefined): ManifestRow => ({
    key: 'in/a.jpg',
    status: 'compressed',
    originalBytes: 999,
    outputKey: 'out/a.jpg.png',
    outputBytes: 100,
    width: 60,
    height: 40,
    colors: 16,
    psnr: 40,
    ms: 1,
    error: null,
    ...(ssimulacra2 === undefined ? {} : { ssimulacra2 }),
  });

  it('finds nothing when the recomputed score, the row and the metadata agree within 0.01', () => {
    expect(checkScore(row(81.44), 81.44, '81.44')).toEqual([]);
    expect(checkScore(row(81.44), 81.45, '81.43')).toEqual([]);
    expect(checkScore(row(-3.5), -3.5, '-3.50')).toEqual([]);
  });

  it('says nothing for a row that records no score (older batches, under 8x8)', () => {
    expect(checkScore(row(undefined), 50, undefined)).toEqual([]);
    expect(checkScore(row(null), 50, '12.00')).toEqual([]);
  });

  it('names the output when the recomputed score differs from the row', () => {
    const [p, ...rest] = checkScore(row(81.44), 62.1, '81.44');
    expect(rest).toEqual([]);
    expect(problemLine(p as never)).toBe(
      'out/a.jpg.png: ssimulacra2: SSIMULACRA 2.1 62.10 against the source, the manifest says 81.44',
    );
    expect(checkScore(row(81.44), 81.46, '81.44')).toHaveLength(1);
  });

  it("names an output of a target batch whose recorded or recomputed score is below the batch's target", () => {
    expect(checkScore(row(81.44), 81.44, '81.44', 80)).toEqual([]);
    expect(checkScore(row(80), 80, '80.00', 80)).toEqual([]);
    expect(checkScore(row(79.5), 79.5, '79.50', 80).map(problemLine)).toEqual([
      "out/a.jpg.png: ssimulacra2: SSIMULACRA 2.1 79.50 is below the batch's target 80 (the manifest says 79.50, recomputed 79.50): an output below its target is never stored",
    ]);
    // the row claims the target, the pixels do not reach it: both the mismatch and the miss are named
    const problems = checkScore(row(80.2), 79.0, '80.20', 80);
    expect(problems.map((p) => p.detail)).toEqual([
      "SSIMULACRA 2.1 79.00 is below the batch's target 80 (the manifest says 80.20, recomputed 79.00): an output below its target is never stored",
      'SSIMULACRA 2.1 79.00 against the source, the manifest says 80.20',
    ]);
    // no target (fixed palette): a low score is no problem
    expect(checkScore(row(20), 20, '20.00')).toEqual([]);
  });

  it('names the output when its metadata differs, is missing or is not a number', () => {
    expect(checkScore(row(81.44), 81.44, '99.00').map(problemLine)).toEqual([
      "out/a.jpg.png: ssimulacra2: the output's metadata kpress-ssimulacra2 says 99.00, the manifest says 81.44 (recomputed 81.44)",
    ]);
    expect(checkScore(row(81.44), 81.44, undefined).map(problemLine)).toEqual([
      "out/a.jpg.png: ssimulacra2: the output's metadata kpress-ssimulacra2 is missing, the manifest says 81.44",
    ]);
    expect(checkScore(row(81.44), 81.44, 'high')[0]?.detail).toContain('is "high"');
    expect(checkScore(row(81.44), null, '81.44')[0]?.detail).toContain(
      'no score (under 8x8 pixels)',
    );
  });
});

describe('checkCopy', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const copied: ManifestRow = {
    key: 'in/doc.pdf',
    status: 'copied',
    originalBytes: 10,
    outputKey: 'out/doc.pdf',
    outputBytes: 10,
    width: null,
    height: null,
    colors: null,
    psnr: null,
    ms: 1,
    error: 'unsupported format PDF',
    sha256: a,
    outputSha256: a,
  };
  it('passes the source bytes, names a missing, resized or changed copy, and a row whose digests differ', () => {
    expect(checkCopy(copied, { sha256: a, bytes: 10 })).toEqual([]);
    expect(checkCopy(copied, undefined)).toEqual([
      { key: 'out/doc.pdf', kind: 'missing', detail: 'the copy is gone' },
    ]);
    expect(checkCopy(copied, { sha256: b, bytes: 11 }).map((p) => p.kind)).toEqual([
      'size',
      'checksum',
    ]);
    const row = { ...copied, outputSha256: b };
    expect(checkCopy(row, { sha256: b, bytes: 10 }).map(problemLine)).toEqual([
      `out/doc.pdf: checksum: the manifest records the copy's sha256 ${b}, not its source's ${a}`,
    ]);
  });
});
