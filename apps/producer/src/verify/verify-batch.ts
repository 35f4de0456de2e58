/**
 * `kpress verify`: checks a finished batch's outputs against its manifest,
 * streaming the manifest (bounded memory: a window of reads in flight and
 * at most 16 bytes per output key for the extra-object check, `KeyHashSet`) and recording each run
 * as a fixity event under the batch's `_kpress/` folder.
 */
import { createHash } from 'node:crypto';
import { decode } from '@kpress/codec';
import { type Config, KPRESS_VERSION, loadConfig } from '@kpress/config';
import { type PixelImage, psnr } from '@kpress/core';
import { type ManifestRow, parseRow, rowChecksumLine, SummarySchema } from '@kpress/manifest';
import {
  batchFileKeys,
  batchPrefix,
  KPRESS_DIR,
  parseBatchFile,
  parseS3Url,
  StorageError,
  Storage,
} from '@kpress/storage';
import { parse } from 'csv-parse';
import { KeyHashSet } from './key-set.js';
import { checkOutput, type Problem } from './output-check.js';
import { type RowCheck, SourceTagger, type TagCounts } from './tag-sources.js';

/** Options of {@link verifyBatch}. */
export interface VerifyOptions {
  /** The destination `s3://bucket/prefix/` the batch wrote to. */
  dest: string;
  batchId: string;
  /** Also re-read each source that still exists: its digest and the PSNR. Default false. */
  deep?: boolean;
  /**
   * Tag each source whose row verified clean `kpress-archived=<batch-id>`
   * (tag-sources.ts); needs `deep`. Default false.
   */
  tagSources?: boolean;
  /** Configuration; default `loadConfig(process.env)`. */
  config?: Config;
  /** Objects read at once. Default 16. */
  concurrency?: number;
  /** Told each problem as it is found. */
  onProblem?: (problem: Problem) => void;
  /** Told after each row: rows checked so far, and the manifest's total. */
  onProgress?: (checked: number, total: number) => void;
}

/** What a run found: also the fixity event written under `_kpress/<batch>/fixity/`. */
export interface VerifyResult {
  batchId: string;
  dest: string;
  startedAt: string;
  finishedAt: string;
  deep: boolean;
  kpressVersion: string;
  rows: number;
  outputsChecked: number;
  sourcesChecked: number;
  /** Problems by kind (missing, size, checksum, not-palette-png, extra, ...). */
  problems: Record<string, number>;
  /** The first 1,000 problems. */
  shown: Problem[];
  clean: boolean;
  /** Where the event was recorded. */
  eventKey: string;
  /** With `tagSources`: what was tagged, and why the rest was not. */
  tags?: TagCounts;
}

const SHOWN = 1000;

/** Checks one batch; never writes anything but its own fixity event. */
export async function verifyBatch(options: VerifyOptions): Promise<VerifyResult> {
  if (options.tagSources === true && options.deep !== true) {
    throw new TypeError(
      'tagSources needs deep: a source is tagged only once its sha256 is re-read',
    );
  }
  const config = options.config ?? loadConfig(process.env);
  const dest = parseS3Url(options.dest);
  const files = batchFileKeys(dest.prefix, options.batchId);
  const storage = new Storage({ config });
  const startedAt = new Date().toISOString();
  const counts: Record<string, number> = {};
  const shown: Problem[] = [];
  const report = (p: Problem) => {
    counts[p.kind] = (counts[p.kind] ?? 0) + 1;
    if (shown.length < SHOWN) shown.push(p);
    options.onProblem?.(p);
  };
  try {
    const summaryJson = await storage.getJson(dest.bucket, files.summary).catch((err) => {
      if (err instanceof StorageError && err.code === 'NoSuchKey') {
        throw new Error(
          `batch ${options.batchId} has no summary.json under ${options.dest}: it is not finished (or the id is wrong)`,
        );
      }
      throw err;
    });
    const summary = SummarySchema.parse(summaryJson);
    const batch = parseBatchFile(
      await storage.getJson(dest.bucket, files.batch),
      `s3://${dest.bucket}/${files.batch}`,
    );
    const src = parseS3Url(batch.source);
    const outputs = new KeyHashSet();
    const sums = createHash('sha256');
    const tally = { rows: 0, outputs: 0, sources: 0, compressed: 0, kept: 0, failed: 0 };
    const window: Promise<void>[] = [];
    const limit = options.concurrency ?? 16;
    const tagger =
      options.tagSources === true
        ? new SourceTagger({ storage, bucket: src.bucket, batchId: options.batchId, report })
        : undefined;

    const checkRow = async (row: ManifestRow): Promise<void> => {
      const found: RowCheck = { problems: 0 };
      const note = (p: Problem) => {
        found.problems++;
        report(p);
      };
      if (row.outputKey !== null && row.status !== 'failed') {
        const bytes = await getOrUndefined(storage, dest.bucket, row.outputKey);
        const outputProblems = checkOutput(row, bytes);
        for (const p of outputProblems) note(p);
        tally.outputs++;
        if (options.deep === true && bytes !== undefined) {
          // a damaged output is reported above; its PSNR would only fail to decode
          const output = outputProblems.length === 0 ? bytes : undefined;
          found.source = await deepCheck(row, output, note);
        }
      }
      await tagger?.settle(row, found);
    };
    const deepCheck = async (
      row: ManifestRow,
      output: Uint8Array | undefined,
      note: (p: Problem) => void,
    ): Promise<RowCheck['source']> => {
      const read = await getWithEtagOrUndefined(storage, src.bucket, row.key);
      if (read === undefined) return undefined; // deleted after archiving: nothing to compare
      const source = read.body;
      tally.sources++;
      const digest = createHash('sha256').update(source).digest('hex');
      const seen = { sha256: digest, etag: read.etag };
      if (row.sha256 && digest !== row.sha256) {
        note({
          key: row.key,
          kind: 'source-changed',
          detail: `the source's sha256 is now ${digest}, the manifest says ${row.sha256}`,
        });
        return seen;
      }
      if (row.status !== 'compressed' || row.psnr === null || output === undefined) return seen;
      const decoded = await Promise.all([
        decode(Buffer.from(source)),
        decode(Buffer.from(output)),
      ]).catch((err: Error) => {
        const key = row.outputKey as string;
        note({ key, kind: 'psnr', detail: `cannot decode to compare: ${err.message}` });
        return undefined;
      });
      if (decoded === undefined) return seen;
      const [a, b] = decoded;
      const channels = Math.max(a.channels, b.channels) as 3 | 4;
      const again = psnr(widen(a, channels), widen(b, channels), channels);
      const same = again === row.psnr || Math.abs(again - row.psnr) <= 0.01;
      if (!same) {
        note({
          key: row.outputKey as string,
          kind: 'psnr',
          detail: `PSNR ${again.toFixed(3)} dB, the manifest says ${row.psnr.toFixed(3)}`,
        });
      }
      return seen;
    };

    for await (const line of storage.readLines(dest.bucket, files.manifestJsonl)) {
      if (line.trim() === '') continue;
      let row: ManifestRow;
      try {
        row = parseRow(line);
      } catch (err) {
        report({ key: files.manifestJsonl, kind: 'manifest', detail: (err as Error).message });
        continue;
      }
      tally.rows++;
      if (row.status === 'compressed') tally.compressed++;
      else if (row.status === 'kept-original') tally.kept++;
      else tally.failed++;
      if (row.outputKey !== null && row.status !== 'failed') outputs.add(row.outputKey);
      const sum = rowChecksumLine(row, dest.prefix);
      if (sum !== undefined) sums.update(sum);
      const p = checkRow(row);
      p.catch(() => {});
      window.push(p);
      if (window.length >= limit) await window.shift();
      options.onProgress?.(tally.rows, summary.counts.total);
    }
    await Promise.all(window);

    // the batch's files agree with each other
    const c = summary.counts;
    if (
      c.total !== tally.rows ||
      c.compressed !== tally.compressed ||
      c.keptOriginal !== tally.kept ||
      c.failed !== tally.failed
    ) {
      report({
        key: files.summary,
        kind: 'manifest',
        detail: `counts ${JSON.stringify({ total: c.total, compressed: c.compressed, keptOriginal: c.keptOriginal, failed: c.failed })}, manifest.jsonl has ${JSON.stringify({ total: tally.rows, compressed: tally.compressed, keptOriginal: tally.kept, failed: tally.failed })}`,
      });
    }
    const csvRows = await countCsvRecords(storage, dest.bucket, files.manifestCsv);
    if (csvRows !== tally.rows) {
      report({
        key: files.manifestCsv,
        kind: 'manifest',
        detail: `${csvRows} rows, manifest.jsonl has ${tally.rows}`,
      });
    }
    const stored = createHash('sha256');
    let sumsFound = true;
    try {
      for await (const line of storage.readLines(dest.bucket, files.manifestSha256))
        stored.update(`${line}\n`);
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'NoSuchKey')) throw err;
      sumsFound = false;
      report({ key: files.manifestSha256, kind: 'missing', detail: 'manifest-sha256.txt is gone' });
    }
    if (sumsFound && stored.digest('hex') !== sums.digest('hex')) {
      report({
        key: files.manifestSha256,
        kind: 'manifest',
        detail: 'its lines are not the digests manifest.jsonl records',
      });
    }

    // objects under the destination that no row names
    const own = `${dest.prefix}${KPRESS_DIR}`;
    for await (const entry of storage.listObjects(dest.bucket, dest.prefix)) {
      if (entry.key.startsWith(own)) continue;
      if (!outputs.has(entry.key)) {
        report({
          key: entry.key,
          kind: 'extra',
          detail: `${entry.size} bytes that no row of batch ${options.batchId} names`,
        });
      }
    }

    const finishedAt = new Date().toISOString();
    const eventKey = `${batchPrefix(dest.prefix, options.batchId)}fixity/${startedAt.replace(/[:.]/g, '-')}.json`;
    const result: VerifyResult = {
      batchId: options.batchId,
      dest: options.dest,
      startedAt,
      finishedAt,
      deep: options.deep === true,
      kpressVersion: KPRESS_VERSION,
      rows: tally.rows,
      outputsChecked: tally.outputs,
      sourcesChecked: tally.sources,
      problems: counts,
      shown,
      clean: Object.keys(counts).length === 0,
      eventKey,
      ...(tagger === undefined ? {} : { tags: tagger.counts }),
    };
    await storage.putJson(dest.bucket, eventKey, result, { ifNoneMatch: true });
    return result;
  } finally {
    storage.close();
  }
}

/** RGB pixels as RGBA (opaque) when the other image of the pair has alpha. */
function widen(img: PixelImage, channels: 3 | 4): ArrayLike<number> {
  if (img.channels === channels) return img.data;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = img.data[i * 3] as number;
    out[i * 4 + 1] = img.data[i * 3 + 1] as number;
    out[i * 4 + 2] = img.data[i * 3 + 2] as number;
    out[i * 4 + 3] = 255;
  }
  return out;
}

async function getOrUndefined(
  storage: Storage,
  bucket: string,
  key: string,
): Promise<Buffer | undefined> {
  try {
    return await storage.getObject(bucket, key, { maxBytes: 5 * 1024 ** 3 });
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function getWithEtagOrUndefined(
  storage: Storage,
  bucket: string,
  key: string,
): Promise<{ body: Buffer; etag: string } | undefined> {
  try {
    return await storage.getObjectWithEtag(bucket, key, { maxBytes: 5 * 1024 ** 3 });
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function countCsvRecords(storage: Storage, bucket: string, key: string): Promise<number> {
  const parser = parse({ columns: false, relax_column_count: true });
  const feed = (async () => {
    for await (const line of storage.readLines(bucket, key)) {
      if (!parser.write(`${line}\n`)) await new Promise((r) => parser.once('drain', r));
    }
    parser.end();
  })();
  let n = 0;
  for await (const _ of parser) n++;
  await feed;
  return Math.max(0, n - 1); // the header
}
