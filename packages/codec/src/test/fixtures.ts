// Bad and unusual files for the codec tests, made with sharp or by hand.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { PNG_SIGNATURE, pngChunk, pngChunks as readChunks } from '@kpress/png';

export const SAMPLES = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../fixtures/samples',
);

export function sample(name: string): Buffer {
  return readFileSync(join(SAMPLES, name));
}

/** Walks PNG chunks: [type, data, offset of the length field]. */
export function pngChunks(png: Buffer): { type: string; data: Buffer; at: number }[] {
  return [...readChunks(png)]
    .filter((c) => c.at + 12 <= png.length)
    .map(({ type, data, at }) => ({
      type,
      data: Buffer.from(data.buffer, data.byteOffset, data.length),
      at,
    }));
}

export { pngChunk };

/** A PNG with one IDAT byte flipped (CRC no longer matches). */
export function badCrcPng(): Buffer {
  const png = Buffer.from(sample('chelsea.png'));
  const idat = pngChunks(png).find((c) => c.type === 'IDAT');
  if (!idat) throw new Error('chelsea.png has no IDAT');
  png[idat.at + 8 + 100] = (png[idat.at + 8 + 100] as number) ^ 0xff;
  return png;
}

/** A valid-looking PNG header claiming 100000x100000 RGB pixels. */
export function hugePngHeader(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100000, 0);
  ihdr.writeUInt32BE(100000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function solid(background: string, width = 16, height = 16): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}

export async function animatedGif(): Promise<Buffer> {
  return sharp([await solid('red'), await solid('blue')], { join: { animated: true } })
    .gif()
    .toBuffer();
}

export async function twoPageTiff(): Promise<Buffer> {
  return sharp([await solid('red'), await solid('blue')], { join: { animated: true } })
    .tiff()
    .toBuffer();
}

/** Left half red, right half blue, stored 40x20 with EXIF orientation 6 (rotate 90 cw). */
export async function orientation6Jpeg(): Promise<Buffer> {
  const w = 40;
  const h = 20;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (x < w / 2) data[o] = 255;
      else data[o + 2] = 255;
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A hand-written 8x8 16-bit RGB PNG of one colour given in 16-bit units. */
export function png16(r: number, g: number, b: number): Buffer {
  const w = 8;
  const rows = Buffer.alloc((1 + w * 6) * w);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (1 + w * 6) + 1 + x * 6;
      rows.writeUInt16BE(r, o);
      rows.writeUInt16BE(g, o + 2);
      rows.writeUInt16BE(b, o + 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr[8] = 16;
  ihdr[9] = 2;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export function cmykJpeg(): Promise<Buffer> {
  return sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 30, b: 40 } },
  })
    .toColourspace('cmyk')
    .jpeg({ quality: 95 })
    .toBuffer();
}

export function greyPng(): Promise<Buffer> {
  return sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: 90, g: 90, b: 90 } },
  })
    .greyscale()
    .png()
    .toBuffer();
}

/** Grey + alpha, the right half half-transparent. */
export function greyAlphaPng(): Promise<Buffer> {
  const data = Buffer.alloc(16 * 16 * 2);
  for (let i = 0; i < 16 * 16; i++) {
    data[i * 2] = 90;
    data[i * 2 + 1] = i % 16 < 8 ? 255 : 128;
  }
  return sharp(data, { raw: { width: 16, height: 16, channels: 2 } })
    .png()
    .toBuffer();
}

/** RGBA, alpha 0 in the top rows and 255 below. */
export function rgbaPng(opaque: boolean): Promise<Buffer> {
  const data = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < 16 * 16; i++) {
    data[i * 4] = 10;
    data[i * 4 + 1] = 200;
    data[i * 4 + 2] = 30;
    data[i * 4 + 3] = opaque || i >= 64 ? 255 : 0;
  }
  return sharp(data, { raw: { width: 16, height: 16, channels: 4 } })
    .png()
    .toBuffer();
}

export const SVG = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>',
);
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
export const HTML = Buffer.from('<!doctype html><html><body>not an image</body></html>');
