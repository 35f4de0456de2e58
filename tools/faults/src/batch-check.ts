import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type ManifestRow, parseRow } from '@kpress/manifest';
import { type BatchLocation, batchFileKeys, isSourceKey } from '@kpress/storage';
import sharp from 'sharp';

/** Where a batch lives (@kpress/storage's, the one declaration). */
export type { BatchLocation };

/** What `checkBatch` found; a healthy batch has every list empty and `lost`/`duplicates` 0. */
export interface BatchCheck {
  /** Source objects under the prefix. */
  objects: number;
  /** Rows in manifest.jsonl. */
  rows: number;
  /** Rows beyond the first for a source key. */
  duplicates: number;
  /** Source objects without a row. */
  lost: number;
  /** Rows whose key is not a source object. */
  extra: string[];
  /** Failed rows: key and reason. */
  failed: { key: string; error: string }[];
  /** Outputs that are missing, of the wrong length, not a PNG, or not the original. */
  badOutputs: string[];
  /** Output keys outside the destination prefix or inside its `_kpress/` folder. */
  outsideDest: string[];
  /** summary.json counts.total (undefined when there is no summary). */
  summaryTotal: number | undefined;
  /** The rows, by key (first row of each). */
  byKey: Map<string, ManifestRow>;
}

export async function getBytes(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(
    await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** Every key under a prefix (fine for test-sized listings). */
export async function listKeys(client: S3Client, bucket: string, prefix: string) {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Checks a finished batch against the invariants: one row per source object,
 * nothing lost, every output present with the recorded byte length, compressed
 * outputs decode as PNGs of the recorded size, kept originals equal their source
 * byte for byte, and every output key under the destination prefix.
 * Use a client that talks to S3 directly (not through a fault proxy).
 */
export async function checkBatch(client: S3Client, loc: BatchLocation): Promise<BatchCheck> {
  const sources = (await listKeys(client, loc.sourceBucket, loc.sourcePrefix)).filter((k) =>
    isSourceKey(k, loc.sourcePrefix),
  );
  const files = batchFileKeys(loc.destPrefix, loc.batchId);
  const text = (await getBytes(client, loc.destBucket, files.manifestJsonl)).toString('utf8');
  const rows = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseRow);
  const byKey = new Map<string, ManifestRow>();
  let duplicates = 0;
  for (const r of rows) {
    if (byKey.has(r.key)) duplicates++;
    else byKey.set(r.key, r);
  }
  const sourceSet = new Set(sources);
  const lost = sources.filter((k) => !byKey.has(k)).length;
  const extra = [...byKey.keys()].filter((k) => !sourceSet.has(k));
  const failed: BatchCheck['failed'] = [];
  const badOutputs: string[] = [];
  const outsideDest: string[] = [];
  for (const r of byKey.values()) {
    if (r.status === 'failed') {
      failed.push({ key: r.key, error: r.error ?? '' });
      if (r.outputKey !== null) badOutputs.push(`${r.key}: failed row with an output key`);
      continue;
    }
    const outKey = r.outputKey;
    if (outKey === null) {
      badOutputs.push(`${r.key}: ${r.status} row without output key`);
      continue;
    }
    if (!outKey.startsWith(loc.destPrefix) || outKey.startsWith(`${loc.destPrefix}_kpress/`)) {
      outsideDest.push(outKey);
      continue;
    }
    let out: Buffer;
    try {
      out = await getBytes(client, loc.destBucket, outKey);
    } catch (err) {
      badOutputs.push(`${r.key}: output ${outKey} unreadable: ${(err as Error).name}`);
      continue;
    }
    if (out.byteLength !== r.outputBytes) {
      badOutputs.push(`${r.key}: output is ${out.byteLength} bytes, row says ${r.outputBytes}`);
      continue;
    }
    if (r.status === 'kept-original' || r.status === 'copied') {
      const src = await getBytes(client, loc.sourceBucket, r.key);
      if (!src.equals(out)) badOutputs.push(`${r.key}: ${r.status} output differs from the source`);
    } else {
      try {
        const meta = await sharp(out, { failOn: 'error' }).metadata();
        await sharp(out, { failOn: 'error' }).raw().toBuffer();
        if (meta.format !== 'png' || meta.width !== r.width || meta.height !== r.height) {
          badOutputs.push(
            `${r.key}: output is ${meta.format} ${meta.width}x${meta.height}, row says png ${r.width}x${r.height}`,
          );
        }
      } catch (err) {
        badOutputs.push(`${r.key}: output does not decode: ${(err as Error).message}`);
      }
    }
  }
  let summaryTotal: number | undefined;
  try {
    const summary = JSON.parse((await getBytes(client, loc.destBucket, files.summary)).toString());
    summaryTotal = summary?.counts?.total;
  } catch {
    summaryTotal = undefined;
  }
  return {
    objects: sources.length,
    rows: rows.length,
    duplicates,
    lost,
    extra,
    failed,
    badOutputs,
    outsideDest,
    summaryTotal,
    byKey,
  };
}

/** Polls until `key` exists (the batch's summary.json), or throws after `timeoutMs`. */
export async function waitForObject(
  client: S3Client,
  bucket: string,
  key: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await getBytes(client, bucket, key);
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`s3://${bucket}/${key} did not appear within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
