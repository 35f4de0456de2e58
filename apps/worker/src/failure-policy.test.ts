import { JOB_NAMES } from '@kpress/queue';
import { describe, expect, it } from 'vitest';
import { failureAction } from './failure-policy.js';

const stalled = { name: 'UnrecoverableError', message: 'job stalled more than allowable limit' };
const transient = { name: 'Error', message: 'connect ECONNREFUSED' };
const refused = { name: 'UnrecoverableError', message: 'job refused: no batch.json' };
const compress = (attemptsMade: number, attempts?: number) => ({
  name: JOB_NAMES.compress,
  attemptsMade,
  attempts,
});

describe('failureAction', () => {
  it('queues a finalize step lost with its workers again, and lets a failed one retry', () => {
    for (const name of [JOB_NAMES.finalize, JOB_NAMES.finalizePart, JOB_NAMES.finalizeAssemble]) {
      const job = { name, attemptsMade: 3, attempts: 1 };
      expect(failureAction(job, stalled)).toEqual({ kind: 'requeue-finalize-step' });
      expect(failureAction(job, transient)).toEqual({ kind: 'finalize-retrying' });
      expect(failureAction(job, refused)).toEqual({ kind: 'log' });
    }
  });

  it('records a compress job that killed its workers, whatever its attempts', () => {
    expect(failureAction(compress(1, 5), stalled)).toEqual({ kind: 'record-deadly-job' });
  });

  it('logs a refused or bad compress job, and any job of another name', () => {
    expect(failureAction(compress(1, 5), refused)).toEqual({ kind: 'log' });
    expect(failureAction({ name: 'other', attemptsMade: 1, attempts: 5 }, transient)).toEqual({
      kind: 'log',
    });
  });

  it('retries a compress job with attempts left, then gives up', () => {
    expect(failureAction(compress(2, 3), transient)).toEqual({ kind: 'retry' });
    expect(failureAction(compress(3, 3), transient)).toEqual({ kind: 'give-up', attempts: 3 });
    // no attempts set: BullMQ's one
    expect(failureAction(compress(1), transient)).toEqual({ kind: 'give-up', attempts: 1 });
  });
});
