import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compressImage } from './compress.js';
import { textChunk } from './png.js';
import { exifOrientation } from './source-metadata.js';

const px = (w: number, h: number, colour: string) =>
  sharp({ create: { width: w, height: h, channels: 3, background: colour } });

/** A PNG with a tEXt chunk spliced in after IHDR (as cameras and editors write them). */
function withText(png: Buffer, keyword: string, text: string): Buffer {
  const afterIhdr = 8 + 12 + 13;
  return Buffer.concat([
    png.subarray(0, afterIhdr),
    textChunk(keyword, text),
    png.subarray(afterIhdr),
  ]);
}

describe("the source's metadata in the output", () => {
  it('EXIF goes into eXIf with the orientation reset to 1 (the pixels are rotated)', async () => {
    const jpeg = await px(8, 6, '#2a6')
      .withExif({ IFD0: { Artist: 'kpress test', Copyright: 'CC0' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const r = await compressImage(jpeg, { colors: 4 });
    expect([r.width, r.height]).toEqual([6, 8]);
    const meta = await sharp(r.png).metadata();
    expect(meta.exif?.toString('latin1')).toContain('kpress test');
    expect(meta.orientation ?? 1).toBe(1);
    expect(r.png.includes(Buffer.from('eXIf'))).toBe(true);
    const exif = meta.exif as Buffer;
    const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
    expect(exifOrientation(tiff)).toBe(1);
  });

  it('a Display P3 PNG comes out converted to sRGB, saying sRGB: a viewer shows the same colours', async () => {
    const p3 = await px(16, 16, '#d04020').withIccProfile('p3').png().toBuffer();
    expect((await sharp(p3).metadata()).icc?.length).toBeGreaterThan(0);
    const r = await compressImage(p3, { colors: 4 });
    expect((await sharp(r.png).metadata()).icc).toBeUndefined();
    expect(r.png.includes(Buffer.from('sRGB'))).toBe(true);
    // each file shown through its own colour information: the same colour
    const shown = async (b: Buffer) => [
      ...(await sharp(b).withIccProfile('srgb').raw().toBuffer()).subarray(0, 3),
    ];
    expect(await shown(r.png)).toEqual(await shown(p3));
  });

  it('XMP and PNG text chunks are kept; a CMYK JPEG comes out as sRGB', async () => {
    const png = withText(await px(8, 8, '#345').png().toBuffer(), 'Title', 'A test card');
    const r = await compressImage(png, { colors: 4 });
    expect((await sharp(r.png).metadata()).comments).toContainEqual({
      keyword: 'Title',
      text: 'A test card',
    });
    const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>';
    const withXmp = await px(8, 8, '#345').withXmp(xmp).png().toBuffer();
    const rx = await compressImage(withXmp, { colors: 4 });
    expect((await sharp(rx.png).metadata()).xmp?.toString('utf8')).toContain('adobe:ns:meta');
    const cmyk = await px(8, 8, '#345').toColourspace('cmyk').jpeg().toBuffer();
    const rc = await compressImage(cmyk, { colors: 4 });
    expect(rc.png.includes(Buffer.from('iCCP'))).toBe(false);
    expect(rc.png.includes(Buffer.from('sRGB'))).toBe(true);
  });

  it('stripMetadata strips it all', async () => {
    const jpeg = await px(8, 6, '#2a6')
      .withExif({ IFD0: { Artist: 'kpress test' } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const r = await compressImage(jpeg, { colors: 4, stripMetadata: true });
    const meta = await sharp(r.png).metadata();
    expect([meta.exif, meta.icc, meta.xmp]).toEqual([undefined, undefined, undefined]);
  });
});
