import { describe, expect, it } from 'vitest';
import { type ManifestRow, ManifestRowError, parseRow, rowToJsonLine } from './row.js';

/** What a row without digests reads back as. */
const noFixity = {
  sha256: null,
  outputSha256: null,
  etag: null,
  sourceDeleted: false,
  qualityMet: null,
  ssimulacra2: null,
  bitDepth: null,
};

const compressed: ManifestRow = {
  key: 'photos/cat.jpg',
  status: 'compressed',
  originalBytes: 1000,
  outputKey: 'out/photos/cat.jpg.png',
  outputBytes: 400,
  width: 4,
  height: 3,
  colors: 16,
  psnr: 34.5,
  ms: 12.5,
  error: null,
};

describe('parseRow / rowToJsonLine', () => {
  it('round-trips a compressed row with fields in contract order', () => {
    const line = rowToJsonLine(compressed);
    expect(line.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(line))).toEqual([
      'key',
      'status',
      'originalBytes',
      'outputKey',
      'outputBytes',
      'width',
      'height',
      'colors',
      'psnr',
      'ms',
      'error',
      'sha256',
      'outputSha256',
      'etag',
      'sourceDeleted',
      'qualityMet',
      'ssimulacra2',
      'bitDepth',
    ]);
    expect(parseRow(line)).toEqual({ ...compressed, ...noFixity });
  });

  it('keeps a score, reads a row without the column (older manifests), refuses a score above 100', () => {
    const scored = { ...compressed, ssimulacra2: 81.44 };
    const line = rowToJsonLine(scored);
    expect(JSON.parse(line).ssimulacra2).toBe(81.44);
    expect(parseRow(line).ssimulacra2).toBe(81.44);
    expect(parseRow(rowToJsonLine({ ...compressed, ssimulacra2: -12.5 })).ssimulacra2).toBe(-12.5);
    const old = JSON.parse(line);
    delete old.ssimulacra2;
    expect(parseRow(JSON.stringify(old)).ssimulacra2).toBeUndefined();
    expect(() => parseRow(JSON.stringify({ ...old, ssimulacra2: 100.5 }))).toThrow(/ssimulacra2/);
    expect(() => parseRow(JSON.stringify({ ...old, ssimulacra2: '80' }))).toThrow(/ssimulacra2/);
  });

  it('writes an infinite PSNR as "Infinity" and reads it back as Infinity', () => {
    const lossless = { ...compressed, psnr: Number.POSITIVE_INFINITY };
    const line = rowToJsonLine(lossless);
    expect(JSON.parse(line).psnr).toBe('Infinity');
    expect(parseRow(line).psnr).toBe(Number.POSITIVE_INFINITY);
  });

  it('records the source bit depth last, and reads older lines without it', () => {
    const line = rowToJsonLine({ ...compressed, bitDepth: 16 });
    expect(Object.keys(JSON.parse(line)).at(-1)).toBe('bitDepth');
    expect(parseRow(line).bitDepth).toBe(16);
    const old = JSON.parse(rowToJsonLine(compressed));
    delete old.bitDepth;
    expect(parseRow(JSON.stringify(old)).bitDepth).toBeUndefined();
  });

  it('takes a compressed row without a palette only as a lossless 16-bit re-encode', () => {
    const deep = { ...compressed, colors: null, psnr: Number.POSITIVE_INFINITY, bitDepth: 16 };
    expect(parseRow(rowToJsonLine(deep)).colors).toBeNull();
    expect(() => parseRow(rowToJsonLine({ ...deep, bitDepth: 8 }))).toThrow(
      /colors must not be null for a compressed row/,
    );
    expect(() => parseRow(rowToJsonLine({ ...deep, psnr: 40 }))).toThrow(/colors must not be null/);
  });

  it('round-trips a failed row with nulls', () => {
    const failed: ManifestRow = {
      key: 'a/broken.jpg',
      status: 'failed',
      originalBytes: 400,
      outputKey: null,
      outputBytes: null,
      width: null,
      height: null,
      colors: null,
      psnr: null,
      ms: 3,
      error: 'truncated JPEG: premature end of data',
    };
    expect(parseRow(rowToJsonLine(failed))).toEqual({ ...failed, ...noFixity });
  });

  it('takes a copied row with its output and reason, a skipped row with a reason and no output', () => {
    const sha = 'a'.repeat(64);
    const copied: ManifestRow = {
      ...compressed,
      key: 'photos/doc.pdf',
      status: 'copied',
      outputKey: 'out/photos/doc.pdf',
      outputBytes: 1000,
      width: null,
      height: null,
      colors: null,
      psnr: null,
      error: 'unsupported format PDF',
      sha256: sha,
      outputSha256: sha,
    };
    expect(parseRow(rowToJsonLine(copied))).toMatchObject({ status: 'copied', outputSha256: sha });
    expect(() => parseRow(rowToJsonLine({ ...copied, outputKey: null }))).toThrow(
      /outputKey must not be null for a copied row/,
    );
    expect(() => parseRow(rowToJsonLine({ ...copied, error: null }))).toThrow(/error/);
    const skipped: ManifestRow = {
      ...copied,
      status: 'skipped',
      outputKey: null,
      outputBytes: null,
      outputSha256: null,
    };
    expect(parseRow(rowToJsonLine(skipped)).status).toBe('skipped');
    expect(() => parseRow(rowToJsonLine({ ...skipped, outputKey: 'out/photos/doc.pdf' }))).toThrow(
      /a skipped row writes nothing/,
    );
    expect(() => parseRow(rowToJsonLine({ ...skipped, error: null }))).toThrow(/error/);
  });

  it('rejects text that is not JSON, naming the line', () => {
    expect(() => parseRow('{"key": oops')).toThrow(ManifestRowError);
    expect(() => parseRow('{"key": oops')).toThrow(/not JSON.*oops/);
  });

  it('rejects a bad status and names the field', () => {
    const line = JSON.stringify({ ...compressed, status: 'done' });
    expect(() => parseRow(line)).toThrow(/status/);
  });

  it('rejects a compressed row without output, naming the field and the key', () => {
    const line = JSON.stringify({ ...compressed, outputBytes: null });
    expect(() => parseRow(line)).toThrow(/outputBytes.*photos\/cat\.jpg/);
  });

  it('rejects a failed row without a reason', () => {
    const line = JSON.stringify({ ...compressed, status: 'failed', error: null });
    expect(() => parseRow(line)).toThrow(/error/);
  });

  it('rejects a negative PSNR and a NaN-like string', () => {
    expect(() => parseRow(JSON.stringify({ ...compressed, psnr: -1 }))).toThrow(/psnr/);
    expect(() => parseRow(JSON.stringify({ ...compressed, psnr: 'NaN' }))).toThrow(/psnr/);
  });

  it('rejects more than 256 colours', () => {
    expect(() => parseRow(JSON.stringify({ ...compressed, colors: 300 }))).toThrow(/colors/);
  });
});
