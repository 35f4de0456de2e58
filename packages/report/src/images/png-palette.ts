const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The RGB triples of a PNG's PLTE chunk, or null when the buffer is not a
 * PNG or has no PLTE (truecolour/greyscale). Stops at IDAT: PLTE comes first.
 */
export function readPngPalette(png: Uint8Array): number[] | null {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) return null;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  while (offset + 8 <= png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(
      png[offset + 4] ?? 0,
      png[offset + 5] ?? 0,
      png[offset + 6] ?? 0,
      png[offset + 7] ?? 0,
    );
    const start = offset + 8;
    if (start + length > png.length) return null;
    if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 768) return null;
      return Array.from(png.subarray(start, start + length));
    }
    if (type === 'IDAT' || type === 'IEND') return null;
    offset = start + length + 4; // data + CRC
  }
  return null;
}
