import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type Config, loadConfig } from '@kpress/config';
import { parseRow, SummaryBuilder, SummarySchema } from '@kpress/manifest';
import { validateBatchId } from '@kpress/queue';
import { type FixityRun, renderTable } from '@kpress/report';
import {
  batchFileKeys,
  batchPrefix,
  parseS3Url,
  StorageError,
  Storage,
  toStorageError,
} from '@kpress/storage';
import { REPORT_FORMATS, type ReportFormat } from './report-formats.js';

/** The batch's recorded `kpress verify` runs: how many, and the newest (its key sorts last). */
async function fixityRuns(
  storage: Storage,
  dest: { bucket: string; prefix: string },
  batchId: string,
): Promise<{ count: number; last: FixityRun | undefined }> {
  let count = 0;
  let lastKey: string | undefined;
  for await (const e of storage.listObjects(
    dest.bucket,
    `${batchPrefix(dest.prefix, batchId)}fixity/`,
  )) {
    count++;
    lastKey = e.key;
  }
  if (lastKey === undefined) return { count, last: undefined };
  const event = (await storage.getJson(dest.bucket, lastKey)) as FixityRun;
  return {
    count,
    last: {
      startedAt: event.startedAt,
      deep: event.deep,
      clean: event.clean,
      problems: event.problems,
    },
  };
}

export { REPORT_FORMATS, type ReportFormat };

/** Options of {@link writeReport}. */
export interface ReportOptions {
  /** Destination `s3://bucket/prefix/` the batch wrote to. */
  dest: string;
  batchId: string;
  /** table (default): text table; json: summary.json; csv: manifest.csv; html: report.html. */
  format?: ReportFormat;
  /** Where to write. Default process.stdout. */
  out?: Writable;
  /** Configuration; default `loadConfig(process.env)`. */
  config?: Config;
  /** Table width in columns. Default 100. */
  width?: number;
}

/**
 * Writes a finished batch's report: the text table (summary.json plus the
 * manifest streamed through SummaryBuilder), summary.json, manifest.csv or
 * report.html. Large files are streamed, never held whole.
 */
export async function writeReport(options: ReportOptions): Promise<void> {
  const config = options.config ?? loadConfig(process.env);
  const format = options.format ?? 'table';
  if (!REPORT_FORMATS.includes(format)) {
    throw new RangeError(
      `format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
    );
  }
  validateBatchId(options.batchId);
  const dest = parseS3Url(options.dest);
  const files = batchFileKeys(dest.prefix, options.batchId);
  const out = options.out ?? process.stdout;
  const storage = new Storage({ config });
  const open = async (key: string): Promise<Readable> => {
    try {
      const r = await storage.client.send(new GetObjectCommand({ Bucket: dest.bucket, Key: key }));
      return r.Body as Readable;
    } catch (err) {
      const e = toStorageError(err, 'get', dest.bucket, key);
      if (e.code === 'NoSuchKey') {
        throw new Error(
          `no report for batch ${options.batchId} under s3://${dest.bucket}/${dest.prefix}: s3://${dest.bucket}/${key} does not exist (not finished yet, or another batch id?)`,
        );
      }
      if (e.code === 'NoSuchBucket') throw new Error(`bucket "${dest.bucket}" does not exist`);
      throw e;
    }
  };
  try {
    if (format === 'csv') return await pipeline(await open(files.manifestCsv), out, { end: false });
    if (format === 'html') return await pipeline(await open(files.report), out, { end: false });
    const summaryBody = await open(files.summary);
    const chunks: Buffer[] = [];
    for await (const c of summaryBody) chunks.push(Buffer.from(c as Uint8Array));
    const summary = SummarySchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    if (format === 'json') {
      out.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const builder = new SummaryBuilder();
    const lines = createInterface({
      input: await open(files.manifestJsonl),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) if (line.trim() !== '') builder.add(parseRow(line));
    out.write(
      renderTable(
        { summary, aggregate: builder.aggregate(), samples: [] },
        {
          width: options.width ?? 100,
          fixityRuns: await fixityRuns(storage, dest, options.batchId),
        },
      ),
    );
  } catch (err) {
    if (err instanceof StorageError) throw new Error(err.message);
    throw err;
  } finally {
    storage.close();
  }
}
