/**
 * Closes `target` on the first SIGTERM or SIGINT, then calls `exit(code)`:
 * 0 when it closed cleanly, 1 otherwise. A second signal exits at once with 130.
 * Returns a function that removes the handlers.
 */
export function closeOnSignals(
  target: { close(): Promise<void> },
  options: { exit?: (code: number) => void; onSignal?: (signal: NodeJS.Signals) => void } = {},
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    options.onSignal?.(signal);
    if (closing) {
      exit(130);
      return;
    }
    closing = true;
    target.close().then(
      () => exit(0),
      () => exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
