/**
 * A small animated PNG (APNG, the W3C PNG 3rd edition animation chunks) built
 * from scratch, as browsers and Pillow write them: `acTL` before the first
 * `IDAT`, one `fcTL` per frame, the first frame in `IDAT`, the rest in `fdAT`.
 * sharp decodes only the default image of such a file.
 */
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk as chunk } from '@kpress/png';

function frameControl(seq: number, width: number, height: number): Buffer {
  const d = Buffer.alloc(26);
  d.writeUInt32BE(seq, 0);
  d.writeUInt32BE(width, 4);
  d.writeUInt32BE(height, 8);
  d.writeUInt16BE(1, 20); // delay 1/10 s
  d.writeUInt16BE(10, 22);
  return d;
}

/** Options of {@link makeApng}. */
export interface ApngOptions {
  /** Frames, each one flat RGB colour. Default 4 (red, green, blue, white). */
  colours?: Array<[number, number, number]>;
  /** Width and height. Default 32. */
  size?: number;
}

/** An RGB APNG of `colours.length` frames, each one flat colour. */
export function makeApng(options: ApngOptions = {}): Buffer {
  const colours = options.colours ?? [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 255],
  ];
  const size = options.size ?? 32;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(colours.length, 0);
  const frameData = ([r, g, b]: [number, number, number]) => {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) row.set([r, g, b], 1 + x * 3);
    return deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  };
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('acTL', actl)];
  let seq = 0;
  for (const [i, colour] of colours.entries()) {
    parts.push(chunk('fcTL', frameControl(seq++, size, size)));
    const data = frameData(colour);
    if (i === 0) {
      parts.push(chunk('IDAT', data));
    } else {
      const s = Buffer.alloc(4);
      s.writeUInt32BE(seq++, 0);
      parts.push(chunk('fdAT', Buffer.concat([s, data])));
    }
  }
  parts.push(chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}
