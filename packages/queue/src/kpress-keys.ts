/**
 * Every Redis key kpress itself writes (BullMQ names its own, `bull:<queue>:*`),
 * in one place, as BullMQ keeps its own in queue-keys.ts. All of them sit under
 * `kpress:<queue>:` so that separate deployments (KPRESS_QUEUE) never share
 * state, and each lives KPRESS_KEY_TTL_SECONDS after its last change.
 */
import { FINALIZE_KEYS } from './finalize/transitions.js';

/** Seconds a kpress key lives after its last write or refresh: 7 days. */
export const KPRESS_KEY_TTL_SECONDS = 7 * 24 * 3600;

/** The parts of a batch's state, each a key `kpress:<queue>:batch:<batch-id>:<part>`. */
export type BatchKeyPart =
  /** Set: the batch's compress job ids not yet settled (BatchTracker). */
  | 'pending'
  /** "1" once the whole listing is queued (BatchTracker). */
  | 'listed'
  /** The current finalize round (BatchTracker). */
  | 'round'
  /** `<round>:<stage>` of the finalize (BatchTracker, finalize/transitions.ts). */
  | 'stage'
  /** Set: the parts of the current finalize round not yet done (BatchTracker). */
  | 'parts'
  /** When the batch was cancelled, ms since the epoch (BatchTracker). */
  | 'cancelled'
  /** "1" once enqueue has queued the whole listing; its absence while unfinished: Redis lost the batch (BatchMarker). */
  | 'enqueued';

/** The kpress keys of one queue (KPRESS_QUEUE). */
export interface KpressKeys {
  /** `kpress:<queue>:batch:<batch-id>:<part>` */
  batch(batchId: string, part: BatchKeyPart): string;
  /** `kpress:<queue>:batches`: the registry of batches under way (hash: batch id -> JSON). */
  readonly batches: string;
  /** The KEYS of every finalize transition script, in the order the scripts read them (FINALIZE_KEYS). */
  finalize(batchId: string): string[];
}

/** The kpress keys of the queue named `queueName`. */
export function kpressKeys(queueName: string): KpressKeys {
  const base = `kpress:${queueName}:`;
  const batch = (batchId: string, part: BatchKeyPart): string => `${base}batch:${batchId}:${part}`;
  return {
    batch,
    batches: `${base}batches`,
    finalize: (batchId) => FINALIZE_KEYS.map((part) => batch(batchId, part)),
  };
}
