import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decode } from './decode.js';
import { CodecError, type CodecErrorCode, isKeepOriginal } from './errors.js';
import {
  animatedGif,
  badCrcPng,
  cmykJpeg,
  greyAlphaPng,
  greyPng,
  HTML,
  hugePngHeader,
  orientation6Jpeg,
  PDF,
  png16,
  rgbaPng,
  SVG,
  sample,
  twoPageTiff,
} from './test/fixtures.js';

async function refusal(
  input: Buffer | Promise<Buffer>,
  options?: { maxPixels?: number },
): Promise<CodecError> {
  try {
    await decode(await input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return err as CodecError;
  }
  throw new Error('decode accepted an input it should have refused');
}

describe('decode refusals', () => {
  const cases: [string, () => Buffer | Promise<Buffer>, CodecErrorCode, RegExp][] = [
    ['empty buffer', () => Buffer.alloc(0), 'EMPTY', /empty/],
    ['HTML text', () => HTML, 'NOT_AN_IMAGE', /not an image/],
    ['SVG', () => SVG, 'UNSUPPORTED_FORMAT', /SVG/],
    ['PDF-like bytes', () => PDF, 'UNSUPPORTED_FORMAT', /PDF/],
    ['BMP', () => Buffer.from('BM\0\0\0\0\0\0\0\0'), 'UNSUPPORTED_FORMAT', /BMP/],
    [
      // a preamble that starts like a TIFF (a dual-personality DICOM/TIFF file): DICOM wins
      'DICOM (DICM at byte 128)',
      () =>
        Buffer.concat([
          Buffer.from([0x49, 0x49, 0x2a, 0x00]),
          Buffer.alloc(124),
          Buffer.from('DICM'),
          Buffer.alloc(64, 1),
        ]),
      'UNSUPPORTED_FORMAT',
      /^unsupported format DICOM \(DICM signature at byte 128\)/,
    ],
    [
      'the truncated JPEG sample',
      () => sample('broken-truncated.jpg'),
      'CORRUPT',
      /^truncated or corrupt JPEG: VipsJpeg: premature end/,
    ],
    [
      'a JPEG cut at 60%',
      () => {
        const j = sample('coffee.jpg');
        return j.subarray(0, Math.floor(j.length * 0.6));
      },
      'CORRUPT',
      /^truncated or corrupt JPEG: /,
    ],
    [
      'a PNG cut at 60%',
      () => {
        const p = sample('chelsea.png');
        return p.subarray(0, Math.floor(p.length * 0.6));
      },
      'CORRUPT',
      /^truncated or corrupt PNG: /,
    ],
    ['a PNG with a bad CRC', badCrcPng, 'CORRUPT', /^truncated or corrupt PNG: /],
    [
      'a PNG signature then garbage',
      () =>
        Buffer.concat([sample('chelsea.png').subarray(0, 8), Buffer.from('garbage!'.repeat(4))]),
      'CORRUPT',
      /^truncated or corrupt PNG: \S/,
    ],
    [
      'a TIFF signature then garbage',
      () => Buffer.from('II*\0garbage!garbage!'),
      'CORRUPT',
      /^truncated or corrupt TIFF: unreadable data after the signature$/,
    ],
    ['a PNG header claiming 100000x100000', hugePngHeader, 'TOO_MANY_PIXELS', /100000x100000/],
    ['an animated GIF', animatedGif, 'MULTI_FRAME', /animated GIF with 2 frames/],
    ['a 2-page TIFF', twoPageTiff, 'MULTI_FRAME', /multi-page TIFF with 2 pages/],
  ];
  for (const [name, make, code, message] of cases) {
    it(`refuses ${name} with ${code}`, async () => {
      const err = await refusal(make());
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(isKeepOriginal(err)).toBe(code === 'MULTI_FRAME');
    });
  }

  it('refuses JPEG 2000 as unsupported when this libvips cannot read it, else as corrupt', async () => {
    const jp2Header = Buffer.from([
      0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 0,
    ]);
    const err = await refusal(jp2Header);
    const hasJp2 = Boolean(sharp.format.jp2?.input.buffer);
    expect(err.code).toBe(hasJp2 ? 'CORRUPT' : 'UNSUPPORTED_FORMAT');
    expect(err.message).toMatch(/JPEG 2000/);
  });

  it('refuses more pixels than maxPixels before decoding', async () => {
    const err = await refusal(sample('chelsea.png'), { maxPixels: 451 * 300 - 1 });
    expect(err.code).toBe('TOO_MANY_PIXELS');
    expect(err.message).toContain('451x300');
    await expect(decode(sample('chelsea.png'), { maxPixels: 451 * 300 })).resolves.toMatchObject({
      width: 451,
    });
  });

  it('rejects a bad maxPixels with a RangeError naming it', async () => {
    await expect(decode(sample('chelsea.png'), { maxPixels: 0 })).rejects.toThrow(RangeError);
    await expect(decode(sample('chelsea.png'), { maxPixels: 1.5 })).rejects.toThrow(
      /maxPixels.*1\.5/,
    );
  });

  it('isKeepOriginal is false for other errors and non-errors', () => {
    expect(isKeepOriginal(new Error('x'))).toBe(false);
    expect(isKeepOriginal(undefined)).toBe(false);
    expect(isKeepOriginal(new CodecError('CORRUPT', 'x'))).toBe(false);
  });
});

describe('decode accepts', () => {
  for (const [name, w, h, format] of [
    ['astronaut.png', 512, 512, 'png'],
    ['astronaut.jpg', 512, 512, 'jpeg'],
    ['chelsea.png', 451, 300, 'png'],
    ['coffee.jpg', 600, 400, 'jpeg'],
    ['coffee.png', 600, 400, 'png'],
  ] as const) {
    it(`${name} as ${w}x${h} 8-bit RGB`, async () => {
      const img = await decode(sample(name));
      expect(img).toMatchObject({ width: w, height: h, channels: 3, format, hasAlpha: false });
      expect(img.data.length).toBe(w * h * 3);
    });
  }

  const hasJp2 = Boolean(sharp.format.jp2?.output.buffer);
  for (const format of ['webp', 'gif', 'tiff', 'avif', 'jp2'] as const) {
    // sharp's prebuilt libvips has no OpenJPEG: the JPEG 2000 case is skipped there.
    it.skipIf(format === 'jp2' && !hasJp2)(`a single-frame ${format} made by sharp`, async () => {
      const resized = sharp(sample('chelsea.png')).resize(64, 48);
      const pipeline = format === 'jp2' ? resized.jp2() : resized.toFormat(format);
      const img = await decode(await pipeline.toBuffer());
      expect(img).toMatchObject({ width: 64, height: 48, channels: 3, hasAlpha: false });
      expect(img.format).toBe(format === 'avif' ? 'heif' : format === 'jp2' ? 'jp2k' : format);
    });
  }

  it('applies EXIF orientation 6 (rotated 90 degrees clockwise)', async () => {
    const img = await decode(await orientation6Jpeg());
    expect(img).toMatchObject({ width: 20, height: 40, originalWidth: 40, originalHeight: 20 });
    // The stored left half (red) becomes the top half.
    const at = (x: number, y: number) =>
      Array.from(img.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
    const [r1, , b1] = at(10, 5);
    const [r2, , b2] = at(10, 35);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(50);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(50);
  });

  it('converts 16-bit PNG to 8-bit by scaling, not clipping', async () => {
    const img = await decode(png16(0xffff, 0x8080, 0x1010));
    expect(img.channels).toBe(3);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 128, 16]);
  });

  it('converts CMYK JPEG to sRGB with 3 channels', async () => {
    const img = await decode(await cmykJpeg());
    expect(img.channels).toBe(3);
    const [r, g, b] = Array.from(img.data.subarray(8 * 16 * 3, 8 * 16 * 3 + 3)) as [
      number,
      number,
      number,
    ];
    expect(Math.abs(r - 200)).toBeLessThan(30);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(90);
  });

  it('expands grey to 3 equal channels', async () => {
    const img = await decode(await greyPng());
    expect(img.channels).toBe(3);
    const [r, g, b] = Array.from(img.data.subarray(0, 3));
    expect(r).toBe(g);
    expect(g).toBe(b);
  });

  it('keeps grey + alpha as 4 channels with the alpha', async () => {
    const img = await decode(await greyAlphaPng());
    expect(img).toMatchObject({ channels: 4, hasAlpha: true });
    expect(Array.from(img.data.subarray(0, 4))).toEqual([90, 90, 90, 255]);
    expect(Array.from(img.data.subarray(15 * 4, 16 * 4))).toEqual([90, 90, 90, 128]);
  });

  it('keeps RGBA with real transparency as 4 channels', async () => {
    const img = await decode(await rgbaPng(false));
    expect(img).toMatchObject({ channels: 4, hasAlpha: true });
    expect(img.data[3]).toBe(0);
    expect(img.data[64 * 4 + 3]).toBe(255);
  });

  it('drops an all-opaque alpha channel', async () => {
    const img = await decode(await rgbaPng(true));
    expect(img).toMatchObject({ channels: 3, hasAlpha: false });
    expect(img.data.length).toBe(16 * 16 * 3);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([10, 200, 30]);
  });
});
