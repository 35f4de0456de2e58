import {
  IMAGE_OPTIONS,
  type ImageOptionSpec,
  type StoredImageOptions,
} from '@kpress/core/image-options';
import { invalidOption, type OptionRule } from '@kpress/core/option-rules';
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

function fieldSchema(spec: ImageOptionSpec, optional: boolean): z.ZodType {
  const schema = spec.kind === 'number' ? optionSchema(spec.rule) : z.boolean();
  return optional || spec.kind === 'switch' || spec.required !== true ? schema.optional() : schema;
}

/** One zod field per image option of @kpress/core's IMAGE_OPTIONS, `optional` all absent-able. */
function shapeOf(optional: boolean): Record<keyof StoredImageOptions, z.ZodType> {
  return Object.fromEntries(
    Object.entries(IMAGE_OPTIONS).map(([name, spec]) => [name, fieldSchema(spec, optional)]),
  ) as Record<keyof StoredImageOptions, z.ZodType>;
}

/**
 * The image options as job data and `batch.json` store them, once, made from
 * @kpress/core's IMAGE_OPTIONS (a new option there is a new field here): each
 * number by its rule, the switches as booleans; colors and seed required,
 * the rest absent-able (absent: the default, applied by resolveImageOptions).
 * Spread it into an object schema: `z.object({ ...IMAGE_OPTIONS_SHAPE, ... })`.
 */
export const IMAGE_OPTIONS_SHAPE = shapeOf(false);

/** The same fields, every one absent-able (old flat compress jobs, whose options sit beside the key). */
export const IMAGE_OPTIONS_PARTIAL_SHAPE = shapeOf(true);

/** {@link IMAGE_OPTIONS_SHAPE} as an object schema. */
export const ImageOptionsSchema = z.object(IMAGE_OPTIONS_SHAPE) as unknown as z.ZodType<
  StoredImageOptions,
  StoredImageOptions
>;
