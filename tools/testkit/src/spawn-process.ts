import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Options of `spawnProcess`. */
export interface SpawnOptions {
  /** Added to (and overriding) the parent's environment; default none. */
  env?: Record<string, string | undefined>;
  /** Working directory; default the parent's. */
  cwd?: string;
  /**
   * Default true: the child's stdin is a pipe this process never writes to and
   * its environment has KPRESS_EXIT_WITH_PARENT=1, so a `kpress worker` ends
   * (as on SIGTERM) when this process dies, even by SIGKILL, instead of being
   * left as an orphan. False: stdin is /dev/null and the variable is not set.
   */
  exitWithParent?: boolean;
}

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running child process whose output is collected line by line. */
export interface ProcessHandle {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** Lines written to stdout so far. */
  readonly stdout: string[];
  /** Lines written to stderr so far. */
  readonly stderr: string[];
  /** Resolves when the process has exited and its output is read. */
  waitForExit(): Promise<ProcessExit>;
  /**
   * Resolves with the first line (stdout or stderr, already written or to come)
   * matching `pattern`; rejects if the process exits first or after `timeoutMs`
   * (default 30000, a safety net, not a speed check).
   */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal (default SIGTERM) if still running. */
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `cmd args` with piped output; see `ProcessHandle`. */
export function spawnProcess(
  cmd: string,
  args: string[],
  options: SpawnOptions = {},
): ProcessHandle {
  const exitWithParent = options.exitWithParent ?? true;
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      ...(exitWithParent ? { KPRESS_EXIT_WITH_PARENT: '1' } : {}),
      ...options.env,
    },
    stdio: [exitWithParent ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  // a child that exits early closes its end: ignore EPIPE on the unused stdin
  child.stdin?.on('error', () => {});
  const stdout: string[] = [];
  const stderr: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => {
      into.push(line);
      for (const l of listeners) l(line);
    });
    return new Promise<void>((resolve) => rl.on('close', resolve));
  };
  const outputDone = Promise.all([
    collect(child.stdout as NodeJS.ReadableStream, stdout),
    collect(child.stderr as NodeJS.ReadableStream, stderr),
  ]);
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const exit = exited.then(async (e) => {
    await outputDone;
    return e;
  });
  // avoid unhandled rejections when nobody waits (e.g. spawn ENOENT)
  exit.catch(() => {});
  let ended = false;
  exit.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );

  return {
    child,
    pid: child.pid,
    stdout,
    stderr,
    waitForExit: () => exit,
    waitForLine(pattern: RegExp, timeoutMs = 30_000) {
      const seen = [...stdout, ...stderr].find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const done = () => {
          listeners.delete(onLine);
          clearTimeout(timer);
        };
        const onLine = (line: string) => {
          if (pattern.test(line)) {
            done();
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms from ${cmd}`));
        }, timeoutMs);
        listeners.add(onLine);
        exit.then(
          (e) => {
            done();
            reject(
              new Error(
                `${cmd} exited (code ${e.code}, signal ${e.signal}) before a line matching ${pattern}; stderr:\n${stderr.slice(-20).join('\n')}`,
              ),
            );
          },
          (err) => {
            done();
            reject(err);
          },
        );
      });
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (!ended && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
