export { mse, mseForPsnr, paletteMse, psnr, psnrFromMse, sse } from './metrics.js';
export {
  DEFAULT_COLORS,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_SEED,
  DEFAULT_TOLERANCE,
  resolveOptions,
  validateImage,
} from './options.js';
export { quantize } from './quantize.js';
export { remapToPixels } from './remap.js';
export type { ColourDistance, PixelImage, QuantizeOptions, QuantizeResult } from './types.js';
export { PERCEPTUAL_CHANNEL_SCALE } from './types.js';
export {
  COLORS,
  EFFORT,
  InvalidOptionError,
  integerRule,
  invalidOption,
  OPTION_RULES,
  type OptionRule,
  QUALITY,
  DEFAULT_TARGET,
  TARGET,
  TARGET_LEVELS,
  SEED,
  showValue,
} from './option-rules.js';
export { ditherQuantized } from './dither.js';
export {
  describeImageOptions,
  IMAGE_OPTION_NAMES,
  IMAGE_OPTIONS,
  type ImageOptionSpec,
  type ImageOptions,
  type ImageOptionsInput,
  imageOptionFlags,
  pickImageOptions,
  provenanceFacts,
  resolveImageOptions,
  sameImageOptions,
  type StoredImageOptions,
  storedImageOptions,
  TARGET_COLORS,
} from './image-options.js';
export { mulberry32, mulberry32Uint32 } from './random.js';
export { type CoreKernels, coreKernels, useNativeKernels } from './native.js';
export {
  BRACKET_RATIO,
  GUESS_SLOPE,
  MAX_PROBES,
  AIM_MARGIN,
  PROBE_TOLERANCE,
  nextK,
  type PaletteProbe,
  type PaletteSearchOptions,
  type PaletteSearchResult,
  searchPalette,
} from './palette-search.js';
