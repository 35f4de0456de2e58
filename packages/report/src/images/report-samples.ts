import type { ManifestRow, ReportAggregate } from '@kpress/manifest';
import type { ReportSample } from '../report-model.js';
import { makeReportSample } from './make-report-sample.js';

/**
 * Where the report's images come from: the finalize reads them from S3 (its
 * records, the sources, the outputs); tests from files. Each call may throw:
 * the image is then left out (or, for a worst case, shown as not made).
 */
export interface ReportImageSource {
  /** The manifest row of a source key. */
  row(key: string): Promise<ManifestRow>;
  /** The bytes of a source key, or a throw when larger than `maxBytes`. */
  source(key: string, maxBytes: number): Promise<Buffer>;
  /** The bytes of an output key, or a throw when larger than `maxBytes`. */
  output(outputKey: string, maxBytes: number): Promise<Buffer>;
}

/** Largest source or output fetched for a sample. */
const SAMPLE_MAX_BYTES = 64 * 1024 * 1024;

/** The worker's own limits on what it reads (KPRESS_MAX_BYTES, KPRESS_MAX_PIXELS). */
export interface SampleLimits {
  /** Largest source or output fetched, bytes; the smaller of this and 64 MiB applies. */
  maxBytes: number;
  /** Largest image decoded, pixels. */
  maxPixels: number;
}

/**
 * Up to `want` images in detail (default 12): the largest savings first, then
 * others from the sample; each source and output fetched within `limits`
 * (default: 64 MiB, sharp's own pixel limit of makeReportSample).
 */
export async function reportSamples(
  aggregate: Pick<ReportAggregate, 'largestSavings' | 'sample'>,
  images: ReportImageSource,
  onSkip: (key: string, err: Error) => void,
  want = 12,
  limits?: SampleLimits,
): Promise<ReportSample[]> {
  const maxBytes = Math.min(SAMPLE_MAX_BYTES, limits?.maxBytes ?? SAMPLE_MAX_BYTES);
  const picked = new Set<string>();
  for (const s of aggregate.largestSavings) if (picked.size < want) picked.add(s.key);
  for (const s of aggregate.sample) if (picked.size < want) picked.add(s.key);
  const out: ReportSample[] = [];
  for (const key of picked) {
    try {
      const row = await images.row(key);
      const source = await images.source(row.key, maxBytes);
      const output =
        row.status === 'compressed' && row.outputKey !== null
          ? await images.output(row.outputKey, maxBytes)
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
          limits === undefined ? {} : { maxPixels: limits.maxPixels },
        ),
      );
    } catch (err) {
      onSkip(key, err as Error);
    }
  }
  return out;
}
