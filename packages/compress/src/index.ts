export {
  copyOrSkip,
  decideOutcome,
  type Effect,
  failedOutcome,
  type Outcome,
  type SourceRef,
  tooLargeReason,
} from './outcome.js';
export { compressIfDeep, keptDeepReason } from './deep.js';
export { CompressPool, type CompressPoolOptions } from './pool.js';
export type {
  CompressTask,
  CompressTaskOk,
  CompressTaskRefused,
  CompressTaskResult,
} from './task-types.js';
export { pngIsSmaller, qualityMet } from './verdict.js';
