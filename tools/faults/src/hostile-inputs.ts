import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk } from '@kpress/png';
import { samplePath } from '@kpress/testkit';
import sharp from 'sharp';

/** What must become of an input. */
export interface Expected {
  status: 'compressed' | 'kept-original' | 'copied' | 'failed';
  /** Matches the row's `error` (the reason a person reads). */
  reason?: RegExp;
  /** Width x height in the row (after EXIF orientation). */
  size?: [number, number];
}

/** One hostile or awkward input: name under the source prefix, bytes, expected outcome. */
export interface HostileInput {
  name: string;
  body: Buffer;
  expected: Expected;
  /** What it is, for the outcome table. */
  what: string;
}

function png(width: number, height: number, depth: number, colourType: number, idat: Buffer) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colourType;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A valid 1-bit grey PNG of `side` x `side` black pixels: tiny on disk, huge decoded. */
export function pixelBombPng(side = 30_000): Buffer {
  const row = 1 + Math.ceil(side / 8);
  return png(side, side, 1, 0, deflateSync(Buffer.alloc(row * side), { level: 9 }));
}

/** A PNG header claiming 100,000 x 100,000 RGB pixels, with a token IDAT. */
export function hugeHeaderPng(): Buffer {
  return png(100_000, 100_000, 8, 2, deflateSync(Buffer.alloc(1)));
}

/** An 8x8 16-bit RGB PNG (a gradient). */
export function png16(): Buffer {
  // 32 x 32: large enough that the palette PNG, provenance chunks included, is smaller
  const w = 32;
  const rows = Buffer.alloc((1 + w * 6) * w);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (1 + w * 6) + 1 + x * 6;
      rows.writeUInt16BE(x * 2000 + ((x * 7919 + y * 104729) % 997), o);
      rows.writeUInt16BE(y * 2000, o + 2);
      rows.writeUInt16BE(30000, o + 4);
    }
  }
  return png(w, w, 16, 2, deflateSync(rows));
}

function badCrcPng(): Buffer {
  const body = Buffer.from(readFileSync(samplePath('chelsea.png')));
  const at = body.indexOf('IDAT', 8, 'latin1');
  body[at + 4 + 100] = (body[at + 4 + 100] as number) ^ 0xff;
  return body;
}

/** A 96x64 gradient, as a raw RGB sharp input. */
function gradient(w = 96, h = 64) {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0, o = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o += 3) {
      data[o] = (x * 255) / w;
      data[o + 1] = (y * 255) / h;
      data[o + 2] = 128;
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } });
}

async function frames(): Promise<Buffer[]> {
  return [
    await gradient(32, 32).png().toBuffer(),
    await gradient(32, 32).negate().png().toBuffer(),
  ];
}

async function alphaPng(channels: 2 | 4): Promise<Buffer> {
  const w = 64;
  const data = Buffer.alloc(w * w * channels);
  for (let i = 0; i < w * w; i++) {
    const o = i * channels;
    data[o] = i % 251;
    if (channels === 4) {
      data[o + 1] = (i * 3) % 256;
      data[o + 2] = 90;
    }
    data[o + channels - 1] = i % w < w / 2 ? 255 : 0;
  }
  return sharp(data, { raw: { width: w, height: w, channels } })
    .png()
    .toBuffer();
}

/** A deep relative path of `levels` segments of `segment` characters, then `x.jpg`. */
export function deepName(levels: number, segment: number): string {
  return `${Array.from({ length: levels }, (_, i) => String(i).padStart(segment, 'd')).join('/')}/x.jpg`;
}

/** Every hostile or awkward input of the end-to-end test, with its documented outcome. */
export async function hostileInputs(): Promise<HostileInput[]> {
  const coffee = readFileSync(samplePath('coffee.jpg'));
  const chelsea = readFileSync(samplePath('chelsea.png'));
  const g = (await frames()) as [Buffer, Buffer];
  const photo = await sharp(coffee).resize(120).jpeg({ quality: 90 }).toBuffer();
  const failed = (reason: RegExp): Expected => ({ status: 'failed', reason });
  // issue 26: what kpress cannot or should not compress is copied byte for byte (these were failed rows)
  const copied = (reason: RegExp): Expected => ({ status: 'copied', reason });
  const kept = (reason: RegExp): Expected => ({ status: 'kept-original', reason });
  const ok: Expected = { status: 'compressed' };
  return [
    {
      name: 'empty.jpg',
      what: 'zero-byte object',
      body: Buffer.alloc(0),
      expected: copied(/empty input/),
    },
    {
      name: 'notes.jpg',
      what: 'text under an image name',
      body: Buffer.from('just some text\n'),
      expected: copied(/not an image/),
    },
    {
      name: 'page.png',
      what: 'HTML under an image name',
      body: Buffer.from('<!doctype html><html><body>hi</body></html>'),
      expected: copied(/not an image/),
    },
    {
      name: 'truncated.jpg',
      what: 'truncated JPEG',
      body: readFileSync(samplePath('broken-truncated.jpg')),
      expected: copied(/truncated or corrupt JPEG/),
    },
    {
      name: 'truncated.png',
      what: 'truncated PNG (first half)',
      body: chelsea.subarray(0, chelsea.length >> 1),
      expected: copied(/truncated or corrupt PNG/),
    },
    {
      name: 'bad-crc.png',
      what: 'PNG with a bad CRC',
      body: badCrcPng(),
      expected: copied(/truncated or corrupt PNG/),
    },
    {
      name: 'huge-header.png',
      what: 'PNG header claiming 100,000 x 100,000',
      body: hugeHeaderPng(),
      expected: copied(/too many pixels: 100000x100000/),
    },
    {
      name: 'bomb.png',
      what: 'pixel bomb: valid 30,000 x 30,000 PNG, ~110 KB',
      body: pixelBombPng(),
      expected: copied(/too many pixels: 30000x30000/),
    },
    {
      name: 'drawing.svg',
      what: 'SVG',
      body: Buffer.from(
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
      ),
      expected: copied(/unsupported format SVG/),
    },
    {
      name: 'doc.pdf',
      what: 'PDF',
      body: Buffer.from('%PDF-1.4\n%%EOF\n'),
      expected: copied(/unsupported format PDF/),
    },
    {
      name: 'anim.gif',
      what: 'animated GIF (2 frames)',
      body: await sharp(g, { join: { animated: true } })
        .gif()
        .toBuffer(),
      expected: kept(/animated GIF with 2 frames/),
    },
    {
      name: 'anim.webp',
      what: 'animated WebP (2 frames)',
      body: await sharp(g, { join: { animated: true } })
        .webp()
        .toBuffer(),
      expected: kept(/animated WebP with 2 frames/),
    },
    {
      name: 'pages.tiff',
      what: 'multi-page TIFF (2 pages)',
      body: await sharp(g, { join: { animated: true } })
        .tiff()
        .toBuffer(),
      expected: kept(/multi-page TIFF with 2 pages/),
    },
    {
      name: 'deep16.png',
      what: '16-bit PNG',
      body: png16(),
      expected: { status: 'compressed', size: [32, 32] },
    },
    {
      name: 'cmyk.jpg',
      what: 'CMYK JPEG',
      body: await gradient().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(),
      expected: { status: 'compressed', size: [96, 64] },
    },
    {
      name: 'grey.png',
      what: 'grey PNG',
      body: await gradient().greyscale().png().toBuffer(),
      expected: { status: 'compressed', size: [96, 64] },
    },
    {
      name: 'grey-alpha.png',
      what: 'grey + alpha PNG',
      body: await alphaPng(2),
      expected: { status: 'compressed', size: [64, 64] },
    },
    {
      name: 'rgba.png',
      what: 'RGBA PNG with real transparency',
      body: await alphaPng(4),
      expected: { status: 'compressed', size: [64, 64] },
    },
    {
      name: 'orient6.jpg',
      what: 'EXIF orientation 6, stored 96x64',
      body: await gradient().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer(),
      expected: { status: 'compressed', size: [64, 96] },
    },
    {
      name: 'orient8.jpg',
      what: 'EXIF orientation 8, stored 96x64',
      body: await gradient().jpeg({ quality: 95 }).withMetadata({ orientation: 8 }).toBuffer(),
      expected: { status: 'compressed', size: [64, 96] },
    },
    { name: 'with space/a b.jpg', what: 'key with spaces', body: photo, expected: ok },
    { name: 'accénts/café ü.jpg', what: 'key with accents', body: photo, expected: ok },
    { name: 'a+b.jpg', what: 'key with +', body: photo, expected: ok },
    { name: '100%.jpg', what: 'key with %', body: photo, expected: ok },
    {
      name: deepName(60, 14),
      what: 'key 60 levels deep (~908 bytes; record key ~930)',
      body: photo,
      expected: ok,
    },
    {
      name: deepName(67, 14),
      what: 'key 67 levels deep (~1,013 bytes): record key over 1,024 bytes',
      body: photo,
      expected: failed(/key too long: .*1024-byte limit/),
    },
    {
      name: 'big.jpg',
      what: 'object over KPRESS_MAX_BYTES (test: 300,000)',
      body: Buffer.concat([coffee, Buffer.alloc(300_000)]),
      expected: copied(/larger than the 300000-byte limit/),
    },
  ];
}

/**
 * Keys with empty, `.` and `..` segments, for a store that keeps them literal,
 * as S3 and Ceph RGW do (s3rver's filesystem store cannot hold them). Each is
 * a failed row and nothing is written for it: a store or proxy on the way
 * could map it to another key.
 */
export function dotSegmentInputs(photo: Buffer): HostileInput[] {
  // some S3-compatible stores and proxies normalise these: kpress writes nothing for them
  return ['dots/./x.jpg', 'dots/a/../y.jpg', 'dots/../../z.jpg', 'dots//w.jpg'].map((name) => ({
    name,
    what: `key with an empty, "." or ".." segment (${name})`,
    body: photo,
    expected: { status: 'failed', reason: /^unsafe path: the name under the source prefix has / },
  }));
}
