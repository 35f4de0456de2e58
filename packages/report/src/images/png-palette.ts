import { hasPngSignature, pngChunks } from '@kpress/png';

/**
 * The RGB triples of a PNG's PLTE chunk, or null when the buffer is not a
 * PNG or has no PLTE (truecolour/greyscale). Stops at IDAT: PLTE comes first.
 */
export function readPngPalette(png: Uint8Array): number[] | null {
  if (!hasPngSignature(png)) return null;
  for (const { length, type, data } of pngChunks(png)) {
    if (data.length < length) return null;
    if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 768) return null;
      return Array.from(data);
    }
    if (type === 'IDAT' || type === 'IEND') return null;
  }
  return null;
}
