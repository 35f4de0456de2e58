export { Backpressure, type BackpressureOptions } from './backpressure.js';
export { listingKey, openBatchFile, writeListingFile } from './batch.js';
export { BatchMarker, MARKER_TTL_SECONDS } from './batch-marker.js';
export {
  type EnqueueOptions,
  type EnqueueProgress,
  type EnqueueResult,
  enqueue,
} from './enqueue.js';
export { type ListingCounts, sourcesToEnqueue } from './lister.js';
export { checkSource, connectRedis } from './preflight.js';
export { createProgressView, type ProgressViewOptions } from './progress-view.js';
export { REPORT_FORMATS, type ReportFormat, type ReportOptions, writeReport } from './report.js';
export { rerunCommand, type WaitOptions, type WaitProgress, waitForBatch } from './wait.js';
export { connectWatchedRedis, type WatchedRedis } from './watched-redis.js';
export { checkOutput, type Problem, problemLine } from './verify/output-check.js';
export { type VerifyOptions, type VerifyResult, verifyBatch } from './verify/verify-batch.js';
export {
  ARCHIVED_TAG,
  type RowCheck,
  SourceTagger,
  type TagCounts,
  type TagVerdict,
  tagCountsLine,
  tagVerdict,
} from './verify/tag-sources.js';
export { decodeListedKey, type KeyList, type KeyListInput, readKeyList } from './key-list.js';
export {
  type BatchState,
  type BatchStatus,
  batchStatus,
  type StatusContext,
} from './batch-status.js';
export { type CancelResult, cancelBatch } from './cancel-batch.js';
export { type DestBatch, listDestBatches, resolveBatchId } from './batch-list.js';
export { batchesLines, formatDuration, statusLines } from './status-view.js';
