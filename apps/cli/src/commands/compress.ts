import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CliError, EXIT, intInRange, loadCliConfig, say } from '@kpress/cli-kit';
import { CodecError, compressImage, DEFAULT_MAX_PIXELS, deflateBackend } from '@kpress/codec';
import { compressIfDeep, pngIsSmaller, qualityMet } from '@kpress/compress';
import type { ImageOptions } from '@kpress/core';
import { formatBytes } from '@kpress/report';
import type { Command } from 'commander';
import {
  addImageOptions,
  type ImageFlags,
  imageOptionsOf,
  localProvenance,
} from '../image-options.js';
import { ioReason } from '../local/io-reason.js';
import { realPathOf } from '../local/local-inputs.js';
import { OutputExistsError, writeWhole } from '../local/safe-write.js';

/** What `compress --json` prints: the manifest row shape for one local file. */
export interface CompressRecord {
  input: string;
  output: string;
  /**
   * 'compressed' when the PNG is smaller than the input; 'not-smaller' when it
   * is not (a batch, or a folder run, would keep the original there). The
   * command writes the PNG either way, since that is what was asked for.
   */
  status: 'compressed' | 'not-smaller';
  originalBytes: number;
  outputBytes: number;
  width: number;
  height: number;
  /** Palette size; null for a lossless 16-bit PNG of a deep source. */
  colors: number | null;
  /** dB; Infinity (JSON null) for a lossless 16-bit PNG; a deep source's palette against its full depth. */
  psnr: number;
  /** SSIMULACRA 2.1 score of the PNG against the input, 2 decimals; null where there is none (under 8x8 pixels, over ~46 MP). */
  ssimulacra2: number | null;
  /** Bits per sample of the source. */
  bitDepth: number;
  ms: number;
  /** SHA-256 (hex) of the input bytes as read. */
  sha256: string;
  /** SHA-256 (hex) of the PNG written. */
  outputSha256: string;
  /** With --quality: whether the PSNR reached it (false: even --colors colours fell short). */
  qualityMet?: boolean;
  /** The perceptual target the palette was searched for (SSIMULACRA 2.1); absent for a fixed palette or --quality. */
  target?: number;
}

interface CompressFlags extends ImageFlags {
  json?: boolean;
  overwrite?: boolean;
  concurrency?: number;
}

const HELP_AFTER = `
By default each image gets the palette (up to 256 colours, dithered or not)
that reaches the perceptual target, SSIMULACRA 2.1 score 80 ("not noticeable
side by side at 1:1"; --target medium = 70, high = 80, visually-lossless =
90, or any score above 0 up to 100), in the fewest bytes. A photo no palette
serves at the target is not converted: one file exits 1 naming the best score
reached, writing nothing; a folder run keeps its original with that reason.
--colors K alone (no --target) is a fixed palette of K colours, --quality DB
alone the fewest colours that reach a PSNR; --quality with --target is refused.

One file: writes <out> as a palette PNG, even when it comes out no smaller
than <in> (the line says so, and --json reports status "not-smaller": a
batch would keep the original there).

Many files, or a folder: <out> is a folder (made if missing). Each file is
compressed as a batch does it, in a pool of --concurrency threads: a folder's
tree is mirrored, x.jpg is written as x.jpg.png (a PNG keeps its name), a PNG
no smaller than the original keeps the original byte for byte, a file that is
not an image (or over KPRESS_MAX_BYTES / KPRESS_MAX_PIXELS) is a failed row.
The run's manifest.jsonl, summary.json and report.html go to
<out>/_kpress/<run-id>/.

kpress never writes over an input, and never over an existing file unless
--overwrite is given.

Each line and record gives the PSNR and the SSIMULACRA 2.1 score of the PNG
against the input (ssimulacra2: 100 identical, 90 visually lossless, 80 not
noticeable side by side, 70 high, 50 medium, 30 low; none under 8x8 pixels).

With --quality, the line (and the row's qualityMet) says when the target was
not reached with --colors colours at most.

A source of more than 8 bits per channel (16-bit PNG or TIFF) is never made
an 8-bit palette unless --allow-8bit is given: it is written as a lossless
16-bit PNG with the very same samples when that is smaller (a folder run
keeps the original otherwise; one file then exits 1, writing nothing). With
--allow-8bit its PSNR is measured against the full-depth source.

In a folder run, a file kpress cannot or should not compress (not an image,
DICOM, a format it does not read, a damaged image, over the pixel or byte
limits) is copied byte for byte under its own name (a copied row with the
reason), so that <out> can replace the input; --images-only leaves it out
instead (a skipped row, nothing written).

Exit status: 0 written; 1 bad input or I/O error (one line naming the file and
the reason), or a folder run with failed rows; 2 usage error (also: <out> is
an input, or inside an input folder).

Examples:
  $ kpress compress photo.jpg photo.png                # target 80
  $ kpress compress photo.jpg photo.png --target visually-lossless
  $ kpress compress photo.jpg photo.png --colors 64 --seed 7   # fixed 64 colours
  $ kpress compress photo.jpg photo.png --effort 5     # smallest file, ~4x the encode CPU
  $ kpress compress scan.tiff scan.png --quality 38 --colors 256 --json
  $ kpress compress photos/ archive/ --concurrency 4
  $ kpress compress a.jpg b.png c.webp out/`;

export async function runCompress(
  input: string,
  output: string,
  flags: CompressFlags,
): Promise<CompressRecord> {
  const started = performance.now();
  if ((await realPathOf(input)) === (await realPathOf(output))) {
    throw new CliError(
      `${output} is the input: kpress never writes over a source; give another output path`,
      EXIT.usage,
    );
  }
  if (flags.overwrite !== true && (await stat(output).catch(() => undefined)) !== undefined) {
    throw new CliError(
      `${output} exists: kpress never writes over a file unless --overwrite is given`,
      EXIT.failure,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (err) {
    throw new CliError(`${input}: ${ioReason(err)}`, 1, { cause: err });
  }
  const deflate = deflateBackend();
  if (deflate.name === 'zlib') say(`deflating with zlib (larger files, slower): ${deflate.reason}`);
  const options = imageOptionsOf(flags);
  const result = await codecResult(input, bytes, options);
  try {
    await writeWhole(output, result.png, { overwrite: flags.overwrite === true });
  } catch (err) {
    if (err instanceof OutputExistsError) throw new CliError(err.message, EXIT.failure);
    throw new CliError(`${output}: cannot write: ${ioReason(err)}`, 1, { cause: err });
  }
  const met = qualityMet(result.psnr, options.quality);
  return {
    input,
    output,
    status: pngIsSmaller(result.png.length, bytes.length) ? 'compressed' : 'not-smaller',
    originalBytes: bytes.length,
    outputBytes: result.png.length,
    width: result.width,
    height: result.height,
    colors: result.colors,
    psnr: Number.isFinite(result.psnr) ? Math.round(result.psnr * 1000) / 1000 : result.psnr,
    ssimulacra2: result.ssimulacra2,
    bitDepth: result.bitDepth,
    ms: Math.round(performance.now() - started),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    outputSha256: createHash('sha256').update(result.png).digest('hex'),
    ...(met === undefined ? {} : { qualityMet: met }),
    ...(options.target === undefined ? {} : { target: options.target }),
  };
}

/**
 * The PNG for one file: a deep source (more than 8 bits per channel) the
 * batch's way (a lossless 16-bit PNG, or refused when none is smaller: the
 * original is the archive; an 8-bit palette only with --allow-8bit, its PSNR
 * against the full depth), any other the palette as always.
 */
async function codecResult(
  input: string,
  bytes: Buffer,
  options: ImageOptions,
): Promise<{
  png: Uint8Array;
  width: number;
  height: number;
  colors: number | null;
  psnr: number;
  ssimulacra2: number | null;
  bitDepth: number;
}> {
  const provenance = localProvenance(
    options,
    basename(input),
    createHash('sha256').update(bytes).digest('hex'),
  );
  try {
    const deep = await compressIfDeep(bytes, {
      source: bytes,
      options,
      maxPixels: DEFAULT_MAX_PIXELS,
      provenance,
    });
    if (deep?.ok === false) {
      throw new CliError(
        `${input}: ${deep.message}; nothing written (--allow-8bit reduces it to an 8-bit palette)`,
        1,
      );
    }
    if (deep !== undefined) return deep;
    const r = await compressImage(bytes, { ...options, provenance });
    return { ...r, bitDepth: 8 };
  } catch (err) {
    if (err instanceof CodecError) {
      const note =
        err.code === 'MULTI_FRAME'
          ? ' (not converted; a batch keeps such files as originals)'
          : err.code === 'BELOW_TARGET'
            ? '; nothing written (a batch keeps such files as originals; a lower --target, or --colors K for a fixed palette, writes one)'
            : '';
      throw new CliError(`${input}: ${err.message}${note}`, 1, { cause: err });
    }
    throw err;
  }
}

export function summaryLine(r: CompressRecord, quality?: number): string {
  const saved = ((r.originalBytes - r.outputBytes) / r.originalBytes) * 100;
  const head = `${r.input} -> ${r.output}: ${formatBytes(r.originalBytes)} -> ${formatBytes(r.outputBytes)}`;
  const score = r.ssimulacra2 === null ? '' : `, SSIMULACRA 2 ${r.ssimulacra2.toFixed(2)}`;
  const how =
    r.colors === null
      ? `lossless ${r.bitDepth}-bit PNG (same samples)`
      : `${r.colors} colours, PSNR ${r.psnr.toFixed(2)} dB${r.bitDepth > 8 ? ` against the ${r.bitDepth}-bit source` : ''}${score}`;
  const tail = `${r.width}x${r.height}, ${how}, ${r.ms} ms`;
  const missed =
    r.qualityMet === false && quality !== undefined
      ? `; --quality ${quality} not reached with at most ${r.colors} colours (raise --colors, up to 256)`
      : '';
  if (r.status === 'not-smaller') {
    return `${head} (${(-saved).toFixed(1)}% larger: PNG written as asked; a batch would keep the original), ${tail}${missed}`;
  }
  return `${head} (saved ${saved.toFixed(1)}%), ${tail}${missed}`;
}

export function register(program: Command): void {
  addImageOptions(
    program
      .command('compress')
      .description(
        'compress local images: one file to a PNG, or many files or a folder into a folder',
      )
      .usage('[options] <in>... <out>')
      .argument(
        '<paths...>',
        'input images (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF, JPEG 2000) or folders, then the output PNG (one file) or output folder',
      ),
  )
    .option(
      '--concurrency <N>',
      'images at once with many files (default: number of cores)',
      intInRange('--concurrency', 1, 1024),
    )
    .option('--overwrite', 'replace outputs that exist (never an input)')
    .option(
      '--json',
      'print the result record (many files: summary.json) as JSON instead of a summary line',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], flags: CompressFlags) => {
      if (paths.length < 2) {
        throw new CliError(
          `compress needs an input and an output, got ${paths.length === 0 ? 'nothing' : `only ${JSON.stringify(paths[0])}`}: kpress compress <in>... <out>`,
          EXIT.usage,
        );
      }
      const inputs = paths.slice(0, -1);
      const output = paths.at(-1) as string;
      const one =
        inputs.length === 1 ? await stat(inputs[0] as string).catch(() => undefined) : undefined;
      const outIsDir =
        output.endsWith('/') || (await stat(output).catch(() => undefined))?.isDirectory() === true;
      if (inputs.length === 1 && one?.isDirectory() !== true && !outIsDir) {
        const record = await runCompress(inputs[0] as string, output, flags);
        if (record.qualityMet === false && flags.json) {
          say(
            `--quality ${flags.quality} not reached: ${record.psnr.toFixed(2)} dB with ${record.colors} colours (raise --colors, up to 256)`,
          );
        }
        process.stdout.write(
          flags.json ? `${JSON.stringify(record)}\n` : `${summaryLine(record, flags.quality)}\n`,
        );
        return;
      }
      const { compressFolder } = await import('../local/compress-folder.js');
      await compressFolder(inputs, output, {
        ...flags,
        concurrency: flags.concurrency ?? availableParallelism(),
        config: loadCliConfig(),
      });
    });
}
