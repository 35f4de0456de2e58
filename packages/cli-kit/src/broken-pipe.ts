/**
 * `kpress enqueue --help | head -1`: `head` closes the pipe after one line and
 * the next write fails with EPIPE, which Node raises as an unhandled 'error'
 * on process.stdout (a stack trace, exit 1). A reader that has gone away is
 * not a failure of the command: on EPIPE on stdout or stderr kpress stops
 * writing and exits at once, quietly, with the exit status already set
 * (0 unless the command had failed).
 */

/** Installs the handlers on stdout and stderr; returns a function that removes them. */
export function exitQuietlyOnBrokenPipe(
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const streams = [process.stdout, process.stderr];
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
      exit(code);
      return;
    }
    // Not a closed pipe: keep Node's behaviour for an unhandled stream error.
    throw err;
  };
  for (const s of streams) s.on('error', onError);
  return () => {
    for (const s of streams) s.off('error', onError);
  };
}
