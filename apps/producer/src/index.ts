export { Backpressure, type BackpressureOptions } from './enqueue/backpressure.js';
export { listingKey, openBatchFile, writeListingFile } from './enqueue/batch-files.js';
export { BatchMarker, MARKER_TTL_SECONDS } from './wait/batch-marker.js';
export {
  type EnqueueOptions,
  type EnqueueProgress,
  type EnqueueResult,
  enqueue,
} from './enqueue/enqueue.js';
export { type ListingCounts, sourcesToEnqueue } from './enqueue/lister.js';
export { checkSource } from './enqueue/preflight.js';
export { createProgressView, type ProgressViewOptions } from './wait/progress-view.js';
export {
  REPORT_FORMATS,
  type ReportFormat,
  type ReportOptions,
  writeReport,
} from './ops/report.js';
export { rerunCommand, type WaitOptions, type WaitProgress, waitForBatch } from './wait/wait.js';
export {
  connectWatchedRedis,
  WAIT_OUTAGE_LINES,
  type WatchedRedis,
} from './wait/watched-redis.js';
export { checkOutput, type Problem, problemLine } from './verify/output-check.js';
export { type VerifyOptions, type VerifyResult, verifyBatch } from './verify/verify-batch.js';
export {
  decodeListedKey,
  type KeyList,
  type KeyListInput,
  readKeyList,
} from './enqueue/key-list.js';
export {
  ARCHIVED_TAG,
  type RowCheck,
  SourceTagger,
  type TagCounts,
  type TagVerdict,
  tagCountsLine,
  tagVerdict,
} from './verify/tag-sources.js';
export {
  type BatchState,
  type BatchStatus,
  batchStatus,
  type StatusContext,
} from './ops/batch-status.js';
export { type CancelResult, cancelBatch } from './ops/cancel-batch.js';
export { type DestBatch, listDestBatches, resolveBatchId } from './ops/batch-list.js';
export { batchesLines, formatDuration, statusLines } from './ops/status-view.js';
