export { BoundedHeap } from './bounded-heap.js';
export { CSV_BOM, CSV_COLUMNS, CSV_HEADER, rowToCsvLine } from './csv.js';
export {
  type BinSpec,
  COLOR_BINS,
  FixedHistogram,
  type HistogramBin,
  PSNR_BINS,
  SAVED_RATIO_BINS,
} from './histogram.js';
export { keyHash } from './key-hash.js';
export {
  isLosslessDeepRow,
  MANIFEST_FIELDS,
  type ManifestRow,
  ManifestRowError,
  ManifestRowSchema,
  PSNR_INFINITY,
  PsnrSchema,
  parseRow,
  psnrToWire,
  ROW_STATUSES,
  type RowStatus,
  RowStatusSchema,
  rowToJsonLine,
  validateRow,
  wireValue,
} from './row.js';
export {
  type FailureEntry,
  type ReportAggregate,
  type SamplePoint,
  type SavingEntry,
  type Summary,
  SummaryBuilder,
  type SummaryBuilderOptions,
  type SummaryMeta,
  type SummaryState,
  type WorstEntry,
  SummarySchema,
} from './summary-builder.js';
export {
  SCORE_BANDS,
  SCORE_BINS,
  type ScoreDistribution,
  ScoreDistributionSchema,
  ScoreHistogram,
  type ScoreHistogramState,
} from './score-distribution.js';
export { spreadsheetCell, visibleText } from './visible-text.js';
export { checksumLine, rowChecksumLine } from './checksum-file.js';
