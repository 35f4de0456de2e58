/**
 * Why an input was refused. `MULTI_FRAME` is a good image that a palette PNG
 * cannot hold without losing content (animated, multi-page): downstream keeps
 * it as the original. Every other code is a bad input (a failed row).
 */
export type CodecErrorCode =
  | 'EMPTY'
  | 'NOT_AN_IMAGE'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT'
  | 'TOO_MANY_PIXELS'
  | 'MULTI_FRAME';

/** A refused input, with a message a person understands. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * True when the input is a good image that should be archived as the original
 * byte for byte (kept-original) rather than failed.
 */
export function isKeepOriginal(err: unknown): err is CodecError {
  return err instanceof CodecError && err.code === 'MULTI_FRAME';
}
