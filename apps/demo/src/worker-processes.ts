import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KPRESS_BIN } from '@kpress/cli';
import { type ProcessExit, type ProcessHandle, spawnProcess } from '@kpress/testkit';

/** Options of {@link startWorkers}. */
export interface WorkerProcessesOptions {
  /** How many `kpress worker` processes. Required, >= 1. */
  count: number;
  /** Environment added to the parent's (S3 endpoint, KPRESS_QUEUE, ...). */
  env: Record<string, string>;
  /** Jobs per worker. Default 2. */
  concurrency?: number;
  /** File that receives every worker's log lines, prefixed `[worker N]`. Required. */
  logFile: string;
  /** Safety net for "worker ready", in ms. Default 60000. */
  readyTimeoutMs?: number;
}

/** Worker child processes (`node dist/bin.js worker`); `close()` sends SIGTERM and waits. */
export interface WorkerProcesses {
  readonly handles: readonly ProcessHandle[];
  /** SIGTERM to each, then waits; resolves with how each ended. Idempotent. */
  close(): Promise<ProcessExit[]>;
}

/** The kpress CLI's built binary, which the workers run. */
export function binPath(): string {
  return fileURLToPath(KPRESS_BIN);
}

/** Starts `count` workers and resolves once each has said "worker ready". */
export async function startWorkers(options: WorkerProcessesOptions): Promise<WorkerProcesses> {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new RangeError(`count must be an integer >= 1, got ${options.count}`);
  }
  const handles: ProcessHandle[] = [];
  for (let i = 1; i <= options.count; i++) {
    const h = spawnProcess(
      process.execPath,
      [binPath(), 'worker', '--concurrency', String(options.concurrency ?? 2)],
      // KPRESS_EXIT_WITH_PARENT: a demo killed with SIGKILL takes its workers along
      // (their stdin pipe closes); see packages/cli-kit/src/exit-with-parent.ts
      {
        env: { ...options.env, NODE_NO_WARNINGS: '1', KPRESS_EXIT_WITH_PARENT: '1' },
        exitWithParent: true,
      },
    );
    handles.push(h);
  }
  // If this process ends without close() (an uncaught error, process.exit), take the
  // workers along at once. (A SIGKILL of this process cannot be caught: then the
  // workers see their stdin close and stop on their own.)
  const killOnExit = () => {
    for (const h of handles) h.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let closing: Promise<ProcessExit[]> | undefined;
  const close = () => {
    closing ??= (async () => {
      process.off('exit', killOnExit);
      for (const h of handles) h.kill('SIGTERM');
      const exits = await Promise.all(
        handles.map((h) => h.waitForExit().catch(() => ({ code: null, signal: null }))),
      );
      const lines = handles.flatMap((h, i) =>
        [...h.stderr, ...h.stdout].map((l) => `[worker ${i + 1}] ${l}\n`),
      );
      await appendFile(options.logFile, lines.join(''));
      return exits;
    })();
    return closing;
  };
  try {
    await Promise.all(
      handles.map((h) => h.waitForLine(/worker ready/, options.readyTimeoutMs ?? 60_000)),
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { handles, close };
}
