import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KPRESS_VERSION } from '@kpress/config/version';
import { type ManifestRow, rowToJsonLine, type Summary, SummaryBuilder } from '@kpress/manifest';
import { newBatchId } from '@kpress/queue/job-ids';
import { type ReportImageSource, renderReportHtml, reportWorstCases } from '@kpress/report';
import { clashMessage, clashPartnerKey, KPRESS_DIR } from '@kpress/storage/layout';
import {
  copyOrSkip,
  decideOutcome,
  failedOutcome,
  type Outcome,
  tooLargeReason,
} from '@kpress/compress/outcome';
import { CompressPool } from '@kpress/compress/pool';
import pMap from 'p-map';
import { type ImageFlags, imageOptionsOf, localProvenance } from '../image-options.js';
import { ioReason } from './io-reason.js';
import type { LocalSource } from './local-inputs.js';
import { copyWhole, OutputExistsError, writeWhole } from './safe-write.js';

/** Options of {@link compressLocal}. */
export interface LocalRunOptions {
  sources: readonly LocalSource[];
  /** The output folder: outputs at `<outDir>/<rel>[.png]`, the run's files in `<outDir>/_kpress/<runId>/`. */
  outDir: string;
  /** What the summary names as the source. */
  sourceLabel: string;
  flags: ImageFlags;
  /** Images at once, and threads in the pool. */
  concurrency: number;
  /** Replace outputs that exist (default: such a file is a failed row and is left as it was). */
  overwrite: boolean;
  maxBytes: number;
  maxPixels: number;
  /** Worst-scored images the report shows as crops (KPRESS_REPORT_WORST). Default 12. */
  reportWorst?: number;
  /** Told after each file. */
  onFile?: (done: number, total: number) => void;
}

/** What a local run wrote. */
export interface LocalRunResult {
  runId: string;
  summary: Summary;
  /** The run's folder: manifest.jsonl, summary.json, report.html. */
  runDir: string;
  rows: ManifestRow[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Why a file of the run could not be read or written; a missing one went while the run was under way. */
function fileReason(err: unknown): string {
  const reason = ioReason(err);
  return reason === 'no such file' ? 'no such file (removed while the run was under way)' : reason;
}

/**
 * Compresses local files as a batch does, in a pool of `concurrency` threads
 * (at most one per file):
 * the same naming (`x.jpg` -> `x.jpg.png`, a PNG keeps its name), the same
 * outcomes (what is not an image kpress compresses copied byte for byte, a
 * compressed output whose name is another file's a failed row, a PNG no
 * smaller than the original keeps the original byte for byte), one
 * manifest row each, then manifest.jsonl, summary.json and report.html under
 * `<outDir>/_kpress/<runId>/`. An existing output is never replaced unless
 * `overwrite`.
 */
export async function compressLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const startedAt = new Date().toISOString();
  const runId = newBatchId();
  const names = new Set(options.sources.map((s) => s.rel));
  // never more threads than files: each thread loads the codec and sharp on its own
  const pool = new CompressPool({
    threads: Math.max(1, Math.min(options.concurrency, options.sources.length)),
  });
  const { flags } = options;
  try {
    let done = 0;
    const rows: ManifestRow[] = await pMap(
      options.sources,
      async (src): Promise<ManifestRow> => {
        const started = performance.now();
        const row = await compressOne(src, names, pool, options).catch(
          (err): Omit<ManifestRow, 'ms'> =>
            failedOutcome({ key: src.rel, originalBytes: src.size }, fileReason(err)).row,
        );
        options.onFile?.(++done, options.sources.length);
        return { ...row, ms: Math.round(performance.now() - started) } as ManifestRow;
      },
      { concurrency: options.concurrency },
    );
    const builder = new SummaryBuilder(
      options.reportWorst === undefined ? {} : { worst: options.reportWorst },
    );
    for (const row of rows) builder.add(row);
    const summary = builder.summary({
      batchId: runId,
      source: options.sourceLabel,
      dest: options.outDir,
      colors: imageOptionsOf(flags).colors,
      startedAt,
      finishedAt: new Date().toISOString(),
      kpressVersion: KPRESS_VERSION,
    });
    const runDir = join(options.outDir, KPRESS_DIR, runId);
    const text = (s: string) => new TextEncoder().encode(s);
    await writeWhole(join(runDir, 'manifest.jsonl'), text(rows.map(rowToJsonLine).join('')), {
      overwrite: false,
    });
    const aggregate = builder.aggregate();
    // the crops are made in the pool's threads, which have sharp loaded: this thread never loads it
    const worst = await reportWorstCases(
      aggregate.worst,
      localImages(options),
      options,
      undefined,
      (source, output, cropOptions) => pool.crop(source, output, cropOptions),
    );
    await writeWhole(
      join(runDir, 'report.html'),
      text(renderReportHtml({ summary, aggregate, samples: [], worst })),
      { overwrite: false },
    );
    // last, as in a batch: its presence means the run is complete
    await writeWhole(join(runDir, 'summary.json'), text(`${JSON.stringify(summary, null, 2)}\n`), {
      overwrite: false,
    });
    return { runId, summary, runDir, rows };
  } finally {
    await pool.close();
  }
}

/** The report's images of a local run: the sources as found, the outputs under the output folder. */
function localImages(options: LocalRunOptions): ReportImageSource {
  const paths = new Map(options.sources.map((s) => [s.rel, s.path]));
  const read = async (path: string | undefined, name: string, maxBytes: number) => {
    if (path === undefined) throw new Error(`${name} is not a file of this run`);
    const bytes = await readFile(path);
    if (bytes.length > maxBytes) throw new Error(`${name} is over ${maxBytes} bytes`);
    return bytes;
  };
  return {
    row: () => Promise.reject(new Error('a local run reads no records')),
    source: (key, maxBytes) => read(paths.get(key), key, maxBytes),
    output: (key, maxBytes) => read(join(options.outDir, key), key, maxBytes),
  };
}

async function compressOne(
  src: LocalSource,
  names: ReadonlySet<string>,
  pool: CompressPool,
  options: LocalRunOptions,
): Promise<Omit<ManifestRow, 'ms'>> {
  const ref = { key: src.rel, sourcePrefix: '', destPrefix: '', originalBytes: src.size };
  // only a compressed output is renamed (`<name>.png`): a copy keeps its own name
  const partner = clashPartnerKey(src.rel);
  const clashesWith = partner !== undefined && names.has(partner) ? partner : undefined;
  const image = imageOptionsOf(options.flags);
  if (src.size > options.maxBytes) return copyLarge(src, ref, image.imagesOnly, options);
  const bytes = await readFile(src.path);
  const digest = sha256(bytes);
  // the bytes move to the pool thread (transferred, not copied): this buffer is empty afterwards
  const originalBytes = bytes.length;
  const result = await pool.run({
    source: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    maxPixels: options.maxPixels,
    options: image,
    provenance: localProvenance(image, src.rel, digest),
  });
  const outcome: Outcome = decideOutcome(
    { ...ref, originalBytes },
    result,
    image.quality,
    image.imagesOnly,
  );
  if (clashesWith !== undefined && outcome.row.status === 'compressed') {
    const failed = failedOutcome({ ...ref, originalBytes }, clashMessage(src.rel, clashesWith));
    return { ...failed.row, sha256: digest, outputSha256: null };
  }
  const effect = outcome.effect;
  if (effect.kind === 'none') return { ...outcome.row, sha256: digest, outputSha256: null };
  const body = effect.kind === 'put' ? effect.body : result.source;
  if (body === undefined)
    throw new Error(`the pool kept no copy of ${src.rel} to keep as the original`);
  try {
    await writeWhole(join(options.outDir, effect.key), body, { overwrite: options.overwrite });
  } catch (err) {
    if (err instanceof OutputExistsError) {
      return {
        ...failedOutcome(ref, `not written: ${err.message}`).row,
        sha256: digest,
        outputSha256: null,
      };
    }
    throw err;
  }
  return { ...outcome.row, sha256: digest, outputSha256: sha256(body) };
}

/**
 * A file over the byte limit: copied under its own name without being read
 * into memory (its digest streamed from the copy), or with imagesOnly a
 * skipped row, nothing read or written. An existing output is kept as in
 * compressOne.
 */
async function copyLarge(
  src: LocalSource,
  ref: { key: string; sourcePrefix: string; destPrefix: string; originalBytes: number },
  imagesOnly: boolean,
  options: LocalRunOptions,
): Promise<Omit<ManifestRow, 'ms'>> {
  const outcome = copyOrSkip(ref, tooLargeReason(options.maxBytes, src.size), imagesOnly);
  if (outcome.effect.kind !== 'copy') return { ...outcome.row, sha256: null, outputSha256: null };
  try {
    const copied = await copyWhole(src.path, join(options.outDir, outcome.effect.key), {
      overwrite: options.overwrite,
    });
    return {
      ...outcome.row,
      originalBytes: copied.bytes,
      outputBytes: copied.bytes,
      error: tooLargeReason(options.maxBytes, copied.bytes),
      sha256: copied.sha256,
      outputSha256: copied.sha256,
    };
  } catch (err) {
    if (err instanceof OutputExistsError) {
      return {
        ...failedOutcome(ref, `not written: ${err.message}`).row,
        sha256: null,
        outputSha256: null,
      };
    }
    throw err;
  }
}
