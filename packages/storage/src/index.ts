export {
  batchFileKeys,
  batchPrefix,
  clashMessage,
  clashPartnerKey,
  isPngName,
  isSourceKey,
  KPRESS_DIR,
  keptKeyFor,
  keyTooLongReason,
  outputKeyFor,
  recordKeyFor,
  recordsPrefix,
  relativeKey,
  relFromRecordKey,
  S3_MAX_KEY_BYTES,
  unwritableReason,
} from './layout.js';
export { createS3Client, type S3ClientOptions } from './s3-client.js';
export {
  bucketNameProblem,
  formatS3Url,
  normalisePrefix,
  parseS3Url,
  prefixesOverlap,
  unsafeSegmentProblem,
  type S3Location,
} from './s3-url.js';
export {
  type AddTagResult,
  type ObjectTag,
  planTagAdd,
  S3_MAX_TAG_KEY,
  S3_MAX_TAG_VALUE,
  S3_MAX_TAGS,
  type TagPlan,
  tagProblem,
} from './object-tags.js';
export {
  type AddTagOptions,
  copySource,
  type GetOptions,
  type ListCursor,
  type ListOptions,
  type ListPage,
  type ObjectBody,
  type ObjectEntry,
  type ObjectInfo,
  type ObjectStream,
  type PageOptions,
  type PutOptions,
  Storage,
  type StorageOptions,
} from './storage.js';
export {
  StorageError,
  type StorageErrorCode,
  toStorageError,
  undefinedIfAbsent,
} from './storage-error.js';
export {
  type BatchFile,
  BatchFileSchema,
  type BatchOptions,
  BatchOptionsSchema,
  batchOptionFlags,
  describeBatch,
  keyListFlags,
  sameBatchOptions,
  type ListingFile,
  ListingFileSchema,
  parseBatchFile,
} from './batch-file.js';
export { compareKeys } from './key-order.js';
export {
  type BatchEntry,
  type BatchListingOptions,
  type BatchLocation,
  batchEntries,
  batchLocation,
  listSources,
  type SourceState,
  sourcesWithRecords,
} from './pending-sources.js';
export { type MergeStep, mergeSorted } from './sorted-merge.js';
export {
  type ConcatOptions,
  type ConcatResult,
  type ConcatSource,
  concatObjects,
  MIN_PART_BYTES,
} from './concat-objects.js';
export {
  batchEntriesInRange,
  finalizePartKeys,
  finalizeWorkPrefix,
  type KeyRange,
  keyListPartKey,
  rangesFrom,
  readKeyListPart,
} from './finalize-range.js';
export { type FanOutOptions, listObjectsFanOut } from './fan-out-listing.js';
export { copyObjectWhole, type WholeCopy, type WholeCopyResult } from './copy-object.js';
export { digestObject, type ObjectDigest } from './object-digest.js';
