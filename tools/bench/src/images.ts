import { join } from 'node:path';
import { decode } from '@kpress/codec';
import sharp, { type Sharp } from 'sharp';

/** 4240 x 2832 = 12.0 megapixels. */
export const BIG_WIDTH = 4240;
export const BIG_HEIGHT = 2832;

/**
 * A `width` x `height` 2x2 mosaic of the samples (in `samples`), each resized
 * to a quarter (the fourth flopped), as a sharp pipeline to write out.
 */
export async function sampleMosaic(
  samples: string,
  width: number,
  height: number,
): Promise<Sharp> {
  const w = Math.floor(width / 2);
  const h = Math.floor(height / 2);
  const tiles = await Promise.all(
    ['astronaut.png', 'chelsea.png', 'coffee.png', 'astronaut.jpg'].map((name, i) =>
      sharp(join(samples, name))
        .resize(w, h, { fit: 'cover' })
        .flop(i === 3)
        .toBuffer(),
    ),
  );
  return sharp({ create: { width, height, channels: 3, background: 'black' } }).composite(
    tiles.map((input, i) => ({ input, left: (i % 2) * w, top: Math.floor(i / 2) * h })),
  );
}

/**
 * Makes the 12-megapixel test photo: the samples' mosaic (sampleMosaic)
 * saved as JPEG (quality 90) at `path`.
 */
export async function makeBigJpeg(samples: string, path: string): Promise<void> {
  const mosaic = await sampleMosaic(samples, BIG_WIDTH, BIG_HEIGHT);
  await mosaic.jpeg({ quality: 90 }).toFile(path);
}

/** Writes the oriented, decoded source as a plain PNG (pngquant reads PNG only). */
export async function writeSourcePng(input: Buffer, path: string): Promise<void> {
  const img = await decode(input);
  await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .png({ compressionLevel: 1 })
    .toFile(path);
}
