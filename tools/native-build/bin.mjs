#!/usr/bin/env node
// kpress-build-native [--arch ARCH] FALLBACK: builds the addon of the package in the current
// folder (build-addon.mjs), where the machine is ARCH when given (else says it is skipped).
// FALLBACK says what runs without it. Exits 0 whatever happens: the addon is optional.
import { readFileSync } from 'node:fs';
import { buildAddon, say } from './build-addon.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--arch');
const arch = at >= 0 ? args.splice(at, 2)[1] : undefined;
const fallback = args.join(' ') || 'it runs without it';
if (arch !== undefined && process.arch !== arch) {
  const { name } = JSON.parse(readFileSync('package.json', 'utf8'));
  say(`${name}: no addon for ${process.arch}; ${fallback}.`);
} else {
  buildAddon({ dir: process.cwd(), fallback });
}
