import { createRequire } from 'node:module';

/**
 * The kpress version, from this package's package.json (all kpress packages
 * are released together under one version). Recorded in batch.json,
 * summary.json and every output's provenance.
 */
export const KPRESS_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;
