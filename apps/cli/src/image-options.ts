import { KPRESS_VERSION } from '@kpress/config';
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

/** The codec's options for these flags (compressImage and the pool's task take the same). */
export function codecOptions(flags: ImageFlags) {
  return {
    colors: flags.colors,
    seed: flags.seed,
    effort: flags.effort,
    keepMetadata: flags.stripMetadata !== true,
    ...(flags.dither === true ? { dither: true } : {}),
    ...(flags.quality === undefined ? {} : { quality: flags.quality }),
  };
}

/** What a locally written PNG says of itself (its Software and kpress text chunks). */
export function localProvenance(flags: ImageFlags, source: string, sourceSha256: string) {
  return {
    software: `kpress ${KPRESS_VERSION}`,
    facts: {
      source,
      sourceSha256,
      colors: flags.colors,
      seed: flags.seed,
      ...(flags.quality === undefined ? {} : { quality: flags.quality }),
      effort: flags.effort,
      ...(flags.dither === true ? { dither: 'floyd-steinberg' } : {}),
      kpressVersion: KPRESS_VERSION,
    },
  };
}
