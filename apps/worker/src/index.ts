export { type FinalizeContext, type FinalizeResult, finalizeBatch } from './finalize/finalize.js';
export {
  type ProcessorContext,
  type ProcessResult,
  processCompressJob,
  type StageTimings,
} from './compress/processor.js';
export { readRecord, recordKeyOf, writeRecord } from './record.js';
export { closeOnSignals } from './signals.js';
export { KpressWorker, type KpressWorkerOptions } from './worker.js';
export { registerWorkerCommand } from './command.js';
