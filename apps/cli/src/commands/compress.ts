import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { basename } from 'node:path';
import { CodecError, compressImage, deflateBackend } from '@kpress/codec';
import { KPRESS_VERSION } from '@kpress/config';
import type { Command } from 'commander';
import { CliError, say } from '@kpress/cli-kit';
import { addImageOptions } from '../image-options.js';

/** What `compress --json` prints: the manifest row shape for one local file. */
export interface CompressRecord {
  input: string;
  output: string;
  /**
   * 'compressed' when the PNG is smaller than the input; 'kept-original' when
   * it is not, i.e. a batch would keep the original here. The command writes
   * the PNG either way, since that is what was asked for.
   */
  status: 'compressed' | 'kept-original';
  originalBytes: number;
  outputBytes: number;
  width: number;
  height: number;
  colors: number;
  psnr: number;
  ms: number;
  /** SHA-256 (hex) of the input bytes as read. */
  sha256: string;
  /** SHA-256 (hex) of the PNG written. */
  outputSha256: string;
}

interface CompressFlags {
  colors: number;
  quality?: number;
  seed: number;
  effort: number;
  json?: boolean;
  stripMetadata?: boolean;
}

const HELP_AFTER = `
Writes <out> as a palette PNG of at most K colours, even when it comes out no
smaller than <in> (the summary says so, and --json reports status
"kept-original": a batch would keep the original there).

Exit status: 0 written, 1 bad input or I/O error (one line naming the file
and the reason), 2 usage error.

Examples:
  $ kpress compress photo.jpg photo.png
  $ kpress compress photo.jpg photo.png --colors 64 --seed 7
  $ kpress compress photo.jpg photo.png --effort 5     # smallest file, ~4x the encode CPU
  $ kpress compress scan.tiff scan.png --quality 38 --json`;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  return e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(err);
}

/** Writes atomically (temporary file + rename), removing the temporary on SIGINT/SIGTERM. */
async function writeAtomic(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.kpress-${process.pid}.tmp`;
  const onSignal = (signal: NodeJS.Signals) => {
    void rm(tmp, { force: true }).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function runCompress(
  input: string,
  output: string,
  flags: CompressFlags,
): Promise<CompressRecord> {
  const started = performance.now();
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (err) {
    throw new CliError(`${input}: ${ioReason(err)}`, 1, { cause: err });
  }
  const deflate = deflateBackend();
  if (deflate.name === 'zlib') say(`deflating with zlib (larger files, slower): ${deflate.reason}`);
  let result: Awaited<ReturnType<typeof compressImage>>;
  try {
    result = await compressImage(bytes, {
      colors: flags.colors,
      seed: flags.seed,
      effort: flags.effort,
      keepMetadata: flags.stripMetadata !== true,
      provenance: {
        software: `kpress ${KPRESS_VERSION}`,
        facts: {
          source: basename(input),
          sourceSha256: createHash('sha256').update(bytes).digest('hex'),
          colors: flags.colors,
          seed: flags.seed,
          ...(flags.quality === undefined ? {} : { quality: flags.quality }),
          effort: flags.effort,
          kpressVersion: KPRESS_VERSION,
        },
      },
      ...(flags.quality === undefined ? {} : { quality: flags.quality }),
    });
  } catch (err) {
    if (err instanceof CodecError) {
      const note =
        err.code === 'MULTI_FRAME' ? ' (not converted; a batch keeps such files as originals)' : '';
      throw new CliError(`${input}: ${err.message}${note}`, 1, { cause: err });
    }
    throw err;
  }
  try {
    await writeAtomic(output, result.png);
  } catch (err) {
    throw new CliError(`${output}: cannot write: ${ioReason(err)}`, 1, { cause: err });
  }
  return {
    input,
    output,
    status: result.png.length < bytes.length ? 'compressed' : 'kept-original',
    originalBytes: bytes.length,
    outputBytes: result.png.length,
    width: result.width,
    height: result.height,
    colors: result.colors,
    psnr: Math.round(result.psnr * 1000) / 1000,
    ms: Math.round(performance.now() - started),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    outputSha256: createHash('sha256').update(result.png).digest('hex'),
  };
}

export function summaryLine(r: CompressRecord): string {
  const saved = ((r.originalBytes - r.outputBytes) / r.originalBytes) * 100;
  const head = `${r.input} -> ${r.output}: ${formatBytes(r.originalBytes)} -> ${formatBytes(r.outputBytes)}`;
  const tail = `${r.width}x${r.height}, ${r.colors} colours, PSNR ${r.psnr.toFixed(2)} dB, ${r.ms} ms`;
  if (r.status === 'kept-original') {
    return `${head} (${(-saved).toFixed(1)}% larger: PNG written as asked; a batch would keep the original), ${tail}`;
  }
  return `${head} (saved ${saved.toFixed(1)}%), ${tail}`;
}

export function register(program: Command): void {
  addImageOptions(
    program
      .command('compress')
      .description('compress one local image file to a palette PNG')
      .argument('<in>', 'input image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF, JPEG 2000)')
      .argument('<out>', 'output PNG path'),
  )
    .option('--json', 'print the result record as JSON instead of a summary line')
    .addHelpText('after', HELP_AFTER)
    .action(async (input: string, output: string, flags: CompressFlags) => {
      const record = await runCompress(input, output, flags);
      process.stdout.write(flags.json ? `${JSON.stringify(record)}\n` : `${summaryLine(record)}\n`);
    });
}
