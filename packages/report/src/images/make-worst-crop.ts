import type { SharpOptions } from 'sharp';
import { sharp } from './sharp.js';
import { CROP_GAP as GAP } from '../report-model.js';
import { cropWhereMostDifferent, type Window } from './diff-window.js';
import { intOption } from '../int-option.js';

export interface WorstCropOptions {
  /** Side of each half of the crop, pixels (smaller when the image is), 16..1024. Default 192. */
  side?: number;
  /** Cells of the difference map on the image's longer side, 16..1024. Default 256. */
  gridSide?: number;
  /** Images with more pixels than this are not decoded (sharp's limitInputPixels). Default 100,000,000. */
  maxPixels?: number;
}

/** A side-by-side crop: the original on the left, the output on the right, both at 1:1. */
export interface WorstCrop {
  /** data:image/png;base64 URI of the two crops side by side, GAP pixels apart. */
  dataUri: string;
  /** Where the crop was taken, in the oriented image's pixels. */
  region: Window;
}

/** Width and height after EXIF orientation (5..8 swap them). */
async function orientedSize(image: Buffer, options: SharpOptions): Promise<[number, number]> {
  const m = await sharp()(image, options).metadata();
  if (m.width === undefined || m.height === undefined) throw new Error('image has no size');
  return (m.orientation ?? 1) >= 5 ? [m.height, m.width] : [m.width, m.height];
}

/** The image downscaled to `w` x `h` (area average), RGBA 8 bits. */
async function grid(image: Buffer, w: number, h: number, options: SharpOptions): Promise<Buffer> {
  return sharp()(image, options)
    .rotate()
    .resize(w, h, { fit: 'fill' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer();
}

/**
 * Per pixel of two RGBA 8-bit buffers, the absolute difference of their
 * colours weighted by alpha (premultiplied) plus that of their alphas: colour
 * under full transparency, which no one sees, counts for nothing.
 */
function visibleDifference(a: Buffer, b: Buffer, pixels: number): Float64Array {
  const values = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const aa = a[i * 4 + 3] ?? 0;
    const ba = b[i * 4 + 3] ?? 0;
    let d = Math.abs(aa - ba);
    for (let c = 0; c < 3; c++) {
      d += Math.abs(((a[i * 4 + c] ?? 0) * aa - (b[i * 4 + c] ?? 0) * ba) / 255);
    }
    values[i] = d;
  }
  return values;
}

/**
 * The original and the output side by side at 1:1 (no scaling), cropped where
 * they differ most: both are downscaled to a grid of at most `gridSide`
 * cells a side, their difference summed per cell (colour premultiplied by alpha, and alpha), and the
 * window of `side` pixels over the cells that sum highest is cut from both
 * (diff-window.ts). Throws when an image cannot be read or the two sizes
 * differ; a RangeError names a bad option.
 */
export async function makeWorstCrop(
  source: Buffer,
  output: Buffer,
  options: WorstCropOptions = {},
): Promise<WorstCrop> {
  const side = intOption('side', options.side, 192, 16, 1024);
  const gridSide = intOption('gridSide', options.gridSide, 256, 16, 1024);
  const maxPixels = intOption(
    'maxPixels',
    options.maxPixels,
    100_000_000,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const sharpOptions: SharpOptions = { limitInputPixels: maxPixels, failOn: 'error' };
  const [w, h] = await orientedSize(source, sharpOptions);
  const [ow, oh] = await orientedSize(output, sharpOptions);
  if (ow !== w || oh !== h)
    throw new Error(`the output is ${ow}x${oh}, the oriented source ${w}x${h}`);
  const cell = Math.max(1, Math.ceil(Math.max(w, h) / gridSide));
  const gw = Math.ceil(w / cell);
  const gh = Math.ceil(h / cell);
  const [a, b] = await Promise.all([
    grid(source, gw, gh, sharpOptions),
    grid(output, gw, gh, sharpOptions),
  ]);
  const values = visibleDifference(a, b, gw * gh);
  const region = cropWhereMostDifferent({ width: gw, height: gh, values }, cell, w, h, side);
  const cut = (image: Buffer) =>
    sharp()(image, sharpOptions)
      .rotate()
      .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
      .toColourspace('srgb')
      .png()
      .toBuffer();
  const [left, right] = await Promise.all([cut(source), cut(output)]);
  const png = await sharp()({
    create: {
      width: region.width * 2 + GAP,
      height: region.height,
      channels: 4,
      background: { r: 255, g: 255, b: 255, alpha: 1 },
    },
  })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: region.width + GAP, top: 0 },
    ])
    // drawn over opaque white: the alpha channel is 255 everywhere, a tenth of the page for nothing
    .removeAlpha()
    .png({ compressionLevel: 9 })
    .toBuffer();
  return { dataUri: `data:image/png;base64,${png.toString('base64')}`, region };
}
