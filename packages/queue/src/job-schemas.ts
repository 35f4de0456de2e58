import { IMAGE_OPTIONS_PARTIAL_SHAPE, ImageOptionsSchema } from '@kpress/config';
import {
  type ImageOptions,
  IMAGE_OPTION_NAMES,
  pickImageOptions,
  resolveImageOptions,
  type StoredImageOptions,
} from '@kpress/core';
import { z } from 'zod';
import { BATCH_ID_PATTERN } from './job-ids.js';

/** BullMQ job names. */
export const JOB_NAMES = {
  compress: 'compress',
  /** Checks the batch is drained and its round current, then queues one part per key range. */
  finalize: 'finalize',
  /** One key range of the manifest (the worker's finalize/part.ts). */
  finalizePart: 'finalize-part',
  /** Joins the parts into the manifests and summary, or queues the missing sources again. */
  finalizeAssemble: 'finalize-assemble',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

const batchId = z
  .string()
  .regex(BATCH_ID_PATTERN, 'expected 1-64 letters, digits, ".", "_" or "-"');
/** `s3://bucket/` or `s3://bucket/prefix/` (a normalised location, no credentials). */
const s3Prefix = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(?:.*\/)?$/s, 'expected s3://bucket/prefix/');

/** One image to compress. */
export const CompressJobSchema = z
  .object({
    batchId,
    /** Source location `s3://bucket/prefix/`. */
    source: s3Prefix,
    /** Destination location `s3://bucket/prefix/`. */
    dest: s3Prefix,
    /** Full source key (in the source bucket, starts with the source prefix). */
    key: z.string().min(1),
    /** Object size in bytes as listed. */
    size: z.number().int().min(0),
    /** The batch's image options, whole, as batch.json holds them. */
    options: ImageOptionsSchema.optional(),
    /**
     * Jobs queued before the options travelled whole carry them flat, beside
     * the key (`colors`, `seed`, ...): still read, never together with `options`.
     */
    ...IMAGE_OPTIONS_PARTIAL_SHAPE,
  })
  .superRefine((job, ctx) => {
    const flat = IMAGE_OPTION_NAMES.filter(
      (n) => (job as Record<string, unknown>)[n] !== undefined,
    );
    if (job.options !== undefined && flat.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [flat[0] as string],
        message:
          'the options are in `options`: a job carries them there or flat (jobs of older kpress), not both',
      });
    } else if (job.options === undefined) {
      for (const name of ['colors', 'seed'] as const) {
        if (job[name] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['options'],
            message: `expected the batch's image options ({ colors, seed, ... }), got none (no ${name})`,
          });
          return;
        }
      }
    }
  });

/**
 * Compress job data as queued: the options whole in `options` or, in jobs of
 * older kpress, flat beside the key (read by {@link compressJobOptions}).
 */
export type CompressJob = {
  batchId: string;
  source: string;
  dest: string;
  key: string;
  size: number;
  options?: StoredImageOptions;
} & Partial<StoredImageOptions>;

/** A compress job's image options with every default filled in, whichever form it carries them in. */
export function compressJobOptions(
  job: Pick<CompressJob, 'options'> & Partial<StoredImageOptions>,
): ImageOptions {
  return resolveImageOptions(job.options ?? pickImageOptions(job));
}

/** Whether the job carries image options at all (a finalize job, checked against batch.json too, does not). */
export function carriesImageOptions(job: object): boolean {
  const j = job as Record<string, unknown>;
  return j.options !== undefined || IMAGE_OPTION_NAMES.some((n) => j[n] !== undefined);
}

const round = z.number().int().min(0);

/** Finish a batch: merge records with the source listing, write manifest and report. */
export const FinalizeJobSchema = z.object({
  batchId,
  source: s3Prefix,
  dest: s3Prefix,
  /**
   * The finalize round this job was scheduled for; a job whose round is not
   * the batch's current one does nothing. Absent (jobs queued before rounds
   * travelled with the job): the current round.
   */
  round: round.optional(),
});
export type FinalizeJob = z.infer<typeof FinalizeJobSchema>;

/**
 * Part `index` of a finalize round. `parts`, `after`, `upTo` and `keyList` say
 * what the finalize saw when it queued the part (for logs and `kpress status`);
 * the part reads its range from listing.json, never from them.
 */
export const FinalizePartJobSchema = z.object({
  batchId,
  source: s3Prefix,
  dest: s3Prefix,
  round,
  /** 0-based; part 0 carries the CSV header. */
  index: z.number().int().min(0),
  /** Parts in the round. */
  parts: z.number().int().min(1),
  after: z.string().min(1).nullable(),
  upTo: z.string().min(1).nullable(),
  /** The batch is a key list: merge against `<batch>/keys/part-<index>.jsonl`, not a listing. */
  keyList: z.boolean().optional(),
});
export type FinalizePartJob = z.infer<typeof FinalizePartJobSchema>;

/**
 * Join a round's parts (or queue their missing sources again). The assemble
 * derives the parts from listing.json; `parts`, set by older versions, is ignored.
 */
export const FinalizeAssembleJobSchema = z.object({
  batchId,
  source: s3Prefix,
  dest: s3Prefix,
  round,
  parts: z.number().int().min(1).optional(),
});
export type FinalizeAssembleJob = z.infer<typeof FinalizeAssembleJobSchema>;

/** Data of any kpress job. */
export type KpressJobData = CompressJob | FinalizeJob | FinalizePartJob | FinalizeAssembleJob;

function parseWith<T>(schema: z.ZodType<T>, what: string, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') || '(data)';
    throw new TypeError(`invalid ${what} job: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

/** Validates compress job data; throws a TypeError naming the bad field. */
export function parseCompressJob(data: unknown): CompressJob {
  return parseWith(CompressJobSchema, 'compress', data) as CompressJob;
}

/** Validates finalize job data; throws a TypeError naming the bad field. */
export function parseFinalizeJob(data: unknown): FinalizeJob {
  return parseWith(FinalizeJobSchema, 'finalize', data);
}

/** Validates finalize-part job data; throws a TypeError naming the bad field. */
export function parseFinalizePartJob(data: unknown): FinalizePartJob {
  return parseWith(FinalizePartJobSchema, 'finalize-part', data);
}

/** Validates finalize-assemble job data; throws a TypeError naming the bad field. */
export function parseFinalizeAssembleJob(data: unknown): FinalizeAssembleJob {
  return parseWith(FinalizeAssembleJobSchema, 'finalize-assemble', data);
}
