import type { Logger } from '@kpress/config';
import type { ReportSample, SummaryBuilder } from '@kpress/manifest';
import { makeReportSample } from '@kpress/preview';
import type { BatchLocation, Storage } from '@kpress/storage';
import { readRecord, recordKeyOf } from './record.js';

/** Up to `reportSamples` images in detail: the largest savings first, then others from the sample. */
export async function reportSamples(
  aggregate: ReturnType<SummaryBuilder['aggregate']>,
  loc: BatchLocation,
  ctx: { storage: Storage; reportSamples?: number },
  log: Logger,
): Promise<ReportSample[]> {
  const want = ctx.reportSamples ?? 12;
  const picked = new Map<
    string,
    (typeof aggregate.sample)[number] | (typeof aggregate.largestSavings)[number]
  >();
  for (const s of aggregate.largestSavings) if (picked.size < want) picked.set(s.key, s);
  for (const s of aggregate.sample)
    if (picked.size < want && !picked.has(s.key)) picked.set(s.key, s);
  const out: ReportSample[] = [];
  for (const s of picked.values()) {
    try {
      const row = await readRecord(
        ctx.storage,
        loc.destBucket,
        recordKeyOf(s.key, loc.sourcePrefix, loc.destPrefix, loc.batchId),
      );
      const source = await ctx.storage.getObject(loc.sourceBucket, row.key, {
        maxBytes: 64 * 1024 * 1024,
      });
      const output =
        row.status === 'compressed' && row.outputKey !== null
          ? await ctx.storage.getObject(loc.destBucket, row.outputKey, {
              maxBytes: 64 * 1024 * 1024,
            })
          : null;
      out.push(
        await makeReportSample(
          {
            key: row.key,
            outputKey: row.outputKey,
            status: row.status,
            originalBytes: row.originalBytes,
            outputBytes: row.outputBytes,
            psnr: row.psnr,
            colors: row.colors,
          },
          source,
          output,
        ),
      );
    } catch (err) {
      log.warn({ key: s.key, err: (err as Error).message }, 'report sample skipped');
    }
  }
  return out;
}
