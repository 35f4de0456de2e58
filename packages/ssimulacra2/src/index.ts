export { prepareOriginal, PreparedOriginal, ssimulacra2 } from './score.js';
export { MIN_DIMENSION, type ScoreImage } from './types.js';
