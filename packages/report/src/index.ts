export { CROP_GAP, type ReportModel, type ReportSample, type WorstCase } from './report-model.js';
export {
  makeReportSample,
  type ReportSampleInput,
  type ReportSampleOptions,
} from './images/make-report-sample.js';
export { readPngPalette } from './images/png-palette.js';
export { type ReportImageSource, reportSamples } from './images/report-samples.js';
export { hashString, seededRandom } from './images/seeded-random.js';
export {
  cropWhereMostDifferent,
  type DiffMap,
  maxSumWindow,
  type Window,
} from './images/diff-window.js';
export { makeWorstCrop, type WorstCrop, type WorstCropOptions } from './images/make-worst-crop.js';
export {
  reportWorstCases,
  type WorstCaseLimits,
  type WorstCropMaker,
} from './images/worst-cases.js';
export { colourCloudChart, PROJECTIONS } from './chart-colour-cloud.js';
export { type HistogramChartOptions, histogramChart } from './chart-histogram.js';
export { imageBarsChart } from './chart-image-bars.js';
export { scatterChart } from './chart-scatter.js';
export { escapeHtml, escapeTerminal, safeImageDataUri } from './escape.js';
export { formatAmount, formatBytes, formatCount, formatPercent, formatPsnr } from './format.js';
export { type RenderHtmlOptions, renderReportHtml } from './render-html.js';
export { type RenderTableOptions, renderTable } from './render-table.js';
export { type ScaleFigures, scaleFigures } from './scale.js';
export { scoreLines, scoreScaleLine } from './score-lines.js';
export { type FixityRun, type FixityView, fixityLines } from './fixity.js';
