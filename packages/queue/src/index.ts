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
  BATCH_ID_PATTERN,
  finalizeJobId,
  jobIdFor,
  KEY_HASH_HEX_LENGTH,
  newBatchId,
  validateBatchId,
} from './job-ids.js';
export {
  type CompressJob,
  CompressJobSchema,
  type FinalizeJob,
  FinalizeJobSchema,
  JOB_NAMES,
  type JobName,
  type KpressJobData,
  parseCompressJob,
  parseFinalizeJob,
} from './job-schemas.js';
export { BatchTracker, TRACKER_TTL_SECONDS } from './batch-tracker.js';
export {
  type EnqueueSourcesOptions,
  enqueueSources,
  type JobTemplate,
  type SourceObject,
} from './enqueue-sources.js';
export { roundJobId, scheduleFinalize } from './finalize-schedule.js';
export { JOBS_OVER_CHUNK, jobsOver, type QueueKeys } from './finished-jobs.js';
export { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
