import type { ReportAggregate, RowStatus, Summary } from '@kpress/manifest';

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

/** Everything renderReportHtml and renderTable need. */
export interface ReportModel {
  summary: Summary;
  aggregate: ReportAggregate;
  /** Up to ~12 images shown in detail. */
  samples: ReportSample[];
}
