import type { Logger } from '@kpress/config';
import type { BatchTracker, KpressQueue } from '@kpress/queue';
import type { Storage } from '@kpress/storage';

/** What the finalize jobs (finalize, finalize-part, finalize-assemble) need from their worker. */
export interface FinalizeContext {
  storage: Storage;
  queue: KpressQueue;
  tracker: BatchTracker;
  logger: Logger;
  /** Record GETs in flight per part. Default 64 (PART_READ_CONCURRENCY). */
  readConcurrency?: number;
  /** Finalize rounds that re-queue missing sources before they are failed. Default 3. */
  maxRounds?: number;
  /** Images shown in detail in report.html. Default 12. */
  reportSamples?: number;
  /** Worst-scored images shown as crops in report.html (KPRESS_REPORT_WORST). Default 12. */
  reportWorst?: number;
  /** Largest source and image the report's crops and samples fetch and decode (samples: 64 MiB at most). Default: 256 MiB, 100 MP. */
  reportLimits?: { maxBytes: number; maxPixels: number };
  /** Smallest multipart part but the last when joining (tests). Default 5 MiB. */
  minPartBytes?: number;
  /** Largest part copied server-side when joining (tests). Default 5 GiB, S3's limit. */
  maxPartBytes?: number;
  /** Jobs a re-queue keeps waiting at most (KPRESS_MAX_WAITING); default: no limit. */
  maxWaiting?: number;
}
