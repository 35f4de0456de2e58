import { CONFIG_DEFAULTS, loadConfig } from '@kpress/config';
import type { ReportImageSource } from '@kpress/report';
import type { BatchLocation, Storage } from '@kpress/storage';
import { readRecord, recordKeyOf } from '../record.js';

/** Worst-scored images shown when the worker is given no KPRESS_REPORT_WORST (its CONFIG_DEFAULTS). */
export const DEFAULT_REPORT_WORST = CONFIG_DEFAULTS.KPRESS_REPORT_WORST;

/** The crops' limits when the worker is given none: the default KPRESS_MAX_BYTES and KPRESS_MAX_PIXELS. */
export const DEFAULT_REPORT_LIMITS = (({ maxBytes, maxPixels }) => ({ maxBytes, maxPixels }))(
  loadConfig({}),
);

/** The report's images of a batch, read from S3: its records, sources and outputs. */
export function s3ReportImages(storage: Storage, loc: BatchLocation): ReportImageSource {
  return {
    row: (key) =>
      readRecord(
        storage,
        loc.destBucket,
        recordKeyOf(key, loc.sourcePrefix, loc.destPrefix, loc.batchId),
      ),
    source: (key, maxBytes) => storage.getObject(loc.sourceBucket, key, { maxBytes }),
    output: (outputKey, maxBytes) => storage.getObject(loc.destBucket, outputKey, { maxBytes }),
  };
}
