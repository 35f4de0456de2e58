import { createHash, randomBytes } from 'node:crypto';

/** Batch ids: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Returns `id` when it is a valid batch id, else throws a RangeError naming it. */
export function validateBatchId(id: string): string {
  if (typeof id !== 'string' || !BATCH_ID_PATTERN.test(id)) {
    throw new RangeError(
      `batch id ${JSON.stringify(id)} is invalid: expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return id;
}

/** Hex characters of the key hash in a job id (96 bits). */
export const KEY_HASH_HEX_LENGTH = 24;

/**
 * The job id of a source key in a batch: `<batchId>.<sha256(key), first 24 hex>`.
 * Deterministic, so enqueuing the same batch again adds no duplicate; never holds
 * ':' and is never all digits (BullMQ rules).
 */
export function jobIdFor(batchId: string, key: string): string {
  validateBatchId(batchId);
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  return `${batchId}.${hash.slice(0, KEY_HASH_HEX_LENGTH)}`;
}

/**
 * The job id of a batch's finalize job: `<batchId>.finalize`, or
 * `<batchId>.finalize.<round>` for a later round (after re-enqueuing sources that had
 * no record). One fixed id per round, so a round's finalize runs once.
 */
export function finalizeJobId(batchId: string, round = 0): string {
  validateBatchId(batchId);
  if (!Number.isInteger(round) || round < 0) {
    throw new RangeError(`finalize round must be a whole number >= 0, got ${round}`);
  }
  return round === 0 ? `${batchId}.finalize` : `${batchId}.finalize.${round}`;
}

/** The job id of part `index` of a finalize round: `<batchId>.fpart.<round>.<index>`. */
export function finalizePartJobId(batchId: string, round: number, index: number): string {
  validateBatchId(batchId);
  return `${batchId}.fpart.${round}.${index}`;
}

/** The job id of a finalize round's assemble step: `<batchId>.assemble.<round>`. */
export function assembleJobId(batchId: string, round: number): string {
  validateBatchId(batchId);
  return `${batchId}.assemble.${round}`;
}

/**
 * A new batch id, sortable by creation time (UTC): `YYYYMMDD-HHMMSS-xxxxxx`
 * with 6 random hex characters, e.g. `20261126-170501-ab12cd`.
 */
export function newBatchId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-26T17:05:01.123Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${randomBytes(3).toString('hex')}`;
}
