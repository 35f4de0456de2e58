export {
  type CompressOptions,
  type CompressResult,
  compressImage,
  PROVENANCE_KEYWORD,
} from './compress.js';
export {
  type CandidateScorer,
  candidateScorer,
  type PaletteCandidate,
  paletteScore,
  roundScore,
} from './perceptual-score.js';
export { DEFAULT_MAX_PIXELS, type DecodedImage, type DecodeOptions, decode } from './decode.js';
export { CodecError, type CodecErrorCode, isKeepOriginal } from './errors.js';
export {
  bitDepthFor,
  type EncodePngOptions,
  encodePalettePng,
  type PaletteImage,
} from './png.js';
export { EFFORT_PLANS, type EffortPlan, effortPlan } from './effort.js';
export { type DeflateBackend, deflateBackend } from '@kpress/deflate';
export { ALLOWED_FORMATS, type AllowedFormat, isDicom, mediaTypeOf, sniffFormat } from './sniff.js';
export { type PngHeader, readPngHeader } from './png-header.js';
export {
  exifOrientation,
  type SourceMetadata,
  sourceMetadata,
  withOrientationOne,
} from './source-metadata.js';
export { depthOf, type SourceDepth, sourceBitDepth } from './bit-depth.js';
export { inspectSource, type InspectedSource } from './decode.js';
export {
  decodeFullDepth,
  type FullDepthImage,
  type FullDepthOptions,
  firstDifference,
  NoLosslessFormError,
} from './full-depth.js';
export { type FilterStrategy, filterScanlines16 } from './png-filter.js';
export {
  COLOUR_TYPE_16,
  type EncodePng16Options,
  encodePng16,
  type Png16Image,
  pngColourChunks,
} from './png16.js';
export { type Lossless16Options, type Lossless16Result, reencodeLossless16 } from './lossless16.js';
export { palettePsnrAgainstFullDepth, pixelsPsnrAgainstFullDepth } from './depth-psnr.js';
export { sharp } from './sharp.js';
