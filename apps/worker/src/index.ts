export { type FinalizeContext, type FinalizeResult, finalizeBatch } from './finalize.js';
export { roundJobId, scheduleFinalize } from './shared/finalize-schedule.js';
export {
  type Effect,
  type Outcome,
  decideOutcome,
  failedOutcome,
  type SourceRef,
  tooLargeReason,
} from './outcome.js';
export { CompressPool, type CompressPoolOptions } from './pool.js';
export {
  type ProcessorContext,
  type ProcessResult,
  processCompressJob,
  type StageTimings,
} from './processor.js';
export { readRecord, recordKeyOf, writeRecord } from './record.js';
export {
  BatchFileSchema,
  type BatchFile,
  ListingFileSchema,
  type ListingFile,
  parseBatchFile,
} from './shared/batch-file.js';
export { BatchTracker } from './shared/batch-tracker.js';
export { enqueueSources } from './shared/enqueue-sources.js';
export { compareKeys } from './shared/key-order.js';
export { listSources, sourcesWithRecords } from './shared/pending-sources.js';
export { mergeSorted } from './shared/sorted-merge.js';
export { closeOnSignals } from './signals.js';
export { KpressWorker, type KpressWorkerOptions } from './worker.js';
