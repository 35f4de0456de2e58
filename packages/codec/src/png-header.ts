/**
 * What a PNG's first chunks say, read without decoding any pixel: pure and
 * bounded (stops at the first IDAT). For checking an archive's outputs.
 */

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

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The header of `bytes`, or a reason why it is not a readable PNG. */
export function readPngHeader(bytes: Uint8Array): PngHeader | { problem: string } {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
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
  let at = 33;
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const t = type(at + 4);
    if (t === 'PLTE') header.paletteEntries = Math.floor(length / 3);
    if (t === 'IDAT' || t === 'IEND') return header;
    at += 12 + length;
  }
  return { problem: 'truncated PNG (no image data)' };
}
