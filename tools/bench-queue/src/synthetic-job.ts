import { createHash } from 'node:crypto';

/** The data of one kpress job, as the producer enqueues it. */
export interface SyntheticJobData {
  batchId: string;
  source: string;
  dest: string;
  key: string;
  size: number;
  colors: number;
  seed: number;
}

/** Length of every synthetic source key: a realistic dataset path. */
export const KEY_LENGTH = 60;

/**
 * The `index`-th source key of a synthetic dataset, exactly `KEY_LENGTH`
 * characters, shaped like `datasets/photos-2026/train/c0042/img_00001234.jpg`.
 */
export function syntheticKey(index: number): string {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError(`syntheticKey: index must be a non-negative integer, got ${index}`);
  }
  const cls = `c${String(index % 1000).padStart(4, '0')}`;
  const file = `img_${String(index).padStart(10, '0')}.jpg`;
  const head = `datasets/photos-2026/train/${cls}/`;
  const pad = KEY_LENGTH - head.length - file.length;
  return `${head}${'x'.repeat(Math.max(0, pad))}${file}`.slice(-KEY_LENGTH);
}

/** `<batch>.<24 hex of sha256(key)>`: the id shape the worker contract uses. */
export function syntheticJobId(batchId: string, key: string): string {
  return `${batchId}.${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** One job: `{ name, data, opts.jobId }`, ready for `addBulk`. */
export function syntheticJob(batchId: string, index: number) {
  const key = syntheticKey(index);
  const data: SyntheticJobData = {
    batchId,
    source: 's3://kpress-src/datasets/photos-2026/',
    dest: 's3://kpress-out/archive/photos-2026/',
    key,
    size: 150_000 + ((index * 7919) % 350_000),
    colors: 64,
    seed: 1,
  };
  return { name: 'compress', data, opts: { jobId: syntheticJobId(batchId, key) } };
}
