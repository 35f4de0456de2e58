/**
 * PNG chunks (PNG 3rd edition, section 5.3): each is a 4-byte big-endian data
 * length, a 4-byte type, the data and a CRC-32 of type and data. The one
 * writer and the one reader of kpress; pure, no I/O.
 */
import { crc32 } from './crc32.js';

/** The 8 bytes every PNG starts with. */
export const PNG_SIGNATURE: Buffer = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether `bytes` starts with the PNG signature. */
export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** One PNG chunk: length, type, data and the CRC-32 of type and data (crc32.ts, the one CRC). */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An IHDR chunk: `width` x `height`, its bit depth and colour type; deflate, filter method 0, no interlace. */
export function ihdrChunk(
  width: number,
  height: number,
  bitDepth: number,
  colourType: number,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  return pngChunk('IHDR', ihdr);
}

/** A chunk as `pngChunks` reads it. */
export interface PngChunkView {
  /** Offset of its length field in the bytes read. */
  at: number;
  /** The data length its length field declares. */
  length: number;
  /** Its four-letter type (latin1). */
  type: string;
  /** Its data: shorter than `length` when the bytes end first. */
  data: Uint8Array;
  /** Whether its data and CRC lie wholly within the bytes (the CRC is not checked). */
  whole: boolean;
}

/**
 * The chunks of `png` from offset `from` (default 8: just after the
 * signature), in order, while a chunk's length and type fit in the bytes; the
 * last may be cut short (`whole` false). Checks neither the signature nor the
 * CRCs: the caller says what a cut or a wrong chunk means to it.
 */
export function* pngChunks(png: Uint8Array, from = 8): Generator<PngChunkView> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let at = from; at + 8 <= png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(
      png[at + 4] as number,
      png[at + 5] as number,
      png[at + 6] as number,
      png[at + 7] as number,
    );
    const data = png.subarray(at + 8, at + 8 + length);
    yield { at, length, type, data, whole: at + 12 + length <= png.length };
    at += 12 + length;
  }
}
