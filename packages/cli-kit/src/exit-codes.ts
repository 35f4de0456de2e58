/**
 * The exit status of every kpress command (also in `kpress --help` and
 * apps/cli/README.md).
 */
export const EXIT = {
  /** The command did its work (with enqueue --wait: the batch finished, even with failed rows). */
  ok: 0,
  /** A runtime failure: unreachable Redis, missing bucket, denied access, a bad image for compress. */
  failure: 1,
  /** A usage error: unknown command, bad or missing flag or argument. */
  usage: 2,
  /** Cut off by SIGINT before it finished its work (128 + 2). */
  sigint: 130,
  /** Cut off by SIGTERM before it finished its work (128 + 15). */
  sigterm: 143,
} as const;

/** Exit status for a command cut off by `signal`. */
export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
}
