/**
 * The image options, as one object carried whole: the CLI's flags, the
 * producer's `enqueue({ source, dest, options })`, job data, `batch.json`,
 * the worker, the codec, the PNG's provenance and the S3 metadata all take an
 * {@link ImageOptions} (libimagequant's one `Attributes`, sharp's one
 * `this.options`). The defaults are filled in here and nowhere else
 * ({@link resolveImageOptions}); each number is checked by its one rule
 * (option-rules.ts). Everything that goes over every option (stored form,
 * comparison, the command line that makes them, the provenance facts) walks
 * {@link IMAGE_OPTIONS}, so a new option is its rule, its entry here, its
 * flag and the place that uses it. Pure: no I/O, no dependency.
 */
import {
  COLORS,
  DEFAULT_TARGET,
  EFFORT,
  invalidOption,
  type OptionRule,
  QUALITY,
  SEED,
  showValue,
  TARGET,
} from './option-rules.js';

/** The image options of one compression, every default filled in. */
export interface ImageOptions {
  /**
   * Perceptual target, a SSIMULACRA 2.1 score (rule: TARGET): per image, the
   * palette size (up to `colors`) and dithering that reach it in the fewest
   * bytes; an image no palette serves keeps its original. Default 80
   * (DEFAULT_TARGET) when none of target, colors and quality is given;
   * absent: off, a fixed palette of `colors` (or the PSNR search of `quality`).
   */
  target?: number;
  /** Palette size asked for, the most the target's search may use (rule: COLORS; default 256 with a target, 16 without). */
  colors: number;
  /** k-means seed: the same seed gives the same bytes (rule: SEED; default 1). */
  seed: number;
  /** Target PSNR in dB (rule: QUALITY); absent: off, `colors` colours. */
  quality?: number;
  /** PNG encoding effort 1..5 (rule: EFFORT; default 3): the bytes change, never the pixels. */
  effort: number;
  /** Leave the source's EXIF, XMP and text chunks out of the PNG (`--strip-metadata`; default false). */
  stripMetadata: boolean;
  /** Floyd–Steinberg error diffusion onto the palette (`--dither`; default false). */
  dither: boolean;
  /**
   * Let a source deeper than 8 bits per channel be reduced to an 8-bit
   * palette (`--allow-8bit`; default false: such a source is re-encoded as a
   * lossless 16-bit PNG, or kept as it is; DESIGN invariant 10).
   */
  allow8bit: boolean;
  /**
   * Compress images only (`--images-only`; default false): what is not an
   * image kpress compresses or keeps (not an image, DICOM, damaged, over the
   * limits) is a `skipped` row and nothing is written, instead of a byte copy
   * (`copied`). Part of the batch's identity: it decides what is written.
   */
  imagesOnly: boolean;
}

/** Image options as a caller gives them: any field may be absent (absent: its default). */
export type ImageOptionsInput = Partial<ImageOptions>;

/**
 * Image options as job data and `batch.json` store them: colors and seed
 * always (every batch ever written has them), the rest when set (absent: the
 * default, so files written before an option existed read as they were made).
 * `target` is stored whenever it is on; since `colors` is always stored, a
 * stored form without `target` reads as a fixed palette (resolveImageOptions):
 * what every batch written before the target existed was.
 */
export type StoredImageOptions = Pick<ImageOptions, 'colors' | 'seed'> & ImageOptionsInput;

/** A numeric option: checked by its rule; its default is the rule's. */
export interface NumberOptionSpec {
  readonly kind: 'number';
  readonly rule: OptionRule;
  /** Present in every stored form (job data, batch.json) since the first version. */
  readonly required?: boolean;
  /** Left out of the words of describeImageOptions when off (instead of `name none`). */
  readonly silentWhenOff?: boolean;
}

/** An on/off option (a flag without a value); off by default. */
export interface SwitchOptionSpec {
  readonly kind: 'switch';
  /** Its command-line flag without the dashes (`strip-metadata`). */
  readonly flag: string;
  /** What the provenance (PNG text chunk, S3 metadata) says when it is on; absent: not recorded. */
  readonly fact?: string;
}

export type ImageOptionSpec = NumberOptionSpec | SwitchOptionSpec;

/**
 * Every image option, in the order they are shown and stored. Adding a field
 * to {@link ImageOptions} without an entry here does not compile.
 */
export const IMAGE_OPTIONS = {
  target: { kind: 'number', rule: TARGET, silentWhenOff: true },
  colors: { kind: 'number', rule: COLORS, required: true },
  seed: { kind: 'number', rule: SEED, required: true },
  quality: { kind: 'number', rule: QUALITY },
  effort: { kind: 'number', rule: EFFORT },
  stripMetadata: { kind: 'switch', flag: 'strip-metadata' },
  dither: { kind: 'switch', flag: 'dither', fact: 'floyd-steinberg' },
  allow8bit: { kind: 'switch', flag: 'allow-8bit', fact: 'true' },
  imagesOnly: { kind: 'switch', flag: 'images-only' },
} as const satisfies { readonly [K in keyof ImageOptions]-?: ImageOptionSpec };

/** The image options' names, in order. */
export const IMAGE_OPTION_NAMES = Object.keys(IMAGE_OPTIONS) as (keyof ImageOptions)[];

const specs = Object.entries(IMAGE_OPTIONS) as [keyof ImageOptions, ImageOptionSpec][];

/** The palette size a target's search may use when `colors` is not given. */
export const TARGET_COLORS = 256;

/**
 * The target's default, which depends on the other options: DEFAULT_TARGET
 * when none of target, colors and quality is given; a given `colors` or
 * `quality` without a target means the fixed palette (or the PSNR search).
 * A target and `quality` together are refused: one search, one measure. In
 * target mode an absent `colors` is TARGET_COLORS.
 */
function withTarget(given: Record<string, unknown>, out: Record<string, number | boolean>): void {
  if (given.target === undefined && given.colors === undefined && given.quality === undefined) {
    out.target = DEFAULT_TARGET;
  }
  if (out.target === undefined) return;
  if (given.quality !== undefined) {
    throw invalidOption(
      'quality',
      `absent when a target is set (target ${out.target} picks the palette by its SSIMULACRA 2.1 score, quality by PSNR: give one of them)`,
      given.quality,
    );
  }
  if (given.colors === undefined) out.colors = TARGET_COLORS;
}

/**
 * Checks each option by its rule and fills in the defaults: the one place a
 * missing option gets its value. Throws an InvalidOptionError (a RangeError)
 * naming the option, or a TypeError when `input` is not an object.
 */
export function resolveImageOptions(input: ImageOptionsInput = {}): ImageOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`options must be an object, got ${showValue(input)}`);
  }
  const given = input as Record<string, unknown>;
  const out: Record<string, number | boolean> = {};
  for (const [name, spec] of specs) {
    const value = given[name];
    if (spec.kind === 'number') {
      if (value !== undefined) out[name] = spec.rule.check(value);
      else if (spec.rule.default !== undefined) out[name] = spec.rule.default;
    } else if (value === undefined || typeof value === 'boolean') {
      out[name] = value === true;
    } else {
      throw invalidOption(name, 'true or false', value);
    }
  }
  withTarget(given, out);
  return out as unknown as ImageOptions;
}

/** Just the image options of a larger object (CLI flags, legacy flat job data), absent ones left out. */
export function pickImageOptions(from: object): ImageOptionsInput {
  const given = from as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of IMAGE_OPTION_NAMES) if (given[name] !== undefined) out[name] = given[name];
  return out as ImageOptionsInput;
}

/**
 * The stored form (job data, batch.json): numbers when set (defaults
 * included), switches only when on, so that a default batch's batch.json
 * reads as it always did.
 */
export function storedImageOptions(options: ImageOptionsInput): StoredImageOptions {
  const o = resolveImageOptions(options) as unknown as Record<string, number | boolean>;
  const out: Record<string, number | boolean> = {};
  for (const [name, spec] of specs) {
    const value = o[name];
    if (spec.kind === 'number' ? value !== undefined : value === true) out[name] = value as never;
  }
  return out as unknown as StoredImageOptions;
}

/**
 * Whether two sets of options make the same outputs, byte for byte (each with
 * its defaults: an absent effort is 3, an absent switch off). Every option
 * counts, effort too: it changes the bytes, though never the pixels.
 */
export function sameImageOptions(a: ImageOptionsInput, b: ImageOptionsInput): boolean {
  const x = resolveImageOptions(a);
  const y = resolveImageOptions(b);
  return IMAGE_OPTION_NAMES.every((name) => x[name] === y[name]);
}

/**
 * The command-line flags that make these options, in one order (`--colors 16
 * --seed 1 --effort 3 --dither`): every number that has a value, every switch
 * that is on. Without `--target`, `--colors` makes the fixed palette again.
 */
export function imageOptionFlags(options: ImageOptionsInput): string[] {
  const o = resolveImageOptions(options) as unknown as Record<string, number | boolean>;
  const flags: string[] = [];
  for (const [name, spec] of specs) {
    const value = o[name];
    if (spec.kind === 'number') {
      if (value !== undefined) flags.push(`--${name} ${value}`);
    } else if (value === true) {
      flags.push(`--${spec.flag}`);
    }
  }
  return flags;
}

/** The options in words for a message: `target 80, colors 256, seed 1, quality none, effort 3, dither` (no target when off). */
export function describeImageOptions(options: ImageOptionsInput): string {
  const o = resolveImageOptions(options) as unknown as Record<string, number | boolean>;
  const parts: string[] = [];
  for (const [name, spec] of specs) {
    const value = o[name];
    if (spec.kind === 'number') {
      if (value !== undefined || !('silentWhenOff' in spec))
        parts.push(`${name} ${value ?? 'none'}`);
    } else if (value === true) parts.push(spec.flag);
  }
  return parts.join(', ');
}

/**
 * What an output says of how it was made (the PNG's `kpress` text chunk and
 * the `x-amz-meta-kpress-*` metadata): every number that has a value, and
 * each switch that is on and has a fact (`dither: 'floyd-steinberg'`).
 */
export function provenanceFacts(options: ImageOptionsInput): Record<string, string | number> {
  const o = resolveImageOptions(options) as unknown as Record<string, number | boolean>;
  const facts: Record<string, string | number> = {};
  for (const [name, spec] of specs) {
    const value = o[name];
    if (spec.kind === 'number') {
      if (value !== undefined) facts[name] = value as number;
    } else if (value === true && spec.fact !== undefined) {
      facts[name] = spec.fact;
    }
  }
  return facts;
}
