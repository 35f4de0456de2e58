import { ihdrChunk, PNG_SIGNATURE, pngChunk } from '@kpress/png';
import { describe, expect, it } from 'vitest';
import { readPngHeader } from './png-header.js';

function png(): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdrChunk(5, 3, 4, 3), // 4-bit indexed
    pngChunk('PLTE', Buffer.alloc(3 * 7)),
    pngChunk('IDAT', Buffer.alloc(40)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('readPngHeader', () => {
  it('reads the size, depth, colour type and palette entries up to the first IDAT', () => {
    expect(readPngHeader(png())).toEqual({
      width: 5,
      height: 3,
      bitDepth: 4,
      colorType: 3,
      paletteEntries: 7,
    });
  });

  it('needs only the first bytes of IDAT, and names a PNG cut before it or without a signature', () => {
    const whole = png();
    const idatAt = 8 + 25 + 12 + 21;
    expect(readPngHeader(whole.subarray(0, idatAt + 8))).toMatchObject({ paletteEntries: 7 });
    expect(readPngHeader(whole.subarray(0, idatAt + 4))).toEqual({
      problem: 'truncated PNG (no image data)',
    });
    expect(readPngHeader(Buffer.concat([Buffer.from('GIF89a..'), whole.subarray(8)]))).toEqual({
      problem: 'not a PNG (no PNG signature)',
    });
  });
});
