import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ProcessHandle, removeQueueKeys, spawnProcess } from '@kpress/testkit';

/** The built kpress binary (apps/cli/dist/bin.js); the same path from src/ and dist/. */
export const KPRESS_BIN = fileURLToPath(new URL('../../../apps/cli/dist/bin.js', import.meta.url));

/** Throws a clear error when the CLI has not been built. */
export function assertCliBuilt(): void {
  if (!existsSync(KPRESS_BIN)) {
    throw new Error(`${KPRESS_BIN} is missing: build it first (pnpm turbo run build)`);
  }
}

/**
 * Short job locks for fault tests: a SIGKILLed worker's jobs are back in the
 * queue within about 3 s instead of 60 s (see KPRESS_LOCK_DURATION_MS).
 */
export const FAST_STALL_ENV = {
  KPRESS_LOCK_DURATION_MS: '2000',
  KPRESS_STALLED_INTERVAL_MS: '1000',
} as const;

/** The flags that choose how the palette is made; an `enqueue` or `compress` without any gets FAULT_PALETTE. */
const PALETTE_FLAGS = ['--target', '--colors', '--quality'];

/**
 * The palette of the fault tests' batches: a fixed 16 colours, the default
 * before the perceptual target (issue 25). These tests are about crashes,
 * faults and safety, not about palettes: pinned, their batches keep what
 * they were written for (every photo compressed) and stay cheap.
 */
export const FAULT_PALETTE = ['--colors', '16'];

/**
 * `node apps/cli/dist/bin.js <args>` with `env` added to the parent's
 * environment. An `enqueue` or `compress` that names none of --target,
 * --colors and --quality gets FAULT_PALETTE appended.
 */
export function kpress(args: string[], env: Record<string, string | undefined>): ProcessHandle {
  const pinned =
    (args[0] === 'enqueue' || args[0] === 'compress') &&
    !args.some((a) => PALETTE_FLAGS.includes(a))
      ? [...args, ...FAULT_PALETTE]
      : args;
  return spawnProcess(process.execPath, [KPRESS_BIN, ...pinned], { env });
}

/** Starts `n` worker processes and waits until each says it is ready. */
export async function startWorkers(
  n: number,
  env: Record<string, string | undefined>,
  concurrency = 1,
): Promise<ProcessHandle[]> {
  const workers = Array.from({ length: n }, () =>
    kpress(['worker', '--concurrency', String(concurrency)], env),
  );
  await Promise.all(workers.map((w) => w.waitForLine(/worker ready/)));
  return workers;
}

/** SIGTERMs the workers still running and waits for them to exit. */
export async function stopWorkers(workers: ProcessHandle[]) {
  for (const w of workers) w.kill('SIGTERM');
  return Promise.all(workers.map((w) => w.waitForExit()));
}

/** Removes every key of a test queue from Redis, BullMQ's and kpress's (ignores an unreachable Redis). */
export async function obliterateQueue(redisUrl: string, queueName: string): Promise<void> {
  await removeQueueKeys(queueName, redisUrl).catch(() => {});
}
