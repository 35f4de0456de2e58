/**
 * The one rule of each option a user sets (`target`, `colors`, `seed`, `quality`, `effort`):
 * what it accepts, its default and its message. Every layer checks through
 * these: the k-means, the codec, the CLI flags, the job schema and
 * `batch.json`, so a value one of them accepts, all accept, and a refusal
 * reads the same everywhere. Pure: no I/O, no dependency.
 */

/** Shows a value in a message: strings quoted, numbers as they are. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object')
    return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** A refused option value (a RangeError): names the option, what it expects and what it got. */
export class InvalidOptionError extends RangeError {
  /** The option as the caller named it (`colors`, `--colors`). */
  declare readonly option: string;
  /** What it accepts, e.g. "an integer from 2 to 256". */
  declare readonly expected: string;
  /** The value given. */
  declare readonly actual: unknown;

  constructor(option: string, expected: string, actual: unknown) {
    // keeps the name RangeError: what every check threw before this class
    super(`${option} must be ${expected}, got ${showValue(actual)}`);
    // not enumerable: the error compares and prints as the RangeError it was
    Object.defineProperties(this, {
      option: { value: option },
      expected: { value: expected },
      actual: { value: actual },
    });
  }
}

/** The one helper for an invalid parameter (sharp's `invalidParameterError`). */
export function invalidOption(
  option: string,
  expected: string,
  actual: unknown,
): InvalidOptionError {
  return new InvalidOptionError(option, expected, actual);
}

/** The rule of one numeric option. */
export interface OptionRule {
  /** The option's name in data and code (`colors`). */
  readonly name: string;
  /** What it accepts, in words. */
  readonly expected: string;
  /** The value used when none is given (undefined: the option is off by default). */
  readonly default: number | undefined;
  /** Whether `value` is acceptable. */
  accepts(value: unknown): value is number;
  /** `value`, or throws an InvalidOptionError naming it `as` (default `name`). */
  check(value: unknown, as?: string): number;
  /**
   * A value typed as text (a CLI flag): numeric text becomes its number, then
   * `check`; so `--colors 300` and `{ colors: 300 }` are refused alike.
   */
  fromText(text: string, as?: string): number;
}

function rule(
  name: string,
  expected: string,
  defaultValue: number | undefined,
  accepts: (v: number) => boolean,
): OptionRule {
  const ok = (value: unknown): value is number =>
    typeof value === 'number' && Number.isFinite(value) && accepts(value);
  return {
    name,
    expected,
    default: defaultValue,
    accepts: ok,
    check(value, as = name) {
      if (!ok(value)) throw invalidOption(as, expected, value);
      return value;
    },
    fromText(text, as = name) {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      if (!ok(n)) throw invalidOption(as, expected, Number.isNaN(n) ? text : n);
      return n;
    },
  };
}

/** An integer option from `min` to `max` inclusive. */
export function integerRule(
  name: string,
  min: number,
  max: number,
  defaultValue?: number,
): OptionRule {
  return rule(
    name,
    `an integer from ${min} to ${max}`,
    defaultValue,
    (v) => Number.isInteger(v) && v >= min && v <= max,
  );
}

/** Palette size: 2 to 256 colours; default 16. */
export const COLORS = integerRule('colors', 2, 256, 16);

/** k-means++ seed: the same seed gives the same output everywhere; default 1. */
export const SEED = integerRule('seed', 0, 0xffff_ffff, 1);

/**
 * Target PSNR in dB: the fewest colours (at most `colors`) that reach it.
 * Off by default. Above 0 and at most 100 dB (8-bit images reach ~48 dB at
 * one level of error everywhere; lossless is Infinity, which no target needs).
 */
export const QUALITY = rule(
  'quality',
  'a number of dB above 0 and at most 100',
  undefined,
  (v) => v > 0 && v <= 100,
);

/**
 * PNG encoding effort, 1 (fastest) to 5 (smallest); default 3. It changes
 * only how the palette PNG is deflated, never its pixels: every effort
 * decodes to the same image with the same PSNR. The levels, measured, are
 * in @kpress/codec's effort.ts.
 */
export const EFFORT = integerRule('effort', 1, 5, 3);

/** The named levels of `target` (SSIMULACRA 2.1: 70 high quality, 80 not noticeable side by side at 1:1, 90 visually lossless). */
export const TARGET_LEVELS: Readonly<Record<string, number>> = {
  medium: 70,
  high: 80,
  'visually-lossless': 90,
};

/** The target a compression aims at when none of target, colors and quality is given. */
export const DEFAULT_TARGET = 80;

const levelWords = Object.entries(TARGET_LEVELS)
  .map(([name, score]) => `${name} (${score})`)
  .join(', ');
/**
 * Scores are recorded to 2 decimals (codec roundScore: the row, the PNG chunk, the S3 metadata),
 * so a target takes at most 2 decimals: a score that reaches such a target still reaches it once
 * rounded (rounding is monotone and the target is on its grid), so no record shows a stored image
 * below its target (target 81.403 could pass a raw 81.4031 recorded as 81.40).
 */
const onRecordGrid = (v: number): boolean => Math.abs(Math.round(v * 100) - v * 100) < 1e-6;
const numericTarget = rule(
  'target',
  `a SSIMULACRA 2.1 score above 0 and at most 100 with at most 2 decimals, or ${levelWords}`,
  undefined,
  (v) => v > 0 && v <= 100 && onRecordGrid(v),
);

/** A level's name as its score; anything else as it is. */
function levelScore(value: unknown): unknown {
  return typeof value === 'string' && Object.hasOwn(TARGET_LEVELS, value)
    ? TARGET_LEVELS[value]
    : value;
}

/**
 * Perceptual target (SSIMULACRA 2.1 score): per image, the palette size (up
 * to `colors`) and dithering that reach it in the fewest bytes; an image no
 * palette serves keeps its original. A number above 0 and at most 100, or a
 * level's name (TARGET_LEVELS). Its default depends on the other options
 * (image-options.ts: DEFAULT_TARGET unless `colors` or `quality` is given),
 * so the rule itself has none.
 */
export const TARGET: OptionRule = {
  ...numericTarget,
  check: (value, as) => numericTarget.check(levelScore(value), as),
  fromText: (text, as) =>
    Object.hasOwn(TARGET_LEVELS, text.trim())
      ? (TARGET_LEVELS[text.trim()] as number)
      : numericTarget.fromText(text, as),
};

/** Every option rule, by name. */
export const OPTION_RULES = {
  target: TARGET,
  colors: COLORS,
  seed: SEED,
  quality: QUALITY,
  effort: EFFORT,
} as const;
