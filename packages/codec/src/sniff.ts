/**
 * Format detection from magic bytes, done before any bytes reach a decoder, so
 * that formats an archive must not parse on untrusted input (SVG, PDF,
 * PostScript, anything that would go through ImageMagick) are refused without
 * ever being opened.
 */

/** Formats kpress decodes, named as sharp's `metadata().format` names them. */
export const ALLOWED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'jp2k'] as const;
export type AllowedFormat = (typeof ALLOWED_FORMATS)[number];

export type Sniffed =
  | { kind: 'allowed'; format: AllowedFormat }
  | { kind: 'refused'; name: string }
  | { kind: 'unknown' };

const HEIF_BRANDS = new Set([
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'mif1',
  'msf1',
  'avif',
  'avis',
]);

function startsWith(buf: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString(
    'latin1',
    start,
    Math.min(end, buf.length),
  );
}

/**
 * A DICOM Part 10 file: `DICM` at byte 128, after the 128-byte preamble.
 * Checked before any other signature: the preamble may hold a TIFF header
 * (a dual-personality DICOM/TIFF file), and a DICOM object must never be
 * decoded as the image its preamble pretends to be, only copied.
 */
export function isDicom(buf: Uint8Array): boolean {
  return startsWith(buf, [0x44, 0x49, 0x43, 0x4d], 128);
}

/** Identifies the container format from the first bytes of `buf`. */
export function sniffFormat(buf: Uint8Array): Sniffed {
  if (isDicom(buf)) return { kind: 'refused', name: 'DICOM (DICM signature at byte 128)' };
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { kind: 'allowed', format: 'jpeg' };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { kind: 'allowed', format: 'png' };
  }
  const head = ascii(buf, 0, 12);
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) {
    return { kind: 'allowed', format: 'gif' };
  }
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') {
    return { kind: 'allowed', format: 'webp' };
  }
  if (
    startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(buf, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(buf, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { kind: 'allowed', format: 'tiff' };
  }
  if (head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12);
    if (HEIF_BRANDS.has(brand)) return { kind: 'allowed', format: 'heif' };
    return { kind: 'refused', name: `ISO media (brand "${brand.replace(/[^\x20-\x7e]/g, '?')}")` };
  }
  if (
    startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) ||
    startsWith(buf, [0xff, 0x4f, 0xff, 0x51])
  ) {
    return { kind: 'allowed', format: 'jp2k' };
  }
  if (head.startsWith('%PDF')) return { kind: 'refused', name: 'PDF' };
  if (head.startsWith('%!PS') || startsWith(buf, [0xc5, 0xd0, 0xd3, 0xc6])) {
    return { kind: 'refused', name: 'PostScript' };
  }
  if (head.startsWith('8BPS')) return { kind: 'refused', name: 'Photoshop PSD' };
  if (head.startsWith('BM')) return { kind: 'refused', name: 'BMP' };
  if (startsWith(buf, [0x00, 0x00, 0x01, 0x00])) return { kind: 'refused', name: 'ICO' };
  if (startsWith(buf, [0xff, 0x0a]) || ascii(buf, 4, 8) === 'JXL ') {
    return { kind: 'refused', name: 'JPEG XL' };
  }
  const text = ascii(buf, 0, 4096)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (/^<(\?xml|!doctype svg|svg)/i.test(text) && /<svg[\s>]/i.test(text)) {
    return { kind: 'refused', name: 'SVG' };
  }
  return { kind: 'unknown' };
}

/** A short human name for a sharp format id, for messages. */
export function formatLabel(format: string): string {
  switch (format) {
    case 'jpeg':
      return 'JPEG';
    case 'png':
      return 'PNG';
    case 'webp':
      return 'WebP';
    case 'gif':
      return 'GIF';
    case 'tiff':
      return 'TIFF';
    case 'heif':
      return 'HEIF/AVIF';
    case 'jp2k':
      return 'JPEG 2000';
    default:
      return format.toUpperCase();
  }
}

const MEDIA_TYPES: Record<AllowedFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/heif',
  jp2k: 'image/jp2',
};

/** The media type of an image (or a DICOM file) by its signature (`application/octet-stream` when not allowed). */
export function mediaTypeOf(buf: Uint8Array): string {
  if (isDicom(buf)) return 'application/dicom';
  const sniffed = sniffFormat(buf);
  return sniffed.kind === 'allowed' ? MEDIA_TYPES[sniffed.format] : 'application/octet-stream';
}
