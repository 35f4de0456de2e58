import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/**
 * A shell that starts the daemon, prints its pid, and SIGKILLs exactly that
 * pid when its own stdin (a pipe from this process) reaches end of file: when
 * `stop()` closes it, or when this process dies, even by SIGKILL. So a test
 * run that is killed leaves no Ceph daemon behind.
 */
const WATCHDOG = [
  'exec 3<&0',
  'err="$1"; shift',
  '"$@" </dev/null >/dev/null 2>>"$err" & child=$!',
  'echo "$child"',
  '( cat <&3 >/dev/null; kill -KILL "$child" 2>/dev/null ) &',
  'wait "$child"',
].join('\n');

/** A daemon started under the watchdog. */
export interface WatchedDaemon {
  /** The daemon's own pid (not the watchdog shell's). */
  readonly pid: number;
  /** Whether the daemon has exited. */
  readonly exited: boolean;
  /** SIGKILLs the daemon (by its pid) and waits until the watchdog is gone; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `cmd args` under the watchdog, its stderr appended to `stderrFile`.
 * Resolves once the daemon's pid is known.
 */
export async function startWatchedDaemon(
  cmd: string,
  args: string[],
  stderrFile: string,
): Promise<WatchedDaemon> {
  const shell: ChildProcess = spawn('sh', ['-c', WATCHDOG, 'watchdog', stderrFile, cmd, ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  shell.stdin?.on('error', () => {});
  let exited = false;
  const gone = new Promise<void>((resolve) => {
    shell.on('exit', () => {
      exited = true;
      resolve();
    });
    shell.on('error', () => {
      exited = true;
      resolve();
    });
  });
  const lines = createInterface({ input: shell.stdout as NodeJS.ReadableStream });
  const [first] = (await Promise.race([once(lines, 'line'), gone.then(() => [''])])) as string[];
  lines.close();
  const pid = Number(first);
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new Error(`could not start ${cmd}: the watchdog printed no pid (see ${stderrFile})`);
  }
  return {
    pid,
    get exited() {
      return exited;
    },
    async stop() {
      if (!exited) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
        shell.stdin?.end();
      }
      await gone;
    },
  };
}
