import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readPngPalette } from './png-palette.js';

describe('readPngPalette', () => {
  it('reads the PLTE of a palette PNG', async () => {
    // 2x1 image: pure red and pure blue
    const raw = Buffer.from([255, 0, 0, 0, 0, 255]);
    const png = await sharp(raw, { raw: { width: 2, height: 1, channels: 3 } })
      .png({ palette: true, colours: 2, dither: 0 })
      .toBuffer();
    const palette = readPngPalette(png);
    expect(palette).not.toBeNull();
    const colours = new Set<string>();
    for (let i = 0; i < (palette?.length ?? 0); i += 3) {
      colours.add(palette?.slice(i, i + 3).join(',') ?? '');
    }
    expect(colours).toEqual(new Set(['255,0,0', '0,0,255']));
  });

  it('returns null for a truecolour PNG and for non-PNG bytes', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    expect(readPngPalette(png)).toBeNull();
    expect(readPngPalette(Buffer.from('GIF89a'))).toBeNull();
    expect(readPngPalette(png.subarray(0, 20))).toBeNull();
  });
});
