import { COLORS, EFFORT, invalidOption, type OptionRule, QUALITY, SEED } from '@kpress/core';
import { z } from 'zod';

/**
 * The zod schema of an option with a rule in @kpress/core: job data and
 * batch.json accept exactly what the rule accepts, and a refusal carries the
 * rule's message (`colors must be an integer from 2 to 256, got 300`).
 */
export function optionSchema(rule: OptionRule) {
  return z.custom<number>((value) => rule.accepts(value), {
    error: (issue) => invalidOption(rule.name, rule.expected, issue.input).message,
  });
}

/**
 * The image options every layer carries (job data, `batch.json`), once: each
 * number by its @kpress/core rule, the switches as booleans (absent: off).
 * Spread it into an object schema: `z.object({ ...IMAGE_OPTIONS_SHAPE, ... })`.
 */
export const IMAGE_OPTIONS_SHAPE = {
  /** Palette size asked for (rule: COLORS). */
  colors: optionSchema(COLORS),
  /** Target PSNR in dB, when set (rule: QUALITY). */
  quality: optionSchema(QUALITY).optional(),
  /** k-means seed, so that a rerun gives the same output (rule: SEED). */
  seed: optionSchema(SEED),
  /** Drop the source's EXIF, XMP and text chunks from the output (`--strip-metadata`). */
  stripMetadata: z.boolean().optional(),
  /** PNG encoding effort (rule: EFFORT); absent (batches from before it existed): the default, 3. */
  effort: optionSchema(EFFORT).optional(),
  /** Floyd–Steinberg error diffusion onto the palette (`--dither`); absent: off. */
  dither: z.boolean().optional(),
};
