/**
 * A prefix as real datasets hold them (issue 26): images, 16-bit PNGs (RGB
 * and grey), a PDF, a JSON sidecar, a DICOM file, a truncated JPEG, an
 * animated PNG and an object over a byte limit; what each becomes, and the
 * 16-bit samples to compare.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { makeApng, samplePath } from '@kpress/testkit';
import sharp from 'sharp';

export type Space = 'rgb16' | 'grey16';

/** A 16-bit PNG with real 16-bit levels: the sample resized at 16 bits per channel. */
export async function deepPng(space: Space): Promise<Buffer> {
  const base = await sharp(samplePath('chelsea.png'))
    .removeAlpha()
    .toColourspace(space)
    .png()
    .toBuffer();
  return sharp(base).resize(200).toColourspace(space).png().toBuffer();
}

/** The 16-bit samples of a PNG. */
export function samples16(png: Uint8Array, space: Space): Promise<Buffer> {
  return sharp(png).toColourspace(space).raw({ depth: 'ushort' }).toBuffer();
}

/** A DICOM Part 10 file: a 128-byte preamble, `DICM`, then a few data elements. */
export function dicomFile(): Buffer {
  const element = Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0x14, 0x00]);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM'),
    element,
    Buffer.from('1.2.840.10008.1.2.1\0'),
    randomBytes(2048),
  ]);
}

/** The largest single CopyObject of these tests (KPRESS_COPY_PART_BYTES, 10 MiB; 5 GiB in production). */
export const COPY_PART_BYTES = 10 * 1024 * 1024;

/** The byte limit the workers of these tests run with (KPRESS_MAX_BYTES): every image is under it. */
export const TEST_MAX_BYTES = 1_000_000;

/** What each file is, and the status it gets by default (and with --images-only). */
export const EXPECTED: Record<string, { status: string; imagesOnly: string; reason?: RegExp }> = {
  // a 16-bit source: a lossless 16-bit PNG when smaller, else its original (either keeps every sample)
  'coffee.jpg': { status: 'compressed', imagesOnly: 'compressed' },
  'chelsea.png': { status: 'compressed', imagesOnly: 'compressed' },
  'rgb16.png': { status: 'compressed', imagesOnly: 'compressed' },
  'grey16.png': { status: 'compressed|kept-original', imagesOnly: 'compressed|kept-original' },
  'spin.png': { status: 'kept-original', imagesOnly: 'kept-original', reason: /frames/ },
  'doc.pdf': { status: 'copied', imagesOnly: 'skipped', reason: /^unsupported format PDF/ },
  'meta.json': { status: 'copied', imagesOnly: 'skipped', reason: /^not an image/ },
  'scan.dcm': {
    status: 'copied',
    imagesOnly: 'skipped',
    reason: /DICOM \(DICM signature at byte 128\)/,
  },
  'truncated.jpg': {
    status: 'copied',
    imagesOnly: 'skipped',
    reason: /^truncated or corrupt JPEG/,
  },
  'big.bin': {
    status: 'copied',
    imagesOnly: 'skipped',
    reason: /larger than the 1000000-byte limit .*KPRESS_MAX_BYTES/,
  },
};

/** The files of the prefix, by name. */
export async function mixedPrefix(): Promise<Record<string, Buffer>> {
  return {
    'coffee.jpg': readFileSync(samplePath('coffee.jpg')),
    'chelsea.png': readFileSync(samplePath('chelsea.png')),
    'rgb16.png': await deepPng('rgb16'),
    'grey16.png': await deepPng('grey16'),
    'spin.png': makeApng(),
    'doc.pdf': Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    ),
    'meta.json': Buffer.from(`${JSON.stringify({ labels: ['cat'], annotator: 'lab 3' })}\n`),
    'scan.dcm': dicomFile(),
    'truncated.jpg': readFileSync(samplePath('broken-truncated.jpg')),
    // over the byte limit, and over COPY_PART_BYTES: a multipart copy where the store has UploadPartCopy
    'big.bin': randomBytes(11 * 1024 * 1024 + 17),
  };
}

export const SPACES: Record<string, Space> = { 'rgb16.png': 'rgb16', 'grey16.png': 'grey16' };
