/**
 * `kpress verify --deep --tag-sources`: marks each source whose row verified
 * clean with the S3 tag `kpress-archived=<batch-id>`, for a lifecycle rule
 * that transitions or expires the originals. Only ever adds that one tag:
 * never writes or deletes a source's bytes, never removes or changes another
 * tag. `verify-batch.ts` calls `settle` once per manifest row, after that
 * row's checks.
 */
import type { ManifestRow } from '@kpress/manifest';
import { StorageError, type Storage } from '@kpress/storage';
import type { Problem } from './output-check.js';

/** The tag's key; its value is the batch id. */
export const ARCHIVED_TAG = 'kpress-archived';

/** Statuses whose output stands for the source at the destination. */
const ARCHIVED_STATUSES: ReadonlySet<string> = new Set(['compressed', 'kept-original', 'copied']);
/** Statuses whose output is the source's own bytes. */
const BYTE_COPY_STATUSES: ReadonlySet<string> = new Set(['kept-original', 'copied']);

/** What verify found for one row. */
export interface RowCheck {
  /** Problems reported for this row's output or source. */
  problems: number;
  /** The source as the deep check read it; undefined when it was not read (gone, or no output). */
  source?: { sha256: string; etag: string };
}

/** Why a row's source may be tagged, or why not (the reason is a count's name). */
export type TagVerdict = { tag: true; etag: string } | { tag: false; reason: string };

/**
 * Whether a row's source is proven archived. Pure. A row is clean when it
 * has an output that stands for the source (compressed, kept-original,
 * copied; never failed or skipped), verify found no problem with the output
 * (size, sha256, palette PNG, PSNR) or the source, the manifest records the
 * source's sha256, the deep check read the source and its sha256 is that
 * one, and for a byte copy (kept-original, copied) the output's recorded
 * sha256 is the source's too.
 */
export function tagVerdict(row: ManifestRow, check: RowCheck): TagVerdict {
  if (!ARCHIVED_STATUSES.has(row.status)) return { tag: false, reason: `${row.status} row` };
  if (row.outputKey === null) return { tag: false, reason: 'no output' };
  if (check.problems > 0) return { tag: false, reason: 'problems found' };
  if (!row.sha256) return { tag: false, reason: 'no source sha256 in the manifest' };
  if (BYTE_COPY_STATUSES.has(row.status) && row.outputSha256 !== row.sha256) {
    return { tag: false, reason: "copy's sha256 is not the source's" };
  }
  if (check.source === undefined) return { tag: false, reason: 'source gone' };
  if (check.source.sha256 !== row.sha256) return { tag: false, reason: 'source changed' };
  return { tag: true, etag: check.source.etag };
}

/** What `--tag-sources` did, over the whole batch. */
export interface TagCounts {
  /** Sources tagged by this run. */
  tagged: number;
  /** Sources that already carried this batch's tag (no write). */
  alreadyTagged: number;
  /** Sources that carry `kpress-archived` of another batch: kept as it is (the first batch's). */
  taggedByOtherBatch: number;
  /** Sources left untagged, by reason. */
  notTagged: Record<string, number>;
}

/** Options of `SourceTagger`. */
export interface SourceTaggerOptions {
  storage: Storage;
  /** The source bucket (the batch's `batch.json`). */
  bucket: string;
  batchId: string;
  /** Where a source that should have been tagged and could not be is reported. */
  report: (problem: Problem) => void;
}

/** Tags the sources of one batch's clean rows, counting what it did. */
export class SourceTagger {
  readonly counts: TagCounts = {
    tagged: 0,
    alreadyTagged: 0,
    taggedByOtherBatch: 0,
    notTagged: {},
  };

  constructor(private readonly options: SourceTaggerOptions) {}

  /** Tags the row's source when its checks proved it archived; counts why not otherwise. */
  async settle(row: ManifestRow, check: RowCheck): Promise<void> {
    const verdict = tagVerdict(row, check);
    if (!verdict.tag) {
      this.skip(verdict.reason);
      return;
    }
    const { storage, bucket, batchId } = this.options;
    const result = await storage
      .addObjectTag(
        bucket,
        row.key,
        { key: ARCHIVED_TAG, value: batchId },
        { ifMatch: verdict.etag },
      )
      .catch((err: unknown) => {
        throw taggingError(err, bucket);
      });
    switch (result.outcome) {
      case 'added':
        this.counts.tagged++;
        return;
      case 'present':
        this.counts.alreadyTagged++;
        return;
      case 'conflict':
        this.counts.taggedByOtherBatch++;
        return;
      case 'gone':
        this.skip('source gone');
        return;
      case 'full':
        this.skip('at the 10-tag limit');
        this.options.report({
          key: row.key,
          kind: 'not-tagged',
          detail: `the source has ${result.tags} tags, S3's limit: ${ARCHIVED_TAG}=${batchId} not added`,
        });
        return;
      case 'changed':
        this.skip('source changed');
        this.options.report({
          key: row.key,
          kind: 'source-changed',
          detail: `its ETag became ${result.etag} after its sha256 was checked (ETag ${verdict.etag}): not tagged`,
        });
        return;
    }
  }

  private skip(reason: string): void {
    this.counts.notTagged[reason] = (this.counts.notTagged[reason] ?? 0) + 1;
  }
}

/** A tagging request that failed, said so that the user knows what to fix. */
function taggingError(err: unknown, bucket: string): unknown {
  if (!(err instanceof StorageError)) return err;
  if (err.code === 'NotImplemented') {
    return new Error(
      `--tag-sources: the S3 server of bucket "${bucket}" does not implement object tagging (${err.message}); tagging stopped`,
      { cause: err },
    );
  }
  if (err.code === 'AccessDenied') {
    return new Error(
      `--tag-sources: ${err.message}; tagging needs s3:GetObjectTagging and s3:PutObjectTagging on the source bucket "${bucket}" (infra/iam/archivist-policy.json)`,
      { cause: err },
    );
  }
  return err;
}

/** `n tagged, n already tagged, ...` for the summary line. */
export function tagCountsLine(c: TagCounts): string {
  const parts = [`${c.tagged} tagged`, `${c.alreadyTagged} already tagged`];
  if (c.taggedByOtherBatch > 0)
    parts.push(`${c.taggedByOtherBatch} tagged by another batch (kept)`);
  const reasons = Object.entries(c.notTagged);
  const untagged = reasons.reduce((sum, [, n]) => sum + n, 0);
  if (untagged > 0) {
    parts.push(`${untagged} not tagged (${reasons.map(([r, n]) => `${n} ${r}`).join(', ')})`);
  }
  return parts.join(', ');
}
