import { zlibCompress } from '@kpress/deflate';
import { PNG_SIGNATURE, pngChunk } from '@kpress/png';
import { effortPlan } from './effort.js';
import { luminanceOrder, reorderPalette } from './palette-order.js';

/** What the encoder needs from a quantization result. */
export interface PaletteImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per entry; entries with alpha < 255 come first. */
  palette: Uint8Array;
  /** Number of palette entries used, 1..256. */
  colors: number;
  /** Write a tRNS chunk (only when some entry is not opaque). */
  hasAlpha: boolean;
  /** One palette index per pixel, row-major. */
  indices: Uint8Array;
}

export interface EncodePngOptions {
  /**
   * Encoding effort 1 (fastest) .. 5 (smallest), see effort.ts. It changes
   * the bytes, never the pixels. Default 3 (libdeflate level 10).
   */
  effort?: number;
  /**
   * Text chunks written before the image data: `tEXt` for Latin-1 keywords
   * with Latin-1 text (such as `Software`), `iTXt` (UTF-8, uncompressed)
   * otherwise. Keywords are 1-79 printable Latin-1 characters. Default none.
   */
  text?: ReadonlyArray<{ keyword: string; text: string }>;
  /**
   * Say the pixels are sRGB with an `sRGB` chunk (rendering intent perceptual),
   * so that viewers do not guess. Default false.
   */
  srgb?: boolean;
  /** EXIF as a TIFF structure: an `eXIf` chunk. Default none. */
  exif?: Uint8Array;
  /** An XMP packet: the `iTXt` chunk `XML:com.adobe.xmp`. Default none. */
  xmp?: Uint8Array;
}

/** Whether PNG allows `keyword` for a text chunk: 1-79 printable Latin-1 characters, no leading, trailing or double spaces. */
export function isPngKeyword(keyword: string): boolean {
  return /^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) && !/^ | $| {2}/.test(keyword);
}

/** A `tEXt` chunk when keyword and text are Latin-1, else an uncompressed `iTXt` (UTF-8). */
export function textChunk(keyword: string, text: string, international = false): Buffer {
  if (!isPngKeyword(keyword)) {
    throw new RangeError(
      `PNG text keyword must be 1-79 printable Latin-1 characters without leading, trailing or double spaces, got ${JSON.stringify(keyword)}`,
    );
  }
  const key = Buffer.from(keyword, 'latin1');
  // tEXt allows a newline but no other control character
  if (!international && /^[\n\x20-\x7e\xa1-\xff]*$/.test(text)) {
    return pngChunk('tEXt', Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]));
  }
  // keyword, 0, compression flag 0, method 0, language "" 0, translated keyword "" 0, UTF-8 text
  const head = Buffer.from([0, 0, 0, 0, 0]);
  return pngChunk('iTXt', Buffer.concat([key, head, Buffer.from(text, 'utf8')]));
}

/** Smallest PNG bit depth (1, 2, 4 or 8) whose range holds `colors` indices. */
export function bitDepthFor(colors: number): 1 | 2 | 4 | 8 {
  if (colors <= 2) return 1;
  if (colors <= 4) return 2;
  if (colors <= 16) return 4;
  return 8;
}

function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

function validate(q: PaletteImage): void {
  checkInt('width', q.width, 1, 0x7fffffff);
  checkInt('height', q.height, 1, 0x7fffffff);
  checkInt('colors', q.colors, 1, 256);
  if (q.palette.length < q.colors * 4) {
    throw new RangeError(
      `palette holds ${q.palette.length / 4} RGBA entries, fewer than colors ${q.colors}`,
    );
  }
  if (q.indices.length !== q.width * q.height) {
    throw new RangeError(
      `indices has ${q.indices.length} entries, expected width x height = ${q.width * q.height}`,
    );
  }
  for (let i = 0; i < q.indices.length; i++) {
    if ((q.indices[i] as number) >= q.colors) {
      throw new RangeError(
        `indices[${i}] is ${q.indices[i]}, outside the palette of ${q.colors} colours`,
      );
    }
  }
}

/** Packs one row of indices at `depth` bits into `out` (MSB first, as PNG wants). */
function packRow(
  indices: Uint8Array,
  start: number,
  width: number,
  depth: number,
  out: Uint8Array,
  at: number,
): void {
  if (depth === 8) {
    out.set(indices.subarray(start, start + width), at);
    return;
  }
  const perByte = 8 / depth;
  const bytes = Math.ceil(width / perByte);
  for (let b = 0; b < bytes; b++) {
    let v = 0;
    for (let k = 0; k < perByte; k++) {
      const x = b * perByte + k;
      const idx = x < width ? (indices[start + x] as number) : 0;
      v |= idx << (8 - depth * (k + 1));
    }
    out[at + b] = v;
  }
}

/**
 * Builds the scanlines: filter type 0 (None) on every row, then the packed row.
 * None is what oxipng picks for indexed images too; the per-row adaptive
 * filter measured larger on palette images and was removed (see README).
 */
function scanlines(indices: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const stride = Math.ceil((width * depth) / 8);
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++)
    packRow(indices, y * width, width, depth, raw, y * (stride + 1) + 1);
  return raw;
}

/** One way of writing the image: palette order, bit depth and the IDAT it gives. */
interface Encoding {
  q: PaletteImage;
  depth: number;
  idat: Buffer;
}

function encodeOne(q: PaletteImage, depth: number, level: number): Encoding {
  return { q, depth, idat: zlibCompress(scanlines(q.indices, q.width, q.height, depth), level) };
}

/**
 * The IDAT of `q` at `effort`: one encoding, or (effort 5) the smallest of
 * the packed and 8-bit depths, each with the palette as given and in
 * luminance order. Synchronous: the deflate runs on the calling thread.
 */
function smallestEncoding(q: PaletteImage, effort: number | undefined): Encoding {
  const plan = effortPlan(effort);
  const packed = bitDepthFor(q.colors);
  let best = encodeOne(q, packed, plan.level);
  if (!plan.search) return best;
  const orders = [q, reorderPalette(q, luminanceOrder(q))];
  for (const candidate of orders) {
    for (const depth of packed === 8 ? [8] : [packed, 8]) {
      if (candidate === q && depth === packed) continue;
      const e = encodeOne(candidate, depth, plan.level);
      if (e.idat.length < best.idat.length) best = e;
    }
  }
  return best;
}

/**
 * Writes an indexed-colour (type 3) PNG holding exactly `q.palette`'s first
 * `q.colors` entries and `q.indices`: no second quantization, no dithering.
 * Bit depth is the smallest of 1/2/4/8 that holds `colors` (effort 5 may
 * choose 8, or a reordered palette, where that deflates smaller: the pixels
 * are the same); tRNS is written only when `hasAlpha`, up to the last
 * non-opaque entry. The deflate is libdeflate's (zlib where the addon cannot
 * load), synchronous on the calling thread.
 */
export async function encodePalettePng(
  image: PaletteImage,
  options: EncodePngOptions = {},
): Promise<Buffer> {
  validate(image);
  const { q, depth, idat } = smallestEncoding(image, options.effort);

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(q.width, 0);
  ihdr.writeUInt32BE(q.height, 4);
  ihdr[8] = depth;
  ihdr[9] = 3; // colour type: indexed
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // filter method 0 (the only one PNG defines)
  ihdr[12] = 0; // no interlace

  const plte = new Uint8Array(q.colors * 3);
  let lastTransparent = -1;
  for (let i = 0; i < q.colors; i++) {
    plte[i * 3] = q.palette[i * 4] as number;
    plte[i * 3 + 1] = q.palette[i * 4 + 1] as number;
    plte[i * 3 + 2] = q.palette[i * 4 + 2] as number;
    if ((q.palette[i * 4 + 3] as number) < 255) lastTransparent = i;
  }
  const parts: Buffer[] = [PNG_SIGNATURE, pngChunk('IHDR', ihdr)];
  if (options.srgb === true) parts.push(pngChunk('sRGB', Uint8Array.of(0)));
  parts.push(pngChunk('PLTE', plte));
  if (q.hasAlpha && lastTransparent >= 0) {
    const trns = new Uint8Array(lastTransparent + 1);
    for (let i = 0; i <= lastTransparent; i++) trns[i] = q.palette[i * 4 + 3] as number;
    parts.push(pngChunk('tRNS', trns));
  }
  for (const t of options.text ?? []) parts.push(textChunk(t.keyword, t.text));
  if (options.xmp !== undefined) {
    parts.push(textChunk('XML:com.adobe.xmp', Buffer.from(options.xmp).toString('utf8'), true));
  }
  if (options.exif !== undefined) parts.push(pngChunk('eXIf', options.exif));
  parts.push(pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}
