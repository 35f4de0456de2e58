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
  type EncodePngOptions,
  encodePalettePng,
  type PaletteImage,
  pngChunk,
} from './png.js';
export { EFFORT_PLANS, type EffortPlan, effortPlan } from './effort.js';
export { type DeflateBackend, deflateBackend } from '@kpress/deflate';
export { ALLOWED_FORMATS, type AllowedFormat, mediaTypeOf, sniffFormat } from './sniff.js';
export { type PngHeader, readPngHeader } from './png-header.js';
export {
  exifOrientation,
  type SourceMetadata,
  sourceMetadata,
  withOrientationOne,
} from './source-metadata.js';
