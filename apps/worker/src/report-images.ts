import type { ReportImageSource } from '@kpress/report';
import type { BatchLocation, Storage } from '@kpress/storage';
import { readRecord, recordKeyOf } from './record.js';

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
