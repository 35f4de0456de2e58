import { resolve } from 'node:path';
import { CliError, EXIT, say } from '@kpress/cli-kit';
import type { Config } from '@kpress/config';
import { formatBytes, formatPercent } from '@kpress/report/format';
import { keptKeyFor, outputKeyFor } from '@kpress/storage/layout';
import type { ImageFlags } from '../image-options.js';
import { compressLocal } from './local-batch.js';
import { collectInputs, isInside, realPathOf } from './local-inputs.js';

/** Flags of `kpress compress <in>... <out-dir>`. */
export interface FolderFlags extends ImageFlags {
  concurrency: number;
  overwrite?: boolean;
  json?: boolean;
  config: Pick<Config, 'maxBytes' | 'maxPixels' | 'reportWorst'>;
}

/** `2 copied (1.2 MB), 1 skipped, ` when there are any (the copies' bytes are not in the savings). */
function copiedWords(s: {
  counts: { copied: number; skipped: number };
  bytes: { copied: number };
}) {
  const copied =
    s.counts.copied > 0 ? `${s.counts.copied} copied (${formatBytes(s.bytes.copied)}), ` : '';
  return `${copied}${s.counts.skipped > 0 ? `${s.counts.skipped} skipped, ` : ''}`;
}

/**
 * `kpress compress <in>... <out-dir>`: refuses an output folder that is an
 * input or inside an input folder, and any output path that is an input file
 * (exit 2, before anything is written); then compresses with a progress bar
 * on a terminal and prints the totals (or summary.json with --json). Exit 1
 * when a row failed.
 */
export async function compressFolder(
  inputs: readonly string[],
  outDir: string,
  flags: FolderFlags,
): Promise<void> {
  const { sources, skipped } = await collectInputs(inputs);
  const out = await realPathOf(outDir);
  for (const input of inputs) {
    const real = await realPathOf(input);
    if (isInside(out, real)) {
      throw new CliError(
        `${outDir} is inside the input ${input}: the outputs would become inputs; give an output folder outside it`,
        EXIT.usage,
      );
    }
  }
  const inputPaths = new Set(await Promise.all(sources.map((s) => realPathOf(s.path))));
  for (const s of sources) {
    for (const key of new Set([outputKeyFor(s.rel, '', ''), keptKeyFor(s.rel, '', '')])) {
      const target = await realPathOf(resolve(outDir, key));
      if (inputPaths.has(target)) {
        throw new CliError(
          `${s.path} would be written over by its own output ${target}: kpress never writes over a source; give another output folder`,
          EXIT.usage,
        );
      }
    }
  }
  if (sources.length === 0) throw new CliError(`no files under ${inputs.join(', ')}`, EXIT.failure);
  for (const path of skipped) say(`${path}: skipped (not a regular file; links are not followed)`);

  const tty = process.stderr.isTTY === true && flags.json !== true;
  // loaded when used: a progress bar only on a terminal
  const cliProgress = tty ? (await import('cli-progress')).default : undefined;
  const bar =
    cliProgress !== undefined
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: '{bar} {percentage}% | {value}/{total} files | ETA {eta_formatted}',
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(sources.length, 0);
  const result = await compressLocal({
    sources,
    outDir: resolve(outDir),
    sourceLabel: inputs.length === 1 ? resolve(inputs[0] as string) : `${inputs.length} inputs`,
    flags,
    concurrency: flags.concurrency,
    overwrite: flags.overwrite === true,
    maxBytes: flags.config.maxBytes,
    maxPixels: flags.config.maxPixels,
    reportWorst: flags.config.reportWorst,
    onFile: (done) => bar?.update(done),
  }).finally(() => bar?.stop());
  const s = result.summary;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(s)}\n`);
  } else {
    const missed = s.counts.qualityMissed;
    process.stdout.write(
      `${s.counts.total} files: ${s.counts.compressed} compressed, ${s.counts.keptOriginal} kept original, ${copiedWords(s)}${s.counts.failed} failed; ` +
        `${formatBytes(s.bytes.original)} -> ${formatBytes(s.bytes.output)} (saved ${formatPercent(s.savedRatio)})` +
        `${missed > 0 ? `; --quality ${flags.quality} not reached for ${missed} (raise --colors, up to 256)` : ''}\n` +
        `manifest, summary and report: ${result.runDir}/\n`,
    );
  }
  if (s.counts.failed > 0) {
    const first = result.rows.find((r) => r.status === 'failed');
    throw new CliError(
      `${s.counts.failed} of ${s.counts.total} files failed (first: ${first?.key}: ${first?.error}); every row is in ${result.runDir}/manifest.jsonl`,
      EXIT.failure,
    );
  }
}
