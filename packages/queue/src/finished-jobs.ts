/**
 * Which of many job ids are over, in one Redis round trip per chunk.
 *
 * "Over" is what BullMQ's `getJobState` reports as `completed`, `failed` or
 * `unknown` (no such job): the id is in the queue's completed or failed
 * sorted set, or the job's hash is gone (removed on completion/failure, or
 * lost with Redis). `getJobState` answers one id per call and, for a job that
 * is still waiting, scans the wait list (LPOS, O(waiting)); after a listing of
 * 100,000 jobs that was up to 100,000 round trips each scanning a long list.
 * Here each id costs two ZSCOREs and one EXISTS, pipelined.
 *
 * One difference: a job whose hash exists but that sits in no list at all
 * (`unknown` for getJobState; only seen when Redis lost part of its data)
 * counts as not over here, so it stays pending until a rerun re-queues it.
 */
import type { Redis } from '@kpress/config';

/** The part of a BullMQ Queue used here: `queue.toKey` (`bull:<name>:<type>`). */
export interface QueueKeys {
  toKey(type: string): string;
}

/** Ids per pipeline in {@link jobsOver}. */
export const JOBS_OVER_CHUNK = 1000;

/**
 * For each id (same order): true when the job is completed, failed or gone.
 * `redis` must reach the queue's Redis (any connection to it will do).
 */
export async function jobsOver(
  redis: Redis,
  queue: QueueKeys,
  jobIds: readonly string[],
): Promise<boolean[]> {
  const out: boolean[] = [];
  const completedKey = queue.toKey('completed');
  const failedKey = queue.toKey('failed');
  for (let i = 0; i < jobIds.length; i += JOBS_OVER_CHUNK) {
    const chunk = jobIds.slice(i, i + JOBS_OVER_CHUNK);
    const p = redis.pipeline();
    for (const id of chunk) {
      p.zscore(completedKey, id);
      p.zscore(failedKey, id);
      p.exists(queue.toKey(id));
    }
    const replies = (await p.exec()) ?? [];
    for (let j = 0; j < chunk.length; j++) {
      const [completed, failed, exists] = replies.slice(3 * j, 3 * j + 3);
      for (const r of [completed, failed, exists]) {
        if (r?.[0]) throw new Error(`jobsOver: Redis refused a command: ${r[0].message}`);
      }
      out.push(completed?.[1] != null || failed?.[1] != null || Number(exists?.[1]) === 0);
    }
  }
  return out;
}
