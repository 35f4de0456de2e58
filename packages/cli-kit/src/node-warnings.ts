/**
 * The AWS SDK for JavaScript v3 prints an 8-line `NodeVersionSupportWarning`
 * (a notice that SDK versions from 2027 need Node 22) on Node 20, the first
 * time a client runs. It is not about the user's command, and it would turn
 * every one-line error into nine lines. This drops exactly that warning and
 * hands every other warning to Node's own printer, unchanged.
 */

/** The prefix the SDK gives the message (`process.emitWarning(...)`, type `Warning`). */
export const NODE_VERSION_WARNING_PREFIX = 'NodeVersionSupportWarning:';

/** True for the AWS SDK's Node version notice (and nothing else). */
export function isNodeVersionSupportWarning(warning: Error): boolean {
  return (
    warning.name === 'NodeVersionSupportWarning' ||
    (warning.name === 'Warning' && warning.message.startsWith(NODE_VERSION_WARNING_PREFIX))
  );
}

/**
 * Wraps the current `'warning'` listeners (Node's printer, unless
 * `--no-warnings`/`NODE_NO_WARNINGS=1`) so that they never see the SDK's Node
 * version notice. Call once, before any AWS client runs. Returns a function
 * that restores the original listeners.
 */
export function silenceNodeVersionSupportWarning(): () => void {
  const original = process.listeners('warning');
  const filtered = (warning: Error) => {
    if (isNodeVersionSupportWarning(warning)) return;
    for (const listener of original) listener(warning);
  };
  for (const listener of original) process.off('warning', listener);
  process.on('warning', filtered);
  return () => {
    process.off('warning', filtered);
    for (const listener of original) process.on('warning', listener);
  };
}
