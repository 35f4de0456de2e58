/**
 * Frame counting from the file's own structure, not from the decoder: sharp
 * reads only the default image of an APNG and would flatten it without a word.
 * Pure and bounded: reads chunk and block headers only, never pixel data, and
 * stops at the second frame (one more than a palette PNG can hold).
 */
import type { AllowedFormat } from './sniff.js';

/** What the file says about its frames: at least 1. */
export interface FrameCount {
  /** Frames (or pages) found, counted up to 2 for GIF and TIFF; APNG and WebP say their own. */
  frames: number;
  /** `animated PNG (APNG)`, `animated GIF`, `animated WebP`, `multi-page TIFF`, or the format. */
  what: string;
}

function u32be(b: Uint8Array, at: number): number {
  return (
    ((b[at] ?? 0) * 0x1000000 + ((b[at + 1] ?? 0) << 16)) |
    ((b[at + 2] ?? 0) << 8) |
    (b[at + 3] ?? 0)
  );
}

/** APNG: an `acTL` chunk before the first `IDAT`; its first field is the number of frames. */
export function pngFrames(b: Uint8Array): number {
  let at = 8;
  while (at + 12 <= b.length) {
    const length = u32be(b, at) >>> 0;
    const type = String.fromCharCode(
      b[at + 4] ?? 0,
      b[at + 5] ?? 0,
      b[at + 6] ?? 0,
      b[at + 7] ?? 0,
    );
    if (type === 'IDAT' || type === 'IEND') return 1;
    if (type === 'acTL' && length >= 8 && at + 12 <= b.length)
      return Math.max(1, u32be(b, at + 8) >>> 0);
    at += 12 + length;
  }
  return 1;
}

/** GIF: image descriptors (0x2C) walked block by block, counted up to 2. */
export function gifFrames(b: Uint8Array): number {
  if (b.length < 13) return 1;
  let at = 13;
  const packed = b[10] ?? 0;
  if (packed & 0x80) at += 3 * 2 ** ((packed & 7) + 1);
  let frames = 0;
  const skipSubBlocks = () => {
    while (at < b.length) {
      const size = b[at] ?? 0;
      at += 1;
      if (size === 0) return;
      at += size;
    }
  };
  while (at < b.length && frames < 2) {
    const introducer = b[at];
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      at += 2;
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      frames++;
      const local = b[at + 9] ?? 0;
      at += 10;
      if (local & 0x80) at += 3 * 2 ** ((local & 7) + 1);
      at += 1; // LZW minimum code size
      skipSubBlocks();
    } else {
      break; // not a block: a damaged tail, left to the decoder
    }
  }
  return Math.max(1, frames);
}

/** WebP: the VP8X animation flag, or ANMF chunks. */
export function webpFrames(b: Uint8Array): number {
  let at = 12;
  let frames = 0;
  let animated = false;
  while (at + 8 <= b.length) {
    const type = String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
    const size =
      ((b[at + 4] ?? 0) | ((b[at + 5] ?? 0) << 8) | ((b[at + 6] ?? 0) << 16)) +
      (b[at + 7] ?? 0) * 0x1000000;
    if (type === 'VP8X' && ((b[at + 8] ?? 0) & 0x02) !== 0) animated = true;
    if (type === 'ANMF') frames++;
    at += 8 + size + (size & 1);
  }
  return Math.max(frames, animated ? 2 : 1);
}

/** TIFF and BigTIFF: the chain of image file directories, counted up to 2. */
export function tiffPages(b: Uint8Array): number {
  if (b.length < 8) return 1;
  const little = b[0] === 0x49;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const big = view.getUint16(2, little) === 43;
  const offsetAt = (at: number): number =>
    big ? Number(view.getBigUint64(at, little)) : view.getUint32(at, little);
  let ifd = offsetAt(big ? 8 : 4);
  let pages = 0;
  const seen = new Set<number>();
  while (ifd > 0 && pages < 2 && !seen.has(ifd)) {
    seen.add(ifd);
    const countBytes = big ? 8 : 2;
    if (ifd + countBytes > b.length) break;
    const count = big ? Number(view.getBigUint64(ifd, little)) : view.getUint16(ifd, little);
    pages++;
    const next = ifd + countBytes + count * (big ? 20 : 12);
    if (next + (big ? 8 : 4) > b.length) break;
    ifd = offsetAt(next);
  }
  return Math.max(1, pages);
}

/** Frames the file holds, by its own structure (1 for formats without animation here). */
export function countFrames(b: Uint8Array, format: AllowedFormat): FrameCount {
  switch (format) {
    case 'png':
      return { frames: pngFrames(b), what: 'animated PNG (APNG)' };
    case 'gif':
      return { frames: gifFrames(b), what: 'animated GIF' };
    case 'webp':
      return { frames: webpFrames(b), what: 'animated WebP' };
    case 'tiff':
      return { frames: tiffPages(b), what: 'multi-page TIFF' };
    default:
      return { frames: 1, what: format };
  }
}
