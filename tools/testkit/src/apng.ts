/**
 * A small animated PNG (APNG, the W3C PNG 3rd edition animation chunks) built
 * from scratch, as browsers and Pillow write them: `acTL` before the first
 * `IDAT`, one `fcTL` per frame, the first frame in `IDAT`, the rest in `fdAT`.
 * sharp decodes only the default image of such a file.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, tail]);
}

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
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('acTL', actl),
  ];
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
