import { describe, expect, it } from 'vitest';
import { copyOrSkip, decideOutcome, failedOutcome, tooLargeReason } from './outcome.js';
import type { CompressTaskOk } from './task-types.js';

const src = {
  key: 'in/photos/cat.jpg',
  sourcePrefix: 'in/',
  destPrefix: 'out/',
  originalBytes: 1000,
};

function ok(bytes: number): CompressTaskOk {
  return {
    ok: true,
    png: new Uint8Array(bytes).fill(7),
    width: 4,
    height: 3,
    colors: 16,
    psnr: 31.5,
    ssimulacra2: 62.37,
    bitDepth: 8,
    hasAlpha: false,
    format: 'jpeg',
    timings: { decodeMs: 1, quantizeMs: 1, scoreMs: 1, encodeMs: 1 },
    codecMs: 3,
  };
}

describe('decideOutcome', () => {
  it('writes a lossless 16-bit re-encode as a compressed row without a palette', () => {
    const o = decideOutcome(
      { ...src, key: 'in/ct.png' },
      { ...ok(600), colors: null, psnr: Number.POSITIVE_INFINITY, bitDepth: 16 },
    );
    expect(o.effect).toMatchObject({ kind: 'put', key: 'out/ct.png' });
    expect(o.row).toMatchObject({
      status: 'compressed',
      colors: null,
      psnr: Number.POSITIVE_INFINITY,
      bitDepth: 16,
      error: null,
    });
  });

  it('keeps a deep source the codec could not re-encode smaller, with its depth and size', () => {
    const o = decideOutcome(src, {
      ok: false,
      code: 'DEEP_KEPT',
      message: '16-bit source kept at full depth: not smaller',
      keepOriginal: true,
      codecMs: 1,
      bitDepth: 16,
      width: 4,
      height: 3,
    });
    expect(o.effect).toEqual({ kind: 'copy', key: 'out/photos/cat.jpg' });
    expect(o.row).toMatchObject({
      status: 'kept-original',
      bitDepth: 16,
      width: 4,
      height: 3,
      error: '16-bit source kept at full depth: not smaller',
    });
  });

  it('records the source bit depth on every image row', () => {
    expect(decideOutcome(src, ok(400)).row.bitDepth).toBe(8);
    expect(decideOutcome(src, ok(1000)).row.bitDepth).toBe(8);
  });

  it('writes a smaller PNG to the mirrored .png key', () => {
    const o = decideOutcome(src, ok(400));
    expect(o.effect).toMatchObject({ kind: 'put', key: 'out/photos/cat.jpg.png' });
    expect(o.effect.kind === 'put' && o.effect.body.byteLength).toBe(400);
    expect(o.row).toMatchObject({
      status: 'compressed',
      outputKey: 'out/photos/cat.jpg.png',
      outputBytes: 400,
      originalBytes: 1000,
      width: 4,
      height: 3,
      colors: 16,
      psnr: 31.5,
      ssimulacra2: 62.37,
      error: null,
    });
  });

  it('keeps the original, byte for byte under its own name, when the PNG is not smaller', () => {
    const o = decideOutcome(src, ok(1000));
    expect(o.effect).toEqual({ kind: 'copy', key: 'out/photos/cat.jpg' });
    expect(o.row.status).toBe('kept-original');
    expect(o.row.outputBytes).toBe(1000);
    expect(o.row.error).toMatch(/1000 bytes.*not smaller.*1000 bytes/);
    // nothing compressed is stored: no score (DESIGN: null where nothing was compressed)
    expect(o.row).toMatchObject({ psnr: null, ssimulacra2: null });
  });

  it('keeps a multi-frame image as the original with the reason', () => {
    const o = decideOutcome(src, {
      ok: false,
      code: 'MULTI_FRAME',
      message: 'animated GIF with 3 frames',
      keepOriginal: true,
      codecMs: 1,
    });
    expect(o.effect).toEqual({ kind: 'copy', key: 'out/photos/cat.jpg' });
    expect(o.row).toMatchObject({
      status: 'kept-original',
      error: 'animated GIF with 3 frames',
      ssimulacra2: null,
    });
  });

  it('copies a refused image under its own name with the codec reason; imagesOnly skips it', () => {
    // issue 26: was a failed row with nothing written
    const refused = {
      ok: false as const,
      code: 'CORRUPT',
      message: 'truncated JPEG',
      keepOriginal: false,
      codecMs: 1,
    };
    const o = decideOutcome(src, refused);
    expect(o.effect).toEqual({ kind: 'copy', key: 'out/photos/cat.jpg' });
    expect(o.row).toMatchObject({
      status: 'copied',
      error: 'truncated JPEG',
      outputKey: 'out/photos/cat.jpg',
      outputBytes: 1000,
      colors: null,
      psnr: null,
      ssimulacra2: null,
    });
    const skipped = decideOutcome(src, refused, undefined, true);
    expect(skipped.effect).toEqual({ kind: 'none' });
    expect(skipped.row).toMatchObject({
      status: 'skipped',
      error: 'truncated JPEG',
      outputKey: null,
      outputBytes: null,
    });
    // a good image a palette cannot hold is kept whatever imagesOnly says
    const multi = { ...refused, code: 'MULTI_FRAME', message: 'animated', keepOriginal: true };
    expect(decideOutcome(src, multi, undefined, true).row.status).toBe('kept-original');
  });

  it('keeps a source already named .png under its own name', () => {
    const o = decideOutcome({ ...src, key: 'in/a.PNG' }, ok(10));
    expect(o.effect).toMatchObject({ kind: 'put', key: 'out/a.PNG' });
  });
});

describe('copyOrSkip', () => {
  it('copies an object over the limits byte for byte, or skips it; a reason is required', () => {
    const reason = tooLargeReason(500, 1000);
    expect(copyOrSkip(src, reason, false)).toMatchObject({
      effect: { kind: 'copy', key: 'out/photos/cat.jpg' },
      row: { status: 'copied', outputBytes: 1000, error: reason },
    });
    expect(copyOrSkip(src, reason, true)).toMatchObject({
      effect: { kind: 'none' },
      row: { status: 'skipped', outputKey: null, error: reason },
    });
    expect(() => copyOrSkip(src, '', false)).toThrow(/needs a reason/);
  });
});

describe('failedOutcome', () => {
  it('refuses an empty reason', () => {
    expect(() => failedOutcome({ key: 'k', originalBytes: 0 }, ' ')).toThrow(/needs a reason.*"k"/);
  });
  it('names the limit for an oversized object', () => {
    expect(tooLargeReason(100, 250)).toBe(
      'object larger than the 100-byte limit (250 bytes) (KPRESS_MAX_BYTES)',
    );
  });
});
