export {
  type CompressOptions,
  type CompressResult,
  compressImage,
  PROVENANCE_KEYWORD,
} from './compress.js';
export { crc32 } from './crc32.js';
export { DEFAULT_MAX_PIXELS, type DecodedImage, type DecodeOptions, decode } from './decode.js';
export { CodecError, type CodecErrorCode, isKeepOriginal } from './errors.js';
export {
  bitDepthFor,
  defaultDeflateLevel,
  type EncodePngOptions,
  encodePalettePng,
  type PaletteImage,
  LEVEL9_MAX_PIXELS,
} from './png.js';
export { ALLOWED_FORMATS, type AllowedFormat, mediaTypeOf, sniffFormat } from './sniff.js';
export { type PngHeader, readPngHeader } from './png-header.js';
export {
  exifOrientation,
  type SourceMetadata,
  sourceMetadata,
  withOrientationOne,
} from './source-metadata.js';
