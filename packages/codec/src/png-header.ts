/**
 * What a PNG's first chunks say, read without decoding any pixel: pure and
 * bounded (stops at the first IDAT). For checking an archive's outputs.
 */
import { hasPngSignature, pngChunks } from '@kpress/png';

/** The header facts of a PNG. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 3 is indexed (palette). */
  colorType: number;
  /** Entries in PLTE; 0 when there is none. */
  paletteEntries: number;
}

/** The header of `bytes`, or a reason why it is not a readable PNG. */
export function readPngHeader(bytes: Uint8Array): PngHeader | { problem: string } {
  if (bytes.length < 33 || !hasPngSignature(bytes)) {
    return { problem: 'not a PNG (no PNG signature)' };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (type(12) !== 'IHDR') return { problem: 'not a PNG (no IHDR chunk first)' };
  const header: PngHeader = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24] as number,
    colorType: bytes[25] as number,
    paletteEntries: 0,
  };
  for (const { length, type: t } of pngChunks(bytes, 33)) {
    if (t === 'PLTE') header.paletteEntries = Math.floor(length / 3);
    if (t === 'IDAT' || t === 'IEND') return header;
  }
  return { problem: 'truncated PNG (no image data)' };
}
