import sharp from 'sharp';
import type { PixelImage } from '../types.js';

/** The shared sample photos (read-only). */
export const SAMPLES = '/work/shared/datasets/samples';

/** A sample photo's pixels as sharp decodes them (RGB for these PNGs). */
export async function samplePhoto(name: string): Promise<PixelImage> {
  const { data, info } = await sharp(`${SAMPLES}/${name}`)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: info.channels as 3 | 4,
  };
}

/**
 * An RGB photo, every `step`-th pixel of every `step`-th row, with an alpha channel laid over
 * it: opaque at the top, a left-to-right alpha ramp in the middle band, fully transparent in
 * the bottom-right corner.
 */
export function withAlpha(photo: PixelImage, step = 1): PixelImage {
  const width = Math.floor(photo.width / step);
  const height = Math.floor(photo.height / step);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const from = (y * step * photo.width + x * step) * photo.channels;
      for (let c = 0; c < 3; c++) data[i * 4 + c] = photo.data[from + c] as number;
      let a = 255;
      if (y > height / 3) a = Math.round((255 * x) / (width - 1));
      if (y > (height * 3) / 4 && x > (width * 3) / 4) a = 0;
      data[i * 4 + 3] = a;
    }
  }
  return { data, width, height, channels: 4 };
}
