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
export { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
