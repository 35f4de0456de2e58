/** What `kpress report --format` accepts. Its own module: the CLI checks the flag without loading the producer. */
export const REPORT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
