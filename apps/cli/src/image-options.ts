import { CliError, EXIT, ruleParser } from '@kpress/cli-kit';
import { KPRESS_VERSION } from '@kpress/config/version';
import {
  IMAGE_OPTIONS,
  type ImageOptions,
  pickImageOptions,
  provenanceFacts,
  resolveImageOptions,
  TARGET_COLORS,
} from '@kpress/core/image-options';
import { DEFAULT_TARGET, InvalidOptionError, showValue } from '@kpress/core/option-rules';
import type { Command } from 'commander';

/** The image options `compress` and `enqueue` share, as commander parses them (named as ImageOptions names them). */
export interface ImageFlags {
  target?: number;
  /** Absent: 256 with a target (the most its search may use), 16 without (resolveImageOptions). */
  colors?: number;
  quality?: number;
  seed: number;
  effort: number;
  stripMetadata?: boolean;
  dither?: boolean;
  allow8bit?: boolean;
  imagesOnly?: boolean;
}

/** How one image option is typed on the command line: a number's value name, and the help. */
interface FlagSpec {
  /** The value's name in the help (`--colors <K>`); absent for a switch. */
  value?: string;
  help: string;
  /** No commander default: the option's default depends on the others (resolveImageOptions). */
  noDefault?: true;
}

/**
 * Each image option's flag, in the order `--help` lists them. Its name, rule
 * and default come from @kpress/core's IMAGE_OPTIONS; an option there without
 * a flag here does not compile.
 */
const FLAGS = {
  target: {
    value: 'SCORE',
    help: `perceptual target, ${IMAGE_OPTIONS.target.rule.expected}: per image, the palette size (up to --colors) and dithering that reach this SSIMULACRA 2.1 score in the fewest bytes; an image no palette serves keeps its original (default: ${DEFAULT_TARGET} unless --colors or --quality is given)`,
    noDefault: true,
  },
  colors: {
    value: 'K',
    help: `palette size, ${IMAGE_OPTIONS.colors.rule.expected}: with --target the most its search may use (default ${TARGET_COLORS}); without it, a fixed palette of K (alone: turns the default target off; default ${IMAGE_OPTIONS.colors.rule.default} with --quality)`,
    noDefault: true,
  },
  quality: {
    value: 'DB',
    help: `target PSNR, ${IMAGE_OPTIONS.quality.rule.expected}: the fewest colours (up to --colors) that reach it (turns the default target off; not with --target)`,
  },
  seed: {
    value: 'N',
    help: `seed for the k-means start, ${IMAGE_OPTIONS.seed.rule.expected} (same seed, same bytes)`,
  },
  effort: {
    value: 'N',
    help: `PNG encoding effort, ${IMAGE_OPTIONS.effort.rule.expected}: 1 fastest, 5 smallest; the pixels are the same at every effort`,
  },
  dither: {
    help: 'Floyd–Steinberg error diffusion: smoother gradients, slightly lower PSNR, usually larger files (off by default)',
  },
  stripMetadata: {
    help: "leave the source's EXIF, XMP and text chunks out of the PNG (kept by default; provenance stays)",
  },
  allow8bit: {
    help: 'let a source of more than 8 bits per channel become an 8-bit palette (off by default: it is re-encoded as a lossless 16-bit PNG, or kept)',
  },
  imagesOnly: {
    help: 'images only: an object kpress cannot or should not compress (not an image, DICOM, damaged, over the limits) is a skipped row, nothing written (default: copied byte for byte under its own name)',
  },
} satisfies { [K in keyof ImageOptions]-?: FlagSpec };

/**
 * Adds every image option's flag (`--target`, `--colors`, `--quality`, `--seed`,
 * `--effort`, `--dither`, `--strip-metadata`) to a command, each with its one
 * rule from @kpress/core (the codec, the job schema and batch.json check the
 * same), its help and its default.
 */
export function addImageOptions(command: Command): Command {
  for (const [name, flag] of Object.entries(FLAGS) as [keyof ImageOptions, FlagSpec][]) {
    const spec = IMAGE_OPTIONS[name];
    if (spec.kind === 'switch') {
      command.option(`--${spec.flag}`, flag.help);
    } else {
      const typed = `--${name}`;
      command.option(
        `${typed} <${flag.value}>`,
        flag.help,
        ruleParser(spec.rule, typed),
        'noDefault' in flag ? undefined : spec.rule.default,
      );
    }
  }
  return command;
}

/** The image options of parsed flags, every default filled in: what the codec, the pool and enqueue take. */
export function imageOptionsOf(flags: object): ImageOptions {
  try {
    return resolveImageOptions(pickImageOptions(flags));
  } catch (err) {
    // a pair of flags refused together (--quality with --target): a usage error, named as typed
    if (err instanceof InvalidOptionError) {
      throw new CliError(
        `--${err.option} must be ${err.expected}, got ${showValue(err.actual)}`,
        EXIT.usage,
      );
    }
    throw err;
  }
}

/** What a locally written PNG says of itself (its Software and kpress text chunks). */
export function localProvenance(options: ImageOptions, source: string, sourceSha256: string) {
  return {
    software: `kpress ${KPRESS_VERSION}`,
    facts: {
      source,
      sourceSha256,
      ...provenanceFacts(options),
      kpressVersion: KPRESS_VERSION,
    },
  };
}
