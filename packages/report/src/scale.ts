import type { ReportAggregate } from '@kpress/manifest';

/** What the batch's saving means at scale (decimal GB). Null fields when no image succeeded. */
export interface ScaleFigures {
  /** Images that did not fail. */
  images: number;
  meanBytesBefore: number | null;
  meanBytesAfter: number | null;
  /** How many average images 1 GB holds, before and after. */
  imagesPerGbBefore: number | null;
  imagesPerGbAfter: number | null;
  /** GB saved per million images like these. */
  gbSavedPerMillion: number | null;
}

export const GB = 1e9;

export function scaleFigures(aggregate: {
  counts: Pick<ReportAggregate['counts'], 'compressed' | 'keptOriginal'> &
    Partial<ReportAggregate['counts']>;
  bytes: Pick<ReportAggregate['bytes'], 'original' | 'output' | 'saved'> &
    Partial<ReportAggregate['bytes']>;
}): ScaleFigures {
  const images = aggregate.counts.compressed + aggregate.counts.keptOriginal;
  if (images === 0 || aggregate.bytes.original === 0) {
    return {
      images,
      meanBytesBefore: null,
      meanBytesAfter: null,
      imagesPerGbBefore: null,
      imagesPerGbAfter: null,
      gbSavedPerMillion: null,
    };
  }
  const before = aggregate.bytes.original / images;
  const after = aggregate.bytes.output / images;
  return {
    images,
    meanBytesBefore: before,
    meanBytesAfter: after,
    imagesPerGbBefore: GB / before,
    imagesPerGbAfter: after > 0 ? GB / after : null,
    gbSavedPerMillion: ((aggregate.bytes.saved / images) * 1e6) / GB,
  };
}
