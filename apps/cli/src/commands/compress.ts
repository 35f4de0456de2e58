import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { CliError, EXIT, intInRange, loadCliConfig, say } from '@kpress/cli-kit';
import type { Command } from 'commander';
import { addImageOptions, type ImageFlags } from '../image-options.js';

export interface CompressFlags extends ImageFlags {
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
batch would keep the original there). One file has no pixel limit but sharp's.

Many files, or a folder: <out> is a folder (made if missing). Each file is
compressed as a batch does it, in a pool of --concurrency threads: a folder's
tree is mirrored, x.jpg is written as x.jpg.png (a PNG keeps its name), a PNG
no smaller than the original keeps the original byte for byte, an image over
the pixel limit is copied unchanged (KPRESS_MAX_PIXELS; by default what
KPRESS_SLOT_MEMORY_MB allows at 256 bytes per pixel: 3072 MiB, 12.5
megapixels; set 6144 for 24 MP photos).
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
        const { runCompress, summaryLine } = await import('../local/compress-file.js');
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
        config: await loadCliConfig(),
      });
    });
}
