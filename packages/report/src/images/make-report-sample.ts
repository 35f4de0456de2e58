import type { RowStatus } from '@kpress/manifest';
import type { ReportSample } from '../report-model.js';
import type { SharpOptions } from 'sharp';
import { sharp } from './sharp.js';
import { readPngPalette } from './png-palette.js';
import { hashString, seededRandom } from './seeded-random.js';
import { intOption } from '../int-option.js';

/** The manifest fields a sample repeats. */
export interface ReportSampleInput {
  key: string;
  outputKey: string | null;
  status: RowStatus;
  originalBytes: number;
  outputBytes: number | null;
  psnr: number | null;
  colors: number | null;
}

export interface ReportSampleOptions {
  /** Thumbnail width in pixels (never enlarged), 16..2048. Default 240. */
  thumbWidth?: number;
  /** Source pixels sampled for the colour-space view, 0..100,000. Default 3,000. */
  points?: number;
  /** Seed for the pixel sample. Default: a hash of the key, so each image is stable. */
  seed?: number;
  /** Quality of the WebP "before" thumbnail, 1..100. Default 70. */
  quality?: number;
  /** Images with more pixels than this are not decoded (sharp's limitInputPixels). Default 100,000,000. */
  maxPixels?: number;
}

/** Pixels are sampled from a copy no larger than this on either side (nearest neighbour: real pixels). */
const SAMPLE_SIDE = 512;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Builds what the report shows of one image: a "before" thumbnail (oriented
 * source, WebP), an "after" thumbnail (the output resized nearest-neighbour
 * so its palette stays exact, palette PNG), a deterministic sample of source
 * pixels and the output palette (its PLTE chunk, else its distinct colours
 * when there are at most 256). Never throws on bad images: what cannot be
 * made is null or empty and `previewError` says why. Throws only on bad
 * options (RangeError naming the option).
 */
export async function makeReportSample(
  input: ReportSampleInput,
  source: Buffer,
  output: Buffer | null,
  options: ReportSampleOptions = {},
): Promise<ReportSample> {
  const thumbWidth = intOption('thumbWidth', options.thumbWidth, 240, 16, 2048);
  const pointCount = intOption('points', options.points, 3000, 0, 100_000);
  const quality = intOption('quality', options.quality, 70, 1, 100);
  const maxPixels = intOption(
    'maxPixels',
    options.maxPixels,
    100_000_000,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const seed = options.seed ?? hashString(input.key);
  const sharpOptions = { limitInputPixels: maxPixels, failOn: 'error' as const };
  const problems: string[] = [];

  const sample: ReportSample = {
    key: input.key,
    outputKey: input.outputKey,
    status: input.status,
    originalBytes: input.originalBytes,
    outputBytes: input.outputBytes,
    psnr: input.psnr,
    colors: input.colors,
    beforeDataUri: null,
    afterDataUri: null,
    points: new Uint8Array(0),
    palette: [],
    previewError: null,
  };

  try {
    const webp = await sharp()(source, sharpOptions)
      .rotate()
      .resize({ width: thumbWidth, withoutEnlargement: true })
      .webp({ quality })
      .toBuffer();
    sample.beforeDataUri = `data:image/webp;base64,${webp.toString('base64')}`;
  } catch (err) {
    problems.push(`source thumbnail: ${message(err)}`);
  }

  try {
    sample.points = await samplePixels(source, sharpOptions, pointCount, seed);
  } catch (err) {
    problems.push(`source pixels: ${message(err)}`);
  }

  if (output && output.length > 0) {
    try {
      sample.palette = await paletteOf(output, sharpOptions);
      const resized = sharp()(output, sharpOptions).resize({
        width: thumbWidth,
        withoutEnlargement: true,
        kernel: 'nearest',
      });
      const png =
        sample.palette.length > 0
          ? resized.png({
              palette: true,
              colours: Math.max(2, sample.palette.length / 3),
              dither: 0,
            })
          : resized.png();
      const buf = await png.toBuffer();
      sample.afterDataUri = `data:image/png;base64,${buf.toString('base64')}`;
    } catch (err) {
      problems.push(`output thumbnail: ${message(err)}`);
    }
  }

  sample.previewError = problems.length > 0 ? problems.join('; ') : null;
  return sample;
}

async function samplePixels(
  source: Buffer,
  sharpOptions: SharpOptions,
  count: number,
  seed: number,
): Promise<Uint8Array> {
  if (count === 0) return new Uint8Array(0);
  const { data, info } = await sharp()(source, sharpOptions)
    .rotate()
    .resize({
      width: SAMPLE_SIDE,
      height: SAMPLE_SIDE,
      fit: 'inside',
      withoutEnlargement: true,
      kernel: 'nearest',
    })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  const channels = info.channels;
  const n = Math.min(count, pixels);
  const out = new Uint8Array(n * 3);
  const random = seededRandom(seed);
  for (let i = 0; i < n; i++) {
    // With n == pixels, take every pixel once; else sample with replacement.
    const p = n === pixels ? i : Math.floor(random() * pixels);
    const o = p * channels;
    const r = data[o] ?? 0;
    out[i * 3] = r;
    out[i * 3 + 1] = channels >= 3 ? (data[o + 1] ?? 0) : r;
    out[i * 3 + 2] = channels >= 3 ? (data[o + 2] ?? 0) : r;
  }
  return out;
}

async function paletteOf(output: Buffer, sharpOptions: SharpOptions): Promise<number[]> {
  const plte = readPngPalette(output);
  if (plte) return plte;
  const { data, info } = await sharp()(output, sharpOptions)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const seen = new Set<number>();
  for (let o = 0; o < data.length; o += info.channels) {
    const r = data[o] ?? 0;
    const g = info.channels >= 3 ? (data[o + 1] ?? 0) : r;
    const b = info.channels >= 3 ? (data[o + 2] ?? 0) : r;
    seen.add((r << 16) | (g << 8) | b);
    if (seen.size > 256) return [];
  }
  return [...seen].sort((a, b) => a - b).flatMap((c) => [(c >> 16) & 255, (c >> 8) & 255, c & 255]);
}
