import { COLORS, EFFORT, QUALITY, SEED } from '@kpress/core';
import type { Command } from 'commander';
import { ruleParser } from '@kpress/cli-kit';

/** The image options `compress` and `enqueue` share, as commander parses them. */
export interface ImageFlags {
  colors: number;
  quality?: number;
  seed: number;
  effort: number;
  stripMetadata?: boolean;
  dither?: boolean;
}

/**
 * Adds `--colors`, `--quality`, `--seed`, `--effort`, `--dither` and `--strip-metadata` to a command, each with its one
 * rule from @kpress/core (the codec, the job schema and batch.json check the
 * same), its help and its default.
 */
export function addImageOptions(command: Command): Command {
  return command
    .option(
      `--colors <K>`,
      `palette size, ${COLORS.expected}`,
      ruleParser(COLORS, '--colors'),
      COLORS.default,
    )
    .option(
      '--quality <DB>',
      `target PSNR, ${QUALITY.expected}: the fewest colours (up to --colors) that reach it`,
      ruleParser(QUALITY, '--quality'),
    )
    .option(
      '--seed <N>',
      `seed for the k-means start, ${SEED.expected} (same seed, same bytes)`,
      ruleParser(SEED, '--seed'),
      SEED.default,
    )
    .option(
      '--effort <N>',
      `PNG encoding effort, ${EFFORT.expected}: 1 fastest, 5 smallest; the pixels are the same at every effort`,
      ruleParser(EFFORT, '--effort'),
      EFFORT.default,
    )
    .option(
      '--dither',
      'Floyd–Steinberg error diffusion: smoother gradients, slightly lower PSNR, usually larger files (off by default)',
    )
    .option(
      '--strip-metadata',
      "leave the source's EXIF, XMP and text chunks out of the PNG (kept by default; provenance stays)",
    );
}
