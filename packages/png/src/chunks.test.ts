import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hasPngSignature, ihdrChunk, PNG_SIGNATURE, pngChunk, pngChunks } from './chunks.js';

function tinyPng(): Buffer {
  const rows = Buffer.from([0, 0x10, 0xf0]); // filter byte, two pixels
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdrChunk(2, 1, 8, 0), // 8-bit greyscale
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('pngChunk', () => {
  it('writes a PNG that sharp decodes to the pixels written', async () => {
    const meta = await sharp(tinyPng()).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([2, 1, 1, 'uchar']);
    const data = await sharp(tinyPng()).extractChannel(0).raw().toBuffer();
    expect([...data]).toEqual([0x10, 0xf0]);
  });

  it('frames the data with its length, type and the CRC of type and data', () => {
    const c = pngChunk('tEXt', Buffer.from('a\0b', 'latin1'));
    expect(c.readUInt32BE(0)).toBe(3);
    expect(c.toString('latin1', 4, 8)).toBe('tEXt');
    // CRC-32 of "tEXta\0b", computed by zlib's crc32 in Python: 0xdc49a23b
    expect(c.readUInt32BE(11)).toBe(0xdc49a23b);
  });
});

describe('pngChunks', () => {
  it('reads back every chunk written, in order, each whole', () => {
    const png = tinyPng();
    expect(hasPngSignature(png)).toBe(true);
    const chunks = [...pngChunks(png)];
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.whole && c.data.length === c.length)).toBe(true);
    expect(chunks[0]?.at).toBe(8);
    expect(chunks[1]?.at).toBe(8 + 12 + 13);
  });

  it('gives a chunk cut short as not whole, and stops where no length and type fit', () => {
    const png = tinyPng();
    const cut = png.subarray(0, 8 + 12 + 13 + 10); // IDAT's length, type and 2 data bytes
    const chunks = [...pngChunks(cut)];
    expect(chunks.map((c) => [c.type, c.whole])).toEqual([
      ['IHDR', true],
      ['IDAT', false],
    ]);
    expect(chunks[1]?.data.length).toBe(2);
    expect([...pngChunks(png.subarray(0, 8 + 12 + 13 + 7))].map((c) => c.type)).toEqual(['IHDR']);
  });

  it('says a buffer without the signature is not a PNG', () => {
    expect(hasPngSignature(Buffer.from('GIF89a..'))).toBe(false);
    expect(hasPngSignature(PNG_SIGNATURE.subarray(0, 7))).toBe(false);
  });
});
