export {
  createQueue,
  type CreateQueueOptions,
  DEFAULT_JOB_OPTIONS,
  type KpressQueue,
  PENDING_STATES,
  queueConnection,
  queueDepth,
} from './create-queue.js';
export {
  assembleJobId,
  BATCH_ID_PATTERN,
  finalizeJobId,
  finalizePartJobId,
  jobIdFor,
  KEY_HASH_HEX_LENGTH,
  newBatchId,
  validateBatchId,
} from './job-ids.js';
export {
  carriesImageOptions,
  type CompressJob,
  compressJobOptions,
  CompressJobSchema,
  type FinalizeAssembleJob,
  FinalizeAssembleJobSchema,
  type FinalizeJob,
  FinalizeJobSchema,
  type FinalizePartJob,
  FinalizePartJobSchema,
  JOB_NAMES,
  type JobName,
  type KpressJobData,
  parseCompressJob,
  parseFinalizeAssembleJob,
  parseFinalizeJob,
  parseFinalizePartJob,
} from './job-schemas.js';
export {
  BatchTracker,
  type FinalizeStage,
  type FinalizeState,
  type RegisteredBatch,
  TRACKER_TTL_SECONDS,
} from './batch-tracker.js';
export { FinalizeWatchdog, type FinalizeWatchdogOptions } from './finalize/watchdog.js';
export {
  type EnqueueSourcesOptions,
  enqueueSources,
  type JobTemplate,
  type SourceObject,
} from './enqueue-sources.js';
export {
  FINALIZE_BACKOFF,
  FINALIZE_JOB_OPTIONS,
  finalizeBackoffMs,
  roundJobId,
  scheduleAssemble,
  scheduleFinalize,
  scheduleParts,
} from './finalize/schedule.js';
export { JOBS_OVER_CHUNK, jobsOver, type QueueKeys } from './finished-jobs.js';
export { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
export { CUT_MESSAGE, type CuttableClient, cutRedis } from './cut-redis.js';
export {
  isConnectionError,
  OUTAGE_LINES,
  type OutageLines,
  RedisOutage,
  type RedisOutageOptions,
} from './redis-outage.js';
export { type ConnectRedisOptions, connectRedis } from './connect-redis.js';
export {
  type BatchKeyPart,
  KPRESS_KEY_TTL_SECONDS,
  type KpressKeys,
  kpressKeys,
} from './kpress-keys.js';
