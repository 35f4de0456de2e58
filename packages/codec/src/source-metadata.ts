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

/** What is kept of a source's metadata. */
export interface SourceMetadata {
  /** EXIF as a TIFF structure (no `Exif\0\0` prefix), orientation 1. */
  exif?: Uint8Array;
  /** The XMP packet. */
  xmp?: Uint8Array;
  /** Whether the source carried an ICC profile (its pixels were converted through it). */
  hadProfile: boolean;
  /** PNG text chunks of the source (not `Software`, which kpress writes). */
  text: Array<{ keyword: string; text: string }>;
}

/** What PNG allows as a text keyword: 1-79 printable Latin-1 characters. */
const VALID_KEYWORD = /^[\x20-\x7e\xa1-\xff]{1,79}$/;

/** Keywords kpress writes itself: the source's are left out. */
const OWN_KEYWORDS = new Set(['Software', 'kpress', 'XML:com.adobe.xmp']);

/** The metadata of a decoded source worth keeping. */
export function sourceMetadata(meta: Metadata): SourceMetadata {
  const out: SourceMetadata = { text: [], hadProfile: meta.icc !== undefined };
  if (meta.exif !== undefined && meta.exif.length > 14) {
    const tiff =
      meta.exif.subarray(0, 6).toString('latin1') === 'Exif\0\0'
        ? meta.exif.subarray(6)
        : meta.exif;
    out.exif = withOrientationOne(tiff);
  }
  if (meta.xmp !== undefined && meta.xmp.length > 0) out.xmp = meta.xmp;
  for (const c of meta.comments ?? []) {
    if (
      !OWN_KEYWORDS.has(c.keyword) &&
      VALID_KEYWORD.test(c.keyword) &&
      !/^ | $| {2}/.test(c.keyword)
    )
      out.text.push(c);
  }
  return out;
}

/**
 * A copy of a TIFF-structured EXIF block with the Orientation tag (0x0112) of
 * IFD0 set to 1; unchanged when it has none or is not a readable TIFF.
 */
export function withOrientationOne(tiff: Uint8Array): Uint8Array {
  const b = Buffer.from(tiff);
  if (b.length < 8) return b;
  const little = b[0] === 0x49 && b[1] === 0x49;
  if (!little && !(b[0] === 0x4d && b[1] === 0x4d)) return b;
  const u16 = (at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const ifd = little ? b.readUInt32LE(4) : b.readUInt32BE(4);
  if (ifd + 2 > b.length) return b;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > b.length) break;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3) {
      if (little) b.writeUInt16LE(1, entry + 8);
      else b.writeUInt16BE(1, entry + 8);
    }
  }
  return b;
}

/** The Orientation of a TIFF-structured EXIF block (1 when absent). For tests and checks. */
export function exifOrientation(tiff: Uint8Array): number {
  const b = Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (b.length < 8) return 1;
  const little = b[0] === 0x49;
  const u16 = (at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const ifd = little ? b.readUInt32LE(4) : b.readUInt32BE(4);
  if (ifd + 2 > b.length) return 1;
  for (let i = 0; i < u16(ifd); i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > b.length) break;
    if (u16(entry) === 0x0112) return u16(entry + 8);
  }
  return 1;
}
