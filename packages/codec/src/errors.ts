/**
 * Why an input was refused. `MULTI_FRAME` is a good image that a palette PNG
 * cannot hold without losing content (animated, multi-page), `BELOW_TARGET`
 * one that no palette serves at the perceptual target: downstream keeps
 * either as the original. Every other code is a bad input (a failed row).
 */
export type CodecErrorCode =
  | 'EMPTY'
  | 'NOT_AN_IMAGE'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT'
  | 'TOO_MANY_PIXELS'
  | 'MULTI_FRAME'
  | 'BELOW_TARGET';

/** A refused input, with a message a person understands. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly code: CodecErrorCode;
  /** The image's size after EXIF orientation, where it was decoded (BELOW_TARGET). */
  readonly size?: { width: number; height: number };

  constructor(
    code: CodecErrorCode,
    message: string,
    options?: { cause?: unknown; size?: { width: number; height: number } },
  ) {
    super(message, options);
    this.code = code;
    if (options?.size !== undefined) this.size = options.size;
  }
}

/**
 * True when the input is a good image that should be archived as the original
 * byte for byte (kept-original) rather than failed.
 */
export function isKeepOriginal(err: unknown): err is CodecError {
  return err instanceof CodecError && (err.code === 'MULTI_FRAME' || err.code === 'BELOW_TARGET');
}
