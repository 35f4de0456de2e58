import { integerRule, type OptionRule } from '@kpress/core/option-rules';
import { InvalidArgumentError } from 'commander';

/**
 * commander argument parser for an option with a rule in @kpress/core
 * (`COLORS`, `SEED`, `QUALITY`): the same rule, and the same message, as the
 * codec, the job schema and batch.json, naming the flag as typed.
 */
export function ruleParser(rule: OptionRule, flag: string): (value: string) => number {
  return (value) => {
    try {
      return rule.fromText(value, flag);
    } catch (err) {
      throw new InvalidArgumentError(`${(err as Error).message}.`);
    }
  };
}

/** commander argument parser for an integer in [min, max] (a CLI-only option such as --workers). */
export function intInRange(name: string, min: number, max: number): (value: string) => number {
  return ruleParser(integerRule(name, min, max), name);
}
