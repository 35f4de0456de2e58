import { makeApng } from '@kpress/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { countFrames, gifFrames, pngFrames, tiffPages, webpFrames } from './animation.js';
import { compressImage } from './compress.js';
import { CodecError } from './errors.js';

const flat = (colour: string) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: colour } });

describe('frames counted from the file itself', () => {
  it('an APNG says its frames in acTL; sharp sees one page', async () => {
    const apng = makeApng();
    expect(pngFrames(apng)).toBe(4);
    expect((await sharp(apng).metadata()).pages ?? 1).toBe(1);
  });

  it('a still PNG, GIF, WebP and TIFF count one', async () => {
    const png = await flat('#f00').png().toBuffer();
    expect(pngFrames(png)).toBe(1);
    expect(gifFrames(await flat('#f00').gif().toBuffer())).toBe(1);
    expect(webpFrames(await flat('#f00').webp().toBuffer())).toBe(1);
    expect(tiffPages(await flat('#f00').tiff().toBuffer())).toBe(1);
  });

  it('animated GIF and WebP, and a two-page TIFF, count more than one', async () => {
    const frames = [await flat('#f00').png().toBuffer(), await flat('#00f').png().toBuffer()];
    const strip = sharp(frames, { join: { animated: true } });
    expect(gifFrames(await strip.clone().gif().toBuffer())).toBe(2);
    expect(webpFrames(await strip.clone().webp().toBuffer())).toBeGreaterThan(1);
    const tiff = await sharp(frames, { join: { animated: true } })
      .tiff()
      .toBuffer();
    expect(tiffPages(tiff)).toBe(2);
    expect(countFrames(tiff, 'tiff').what).toBe('multi-page TIFF');
  });

  it('truncated headers never throw and count one', () => {
    const apng = makeApng();
    for (const cut of [0, 8, 20, 33, 40]) {
      expect(pngFrames(apng.subarray(0, cut))).toBeGreaterThanOrEqual(1);
    }
    expect(gifFrames(Buffer.from('GIF89a'))).toBe(1);
    expect(tiffPages(Buffer.from([0x49, 0x49, 0x2a, 0, 0xff, 0xff, 0xff, 0x7f]))).toBe(1);
  });
});

describe('compressImage of an APNG', () => {
  it('is refused as MULTI_FRAME (kept as the original downstream), never flattened', async () => {
    const err = await compressImage(makeApng()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('MULTI_FRAME');
    expect((err as CodecError).message).toBe(
      'animated PNG (APNG) with 4 frames: a palette PNG holds one',
    );
  });

  it('a one-frame APNG is a still image and compresses', async () => {
    const r = await compressImage(makeApng({ colours: [[10, 200, 30]] }));
    expect(r.width).toBe(32);
  });
});
