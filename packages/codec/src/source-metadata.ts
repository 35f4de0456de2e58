/**
 * The source's own metadata, carried into the palette PNG (DESIGN invariant
 * 9): EXIF into `eXIf` with the orientation reset to 1 (the pixels are already
 * rotated), XMP into the standard `iTXt` chunk, PNG text chunks as they were.
 * Colour: decode converts the pixels to sRGB through the source's ICC profile
 * (Display P3, Adobe RGB, CMYK, ...), so the output says sRGB (`sRGB` chunk)
 * rather than carrying a profile that no longer describes its pixels.
 * Pure, apart from reading sharp's metadata object.
 */
import type { Metadata } from 'sharp';
import { isPngKeyword } from './png.js';

/** What is kept of a source's metadata. */
export interface SourceMetadata {
  /** EXIF as a TIFF structure (no `Exif\0\0` prefix), orientation 1. */
  exif?: Uint8Array;
  /** The XMP packet. */
  xmp?: Uint8Array;
  /** PNG text chunks of the source (not `Software`, which kpress writes). */
  text: Array<{ keyword: string; text: string }>;
}

/** Keywords kpress writes itself: the source's are left out. */
const OWN_KEYWORDS = new Set(['Software', 'kpress', 'XML:com.adobe.xmp']);

/** The metadata of a decoded source worth keeping. */
export function sourceMetadata(meta: Metadata): SourceMetadata {
  const out: SourceMetadata = { text: [] };
  if (meta.exif !== undefined && meta.exif.length > 14) {
    const tiff =
      meta.exif.subarray(0, 6).toString('latin1') === 'Exif\0\0'
        ? meta.exif.subarray(6)
        : meta.exif;
    out.exif = withOrientationOne(tiff);
  }
  if (meta.xmp !== undefined && meta.xmp.length > 0) out.xmp = meta.xmp;
  for (const c of meta.comments ?? []) {
    if (!OWN_KEYWORDS.has(c.keyword) && isPngKeyword(c.keyword)) out.text.push(c);
  }
  return out;
}

/**
 * Where IFD0's Orientation tag (0x0112, SHORT) keeps its value in a
 * TIFF-structured EXIF block, and the byte order; undefined when there is
 * none or the block is not a readable TIFF.
 */
function orientationSlot(b: Buffer): { at: number; little: boolean } | undefined {
  if (b.length < 8) return undefined;
  const little = b[0] === 0x49 && b[1] === 0x49;
  if (!little && !(b[0] === 0x4d && b[1] === 0x4d)) return undefined;
  const u16 = (at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const ifd = little ? b.readUInt32LE(4) : b.readUInt32BE(4);
  if (ifd + 2 > b.length) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > b.length) break;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3) return { at: entry + 8, little };
  }
  return undefined;
}

/**
 * A copy of a TIFF-structured EXIF block with the Orientation tag (0x0112) of
 * IFD0 set to 1; unchanged when it has none or is not a readable TIFF.
 */
export function withOrientationOne(tiff: Uint8Array): Uint8Array {
  const b = Buffer.from(tiff);
  const slot = orientationSlot(b);
  if (slot?.little === true) b.writeUInt16LE(1, slot.at);
  else if (slot !== undefined) b.writeUInt16BE(1, slot.at);
  return b;
}

/** The Orientation of a TIFF-structured EXIF block (1 when absent). For tests and checks. */
export function exifOrientation(tiff: Uint8Array): number {
  const b = Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const slot = orientationSlot(b);
  if (slot === undefined) return 1;
  return slot.little ? b.readUInt16LE(slot.at) : b.readUInt16BE(slot.at);
}
