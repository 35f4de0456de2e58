export {
  makeReportSample,
  type ReportSampleInput,
  type ReportSampleOptions,
} from './make-report-sample.js';
export { readPngPalette } from './png-palette.js';
export { hashString, seededRandom } from './seeded-random.js';
