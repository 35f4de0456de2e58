/**
 * What the worker does when BullMQ fails a job: the policy alone, pure, so
 * that it is read and tested without Redis (as BullMQ keeps its backoffs in
 * backoffs.ts). The worker's `onFailed` carries the action out.
 */
import { JOB_NAMES } from '@kpress/queue';

/** The job names of the finalize steps (they never give up; @kpress/queue's finalize/schedule.ts). */
export const FINALIZE_STEPS: ReadonlySet<string> = new Set([
  JOB_NAMES.finalize,
  JOB_NAMES.finalizePart,
  JOB_NAMES.finalizeAssemble,
]);

/** The facts of a failed job the policy looks at. */
export interface FailedJob {
  /** BullMQ job name. */
  name: string;
  /** Attempts made, this one included. */
  attemptsMade: number;
  /** Attempts allowed (job.opts.attempts; absent: 1). */
  attempts: number | undefined;
}

/** What to do about a failed job. */
export type FailureAction =
  /** A finalize step whose workers died holding it: queue the same step again (each step checks its round). */
  | { kind: 'requeue-finalize-step' }
  /** A finalize step that failed: BullMQ retries it (with finalizeBackoffMs); count and log it. */
  | { kind: 'finalize-retrying' }
  /** A compress job whose workers died holding it twice: write its failed record ("out of memory?"), settle it. */
  | { kind: 'record-deadly-job' }
  /** Refused, a bad input, or not a compress job: log it, nothing more. */
  | { kind: 'log' }
  /** A compress job with attempts left: count a retry. */
  | { kind: 'retry' }
  /** A compress job that used its last attempt on transient errors: count it failed and settle it (no record: the finalize queues it again). */
  | { kind: 'give-up'; attempts: number };

/** BullMQ fails a job whose workers died holding it more than maxStalledCount times, without retries. */
export function isStalledFailure(err: Pick<Error, 'message'>): boolean {
  return /stalled more than allowable limit/.test(err.message);
}

/** The action for a failed job and its error (BullMQ names an UnrecoverableError so). */
export function failureAction(job: FailedJob, err: Pick<Error, 'name' | 'message'>): FailureAction {
  const stalled = isStalledFailure(err);
  const unrecoverable = err.name === 'UnrecoverableError';
  if (FINALIZE_STEPS.has(job.name)) {
    if (stalled) return { kind: 'requeue-finalize-step' };
    if (!unrecoverable) return { kind: 'finalize-retrying' };
    return { kind: 'log' };
  }
  // (BullMQ fails a stalled job as an UnrecoverableError)
  if (stalled && job.name === JOB_NAMES.compress) return { kind: 'record-deadly-job' };
  if (unrecoverable || job.name !== JOB_NAMES.compress) return { kind: 'log' };
  const attempts = job.attempts ?? 1;
  if (job.attemptsMade < attempts) return { kind: 'retry' };
  return { kind: 'give-up', attempts };
}
