// What one benchmark run reports; shared by the runner (child) and main (parent).

/**
 * 'kpress' is the default effort (3); 'kpress-effortN' the other efforts; 'kpress-zlib' the
 * default effort with the addon switched off (KPRESS_DEFLATE=zlib: zlib level 9, the encoder
 * this replaced). 'sharp' is sharp's palette PNG at its default effort 7, 'sharp-effort1' at 1.
 */
export type SystemName =
  | 'kpress'
  | 'kpress-effort1'
  | 'kpress-effort2'
  | 'kpress-effort4'
  | 'kpress-effort5'
  | 'kpress-zlib'
  | 'sharp'
  | 'sharp-effort1'
  | 'pngquant'
  | 'full-lloyd'
  | 'textbook';

export interface RunSpec {
  system: SystemName;
  /** Path of the encoded input image. */
  input: string;
  /** Path of the same image as a plain RGB PNG (for pngquant, which reads PNG only). */
  pngInput: string;
  colors: number;
  /** Timed repetitions after one untimed warm-up run; the median is reported. */
  reps: number;
  /**
   * textbook only: cap its Lloyd at this many iterations and report the time per iteration
   * times `extrapolateTo` (an extrapolation, flagged in the result). Unset: run to convergence.
   */
  capIterations?: number;
  /** With capIterations: the iteration count to extrapolate to. */
  extrapolateTo?: number;
}

export interface RunResult {
  system: SystemName;
  image: string;
  colors: number;
  megapixels: number;
  /** Median end-to-end ms: encoded bytes in, PNG bytes out (NaN when not applicable). */
  endToEndMs: number;
  /** Median CPU ms (user + system, every thread of the process) of one end-to-end run (NaN when not applicable). */
  cpuMs: number;
  /** Median ms of quantize + map alone (NaN when the system does not expose it). */
  quantizeMs: number;
  psnr: number;
  /** Encoded PNG size (NaN for systems that write no PNG). */
  bytes: number;
  /** Distinct colours actually in the output. */
  colorsUsed: number;
  /** Peak resident set of the child process running this system alone, in MB. */
  peakRssMb: number;
  /** Lloyd iterations (k-means systems; NaN for others). */
  iterations: number;
  /** True when quantizeMs is extrapolated from a capped run (see RunSpec.capIterations). */
  extrapolated: boolean;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Parses a runner's JSON line: JSON has no NaN, so null numbers come back as NaN. */
export function parseRunResult(line: string): RunResult {
  const raw = JSON.parse(line) as Record<string, unknown>;
  for (const key of [
    'endToEndMs',
    'cpuMs',
    'quantizeMs',
    'psnr',
    'bytes',
    'colorsUsed',
    'peakRssMb',
    'iterations',
  ]) {
    if (raw[key] === null || raw[key] === undefined) raw[key] = Number.NaN;
  }
  raw.extrapolated = raw.extrapolated === true;
  return raw as unknown as RunResult;
}
