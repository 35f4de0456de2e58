import type { BatchFile } from '@kpress/storage';
import { describe, expect, it } from 'vitest';
import { jobMismatch, overlapProblem } from './job-check.js';

const batch: BatchFile = {
  version: 1,
  batchId: 'b1',
  source: 's3://src/in/',
  dest: 's3://dst/out/',
  options: { colors: 16, seed: 1 },
  createdAt: '2026-12-02T00:00:00.000Z',
};
const job = {
  batchId: 'b1',
  source: 's3://src/in/',
  dest: 's3://dst/out/',
  key: 'in/a.jpg',
  colors: 16,
  seed: 1,
};

describe('jobMismatch', () => {
  it('accepts the batch own jobs', () => {
    expect(jobMismatch(job, batch)).toBeUndefined();
    expect(
      jobMismatch({ batchId: 'b1', source: job.source, dest: job.dest }, batch),
    ).toBeUndefined();
  });

  it('names what differs', () => {
    expect(jobMismatch({ ...job, dest: 's3://src/in/' }, batch)).toBe(
      'source s3://src/in/ and destination s3://src/in/ overlap: writing there would destroy the originals',
    );
    expect(jobMismatch({ ...job, dest: 's3://dst/other/' }, batch)).toBe(
      "the batch's destination is s3://dst/out/, the job says s3://dst/other/",
    );
    expect(jobMismatch({ ...job, source: 's3://src/x/', key: 'x/a.jpg' }, batch)).toMatch(
      /the batch's source is/,
    );
    expect(jobMismatch({ ...job, key: 'elsewhere/a.jpg' }, batch)).toBe(
      'key "elsewhere/a.jpg" is not under the batch\'s source prefix',
    );
    expect(jobMismatch({ ...job, colors: 2 }, batch)).toBe(
      "the job's options (colors 2, seed 1, quality none, effort 3) are not the batch's (colors 16, seed 1, quality none, effort 3)",
    );
    expect(jobMismatch({ ...job, effort: 5 }, batch)).toBe(
      "the job's options (colors 16, seed 1, quality none, effort 5) are not the batch's (colors 16, seed 1, quality none, effort 3)",
    );
  });

  it('reads the options whole or flat, against an old batch.json (no effort) or a new one', () => {
    const { colors: _c, seed: _s, ...where } = job;
    const nested = { ...where, options: { colors: 16, seed: 1, effort: 3 } };
    // batch.json written before effort existed, a job that carries it whole
    expect(jobMismatch(nested, batch)).toBeUndefined();
    // a new batch.json (every option stored), an old flat job
    const current = { ...batch, options: { colors: 16, seed: 1, effort: 3, dither: true } };
    expect(jobMismatch({ ...job, dither: true }, current)).toBeUndefined();
    expect(jobMismatch(job, current)).toBe(
      "the job's options (colors 16, seed 1, quality none, effort 3) are not the batch's (colors 16, seed 1, quality none, effort 3, dither)",
    );
    expect(jobMismatch({ ...nested, options: { colors: 16, seed: 1, effort: 4 } }, batch)).toMatch(
      /effort 4\) are not the batch's/,
    );
  });

  it('sees overlaps through dot segments', () => {
    expect(overlapProblem('s3://src/in/', 's3://src/in/sub/')).toMatch(/overlap/);
    expect(overlapProblem('s3://src/in/', 's3://dst/in/')).toBeUndefined();
  });
});
