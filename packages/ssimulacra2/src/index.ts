export { prepareOriginal, PreparedOriginal, ssimulacra2 } from './score.js';
export {
  type AnyScoreImage,
  MIN_DIMENSION,
  type PaletteScoreImage,
  type ScoreImage,
} from './types.js';
export { type KernelBackend, kernelBackend } from './native.js';
