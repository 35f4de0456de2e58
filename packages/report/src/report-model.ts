import type { ReportAggregate, RowStatus, Summary, WorstEntry } from '@kpress/manifest';

/**
 * One image shown in detail in the report: thumbnails and the colour space.
 * Built by makeReportSample (images/make-report-sample.ts).
 */
export interface ReportSample {
  key: string;
  outputKey: string | null;
  status: RowStatus;
  originalBytes: number;
  outputBytes: number | null;
  /** dB; Infinity when lossless, null when unknown. */
  psnr: number | null;
  colors: number | null;
  /** data: URI of the oriented source thumbnail; null when it could not be made. */
  beforeDataUri: string | null;
  /** data: URI of the output thumbnail (nearest-neighbour, palette kept); null when none. */
  afterDataUri: string | null;
  /** RGB triples of sampled source pixels (length a multiple of 3). */
  points: Uint8Array | number[];
  /** RGB triples of the output palette (length a multiple of 3); empty when not a palette image. */
  palette: number[];
  /** Why thumbnails or points are missing, when they are; null otherwise. */
  previewError?: string | null;
}

/** Pixels between the two halves of a worst case's crop. */
export const CROP_GAP = 4;

/**
 * One of the compressed images with the lowest SSIMULACRA 2.1 scores, shown
 * as its original and output side by side at 1:1 where they differ most.
 * Built by reportWorstCases (images/worst-cases.ts).
 */
export interface WorstCase extends WorstEntry {
  /** data:image/png URI: original left, output right; null when the crop could not be made. */
  cropDataUri: string | null;
  /** Where the crop was taken, in the oriented image's pixels; null with no crop. */
  region: { x: number; y: number; width: number; height: number } | null;
  /** Why there is no crop; null when there is one. */
  note: string | null;
}

/** Everything renderReportHtml and renderTable need. */
export interface ReportModel {
  summary: Summary;
  aggregate: ReportAggregate;
  /** Up to ~12 images shown in detail. */
  samples: ReportSample[];
  /** The worst-scored images with their crops (absent: none shown; the table lists `aggregate.worst`). */
  worst?: WorstCase[];
}
