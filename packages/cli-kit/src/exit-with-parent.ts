/**
 * KPRESS_EXIT_WITH_PARENT=1: a `kpress worker` started by another program
 * (the demo, the test kit, a supervisor) ends when that program dies, even by
 * SIGKILL, instead of living on as an orphan.
 *
 * The parent starts the worker with its stdin a pipe and never writes to it.
 * When the parent dies the kernel closes the pipe, the worker's stdin ends,
 * and the worker stops as on SIGTERM: it finishes or hands back the jobs in
 * hand and exits 0. Off unless the variable is exactly `1` (a worker started
 * from a terminal or with stdin on /dev/null must not stop at once).
 */

/** The environment variable that turns the watch on. */
export const EXIT_WITH_PARENT_ENV = 'KPRESS_EXIT_WITH_PARENT';

/** True when `env` asks for the watch (`KPRESS_EXIT_WITH_PARENT=1`). */
export function exitWithParentRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[EXIT_WITH_PARENT_ENV] === '1';
}

/**
 * Calls `onParentGone` once when `stdin` ends or closes (its data is read and
 * dropped). Default action: SIGTERM to this process, so the command's own
 * signal handling shuts it down. Returns a function that stops watching.
 */
export function watchParent(
  onParentGone: () => void = () => process.kill(process.pid, 'SIGTERM'),
  stdin: NodeJS.ReadableStream = process.stdin,
): () => void {
  let fired = false;
  const gone = () => {
    if (fired) return;
    fired = true;
    onParentGone();
  };
  const drop = () => {};
  stdin.on('data', drop);
  stdin.on('end', gone);
  stdin.on('close', gone);
  stdin.on('error', gone);
  stdin.resume();
  return () => {
    stdin.off('data', drop);
    stdin.off('end', gone);
    stdin.off('close', gone);
    stdin.off('error', gone);
    stdin.pause();
  };
}
