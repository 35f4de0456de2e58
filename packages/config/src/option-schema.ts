import { invalidOption, type OptionRule } from '@kpress/core';
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
