/**
 * Deep sources (issue 26): bit depth detected, decoded at 16 bits, re-encoded
 * losslessly as a 16-bit PNG with libdeflate and proven identical, and the
 * PSNR of an 8-bit result measured against the full-depth source. Real
 * images: 16-bit PNG and TIFF files written by sharp from known samples, and
 * the repo's samples made 16-bit with sharp (`toColourspace('rgb16')`).
 */
import { quantize } from '@kpress/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { depthOf, sourceBitDepth } from './bit-depth.js';
import { decode } from './decode.js';
import { palettePsnrAgainstFullDepth, pixelsPsnrAgainstFullDepth } from './depth-psnr.js';
import { CodecError } from './errors.js';
import { decodeFullDepth, firstDifference } from './full-depth.js';
import { reencodeLossless16 } from './lossless16.js';
import { pngChunk } from '@kpress/png';
import { encodePalettePng } from './png.js';
import { readPngHeader } from './png-header.js';
import { encodePng16, pngColourChunks } from './png16.js';
import { sample } from './test/fixtures.js';

type Channels = 1 | 2 | 3 | 4;

/** Known 16-bit samples: a gradient with seeded noise over the whole 0..65535 range, extremes included. */
function knownSamples(width: number, height: number, channels: Channels): Uint16Array {
  const s = new Uint16Array(width * height * channels);
  let x = 12345 + channels;
  for (let i = 0; i < s.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const ramp = Math.floor((i / s.length) * 60000);
    s[i] = (ramp + (x >>> 20)) & 0xffff;
  }
  s[0] = 0;
  s[s.length - 1] = 65535;
  return s;
}

/** A file sharp writes from 16-bit samples. */
async function deepFile(
  samples: Uint16Array,
  width: number,
  height: number,
  channels: Channels,
  format: 'png' | 'tiff',
): Promise<Buffer> {
  const img = sharp(samples, { raw: { width, height, channels } }).toColourspace(
    channels <= 2 ? 'grey16' : 'rgb16',
  );
  return (format === 'png' ? img.png() : img.tiff({ compression: 'deflate' })).toBuffer();
}

/** A repo sample made 16-bit by sharp (its samples are not multiples of 257). */
async function deepSample(space: 'rgb16' | 'grey16', alpha = false): Promise<Buffer> {
  let img = sharp(sample('chelsea.png'));
  if (alpha) img = img.ensureAlpha(0.75);
  return img.toColourspace(space).png().toBuffer();
}

describe('bit depth', () => {
  it('depthOf reads sharp metadata: bits per sample, else the sample format', () => {
    expect(depthOf({ depth: 'uchar' })).toEqual({
      bitsPerSample: 8,
      sampleFormat: 'uchar',
      high: false,
    });
    expect(depthOf({ depth: 'uchar', bitsPerSample: 1 })).toMatchObject({ bitsPerSample: 1 });
    expect(depthOf({ depth: 'ushort', bitsPerSample: 16 })).toMatchObject({ high: true });
    expect(depthOf({ depth: 'float' })).toEqual({
      bitsPerSample: 32,
      sampleFormat: 'float',
      high: true,
    });
    // an unknown sample format is never taken for 8 bits
    expect(depthOf({ depth: 'mystery' as 'uchar' })).toMatchObject({ high: true });
  });

  it('sourceBitDepth of real files: 8-bit samples, 16-bit PNG and TIFF, a refused input', async () => {
    expect(await sourceBitDepth(sample('chelsea.png'))).toMatchObject({
      bitsPerSample: 8,
      high: false,
    });
    expect(await sourceBitDepth(sample('coffee.jpg'))).toMatchObject({ high: false });
    const s = knownSamples(9, 7, 1);
    for (const format of ['png', 'tiff'] as const) {
      expect(await sourceBitDepth(await deepFile(s, 9, 7, 1, format))).toEqual({
        bitsPerSample: 16,
        sampleFormat: 'ushort',
        high: true,
      });
    }
    await expect(sourceBitDepth(Buffer.from('{"not": "an image"}'))).rejects.toBeInstanceOf(
      CodecError,
    );
  });
});

describe('decodeFullDepth', () => {
  it.each([1, 2, 3, 4] as const)(
    '%i channels, PNG and TIFF: exactly the samples written',
    async (channels) => {
      const [w, h] = [37, 23];
      const s = knownSamples(w, h, channels);
      for (const format of ['png', 'tiff'] as const) {
        const img = await decodeFullDepth(await deepFile(s, w, h, channels, format));
        expect(img).toMatchObject({ width: w, height: h, channels, format });
        expect(img.data).toEqual(s);
      }
    },
  );

  it('the srgb view is what decode sees, at 16 bits: 3 or 4 channels, oriented', async () => {
    const grey = await decodeFullDepth(await deepSample('grey16'), { view: 'srgb' });
    expect(grey.channels).toBe(3);
    const rotated = await sharp(await deepSample('rgb16'))
      .withMetadata({ orientation: 6 })
      .png()
      .toBuffer();
    const view = await decodeFullDepth(rotated, { view: 'srgb' });
    const stored = await decodeFullDepth(rotated);
    expect([view.width, view.height]).toEqual([stored.height, stored.width]);
  });

  it('firstDifference names the first differing sample, and a size mismatch', () => {
    const a = { data: Uint16Array.of(1, 2, 3, 4, 5, 6), width: 2, height: 1, channels: 3 as const };
    expect(firstDifference(a, { ...a, data: a.data.slice() })).toBeUndefined();
    const b = { ...a, data: Uint16Array.of(1, 2, 3, 4, 9, 6) };
    expect(firstDifference(a, b)).toBe('sample at (1, 0) channel 1 is 5, against 9');
    expect(firstDifference(a, { ...a, width: 1, height: 2 })).toBe(
      '2x1 with 3 channels, against 1x2 with 3',
    );
  });
});

describe('encodePng16', () => {
  it.each([1, 2, 3, 4] as const)(
    '%i channels: a 16-bit PNG sharp decodes to the same samples, every effort',
    async (channels) => {
      const [w, h] = [31, 17];
      const s = knownSamples(w, h, channels);
      for (const effort of [1, 3, 5]) {
        const png = encodePng16({ data: s, width: w, height: h, channels }, { effort });
        expect(readPngHeader(png)).toMatchObject({
          width: w,
          height: h,
          bitDepth: 16,
          colorType: { 1: 0, 2: 4, 3: 2, 4: 6 }[channels],
        });
        expect((await decodeFullDepth(png)).data).toEqual(s);
      }
    },
  );

  it('each filter on its own decodes to the same samples', async () => {
    const s = knownSamples(23, 11, 4);
    for (const filter of ['adaptive', 0, 1, 2, 3, 4] as const) {
      const png = encodePng16({ data: s, width: 23, height: 11, channels: 4 }, { filter });
      expect((await decodeFullDepth(png)).data, `filter ${filter}`).toEqual(s);
    }
    expect(() =>
      encodePng16({ data: s, width: 23, height: 11, channels: 4 }, { filter: 5 as 0 }),
    ).toThrow('filter must be 0, 1, 2, 3, 4 or "adaptive", got 5');
  });

  it('one pixel at the extremes, and a refusal naming the option', async () => {
    const s = Uint16Array.of(0, 65535, 1, 65534);
    const png = encodePng16({ data: s, width: 1, height: 1, channels: 4 });
    expect((await decodeFullDepth(png)).data).toEqual(s);
    expect(() => encodePng16({ data: s, width: 2, height: 1, channels: 4 })).toThrow(
      'data must hold width x height x channels = 8 samples, got 4',
    );
  });

  it('writes the ICC profile, and copies the colour chunks given', async () => {
    const gama = pngChunk('gAMA', Uint8Array.of(0, 0, 0xb1, 0x8f));
    const icc = (
      await sharp(await deepSample('rgb16'))
        .withIccProfile('p3')
        .png()
        .toBuffer()
    ).subarray(0);
    const profile = (await sharp(icc).metadata()).icc as Buffer;
    const s = knownSamples(5, 4, 3);
    const png = encodePng16(
      { data: s, width: 5, height: 4, channels: 3 },
      { icc: profile, chunks: [gama] },
    );
    expect((await sharp(png).metadata()).icc).toEqual(profile);
    // the stored samples, not converted through the profile
    expect((await decodeFullDepth(png)).data).toEqual(s);
    expect(pngColourChunks(png, 2)).toEqual([gama]);
    // sBIT only with the same colour type
    const sbit = pngChunk('sBIT', Uint8Array.of(12, 12, 12));
    const withSbit = encodePng16({ data: s, width: 5, height: 4, channels: 3 }, { chunks: [sbit] });
    expect(pngColourChunks(withSbit, 2)).toEqual([sbit]);
    expect(pngColourChunks(withSbit, 6)).toEqual([]);
  });
});

describe('reencodeLossless16', () => {
  it.each([
    ['RGB', 'rgb16', false],
    ['grey', 'grey16', false],
    ['RGBA', 'rgb16', true],
    ['grey + alpha', 'grey16', true],
  ] as const)(
    'a 16-bit %s photograph: a smaller 16-bit PNG with identical samples',
    async (_, space, alpha) => {
      const source = await deepSample(space, alpha);
      const r = await reencodeLossless16(source);
      if (r.kind !== 'png16') throw new Error(`kept the original: ${r.reason}`);
      expect(r.png.length).toBeLessThan(source.length);
      expect(r.depth).toMatchObject({ bitsPerSample: 16, high: true });
      expect(r.channels).toBe((space === 'grey16' ? 1 : 3) + (alpha ? 1 : 0));
      const before = await decodeFullDepth(source);
      const after = await decodeFullDepth(r.png);
      expect(firstDifference(after, before)).toBeUndefined();
      expect(readPngHeader(r.png)).toMatchObject({ bitDepth: 16 });
    },
  );

  it('known samples in a 16-bit TIFF come back exactly from the PNG', async () => {
    const s = knownSamples(64, 48, 3);
    // a 16-bit TIFF without compression: the PNG is smaller
    const tiff = await sharp(s, { raw: { width: 64, height: 48, channels: 3 } })
      .toColourspace('rgb16')
      .tiff({ compression: 'none' })
      .toBuffer();
    const r = await reencodeLossless16(tiff);
    if (r.kind !== 'png16') throw new Error(`kept the original: ${r.reason}`);
    expect(r.format).toBe('tiff');
    expect((await decodeFullDepth(r.png)).data).toEqual(s);
  });

  it('keeps the EXIF orientation and the ICC profile as they were, the samples unrotated', async () => {
    const source = await sharp(await deepSample('rgb16'))
      .withIccProfile('p3')
      .toColourspace('rgb16')
      .withMetadata({ orientation: 6 })
      .png()
      .toBuffer();
    const r = await reencodeLossless16(source);
    if (r.kind !== 'png16') throw new Error(`kept the original: ${r.reason}`);
    const [m0, m1] = await Promise.all([sharp(source).metadata(), sharp(r.png).metadata()]);
    expect(m1.orientation).toBe(6);
    expect(m1.icc).toEqual(m0.icc);
    expect(firstDifference(await decodeFullDepth(r.png), await decodeFullDepth(source))).toBe(
      undefined,
    );
  });

  it('keeps the original when the PNG is not smaller, or the source is 8-bit', async () => {
    const first = await reencodeLossless16(await deepSample('grey16'));
    if (first.kind !== 'png16') throw new Error(`kept the original: ${first.reason}`);
    // its own output again: the same bytes, not smaller
    expect(await reencodeLossless16(first.png)).toEqual({
      kind: 'keep-original',
      reason: `a 16-bit PNG of its samples is ${first.png.length} bytes, not smaller than the ${first.png.length} bytes of the original`,
      depth: { bitsPerSample: 16, sampleFormat: 'ushort', high: true },
      format: 'png',
    });
    expect(await reencodeLossless16(sample('chelsea.png'))).toMatchObject({
      kind: 'keep-original',
      reason: '8-bit samples: no 16-bit re-encode to make',
    });
  });
});

describe('PSNR against the full-depth source', () => {
  it('the exact formula on one pixel', () => {
    const ref = {
      data: Uint16Array.of(2570, 257 * 20 + 128, 0),
      width: 1,
      height: 1,
      channels: 3 as const,
    };
    const got = pixelsPsnrAgainstFullDepth(ref, {
      data: Uint8Array.of(10, 20, 0),
      width: 1,
      height: 1,
      channels: 3,
    });
    expect(got).toBeCloseTo(10 * Math.log10((255 * 255) / ((128 / 257) ** 2 / 3)), 10);
  });

  it("a deep source's own 8-bit copy is no longer lossless: the depth lost is counted", async () => {
    const source = await deepSample('rgb16');
    const reference = await decodeFullDepth(source, { view: 'srgb' });
    const eight = await decode(source);
    const psnr = pixelsPsnrAgainstFullDepth(reference, {
      ...eight,
      channels: eight.channels,
    });
    expect(Number.isFinite(psnr)).toBe(true);
    expect(psnr).toBeGreaterThan(50);
    // a 16-bit file holding 8-bit levels (every sample a multiple of 257) loses nothing
    const flat = await sharp(sample('chelsea.png')).raw().toBuffer({ resolveWithObject: true });
    const widened = Uint16Array.from(flat.data, (v) => v * 257);
    const exact = await sharp(widened, {
      raw: { width: flat.info.width, height: flat.info.height, channels: 3 },
    })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const exactRef = await decodeFullDepth(exact, { view: 'srgb' });
    const exact8 = await decode(exact);
    expect(pixelsPsnrAgainstFullDepth(exactRef, { ...exact8, channels: exact8.channels })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('a 16-colour palette of a deep source: the palette and its decoded PNG measure the same', async () => {
    const source = await deepSample('rgb16', true);
    const reference = await decodeFullDepth(source, { view: 'srgb' });
    const eight = await decode(source);
    const q = quantize(eight, { colors: 16, seed: 1 });
    const viaPalette = palettePsnrAgainstFullDepth(reference, {
      ...q,
      width: eight.width,
      height: eight.height,
    });
    const png = await encodePalettePng({ ...q, width: eight.width, height: eight.height });
    const out = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const viaPixels = pixelsPsnrAgainstFullDepth(reference, {
      data: out.data,
      width: out.info.width,
      height: out.info.height,
      channels: 4,
    });
    expect(viaPalette).toBeCloseTo(viaPixels, 9);
    expect(viaPalette).toBeGreaterThan(20);
    expect(viaPalette).toBeLessThan(q.psnr + 0.5);
    expect(() =>
      palettePsnrAgainstFullDepth(
        { ...reference, width: 1 },
        { ...q, width: eight.width, height: eight.height },
      ),
    ).toThrow(/not the same image/);
  });
});
