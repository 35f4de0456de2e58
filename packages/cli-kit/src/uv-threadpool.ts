/**
 * Imported first by each kpress program (a side effect, before any other
 * module can touch libuv's thread pool): sizes that pool for the images
 * decoded at once. sharp decodes on libuv's shared pool, 4 threads by
 * default, which S3's DNS lookups and fs calls also use; with more than 4
 * compress threads, decodes would queue there. The deflate does not use it:
 * it runs on the compress thread itself. A UV_THREADPOOL_SIZE already set
 * is left alone.
 */
import { availableParallelism } from 'node:os';

/** Threads for libuv's pool: one per compress thread plus 4 for DNS and fs, capped at libuv's 1024. */
export function uvThreadpoolSize(argv: readonly string[], cores: number): number {
  const at = argv.findIndex((a) => a === '--concurrency' || a.startsWith('--concurrency='));
  const text =
    at < 0 ? undefined : argv[at]?.includes('=') ? argv[at]?.split('=')[1] : argv[at + 1];
  const n = Number(text);
  const threads = Number.isInteger(n) && n >= 1 ? n : cores;
  return Math.min(1024, Math.max(4, threads + 4));
}

if (process.env.UV_THREADPOOL_SIZE === undefined) {
  process.env.UV_THREADPOOL_SIZE = String(uvThreadpoolSize(process.argv, availableParallelism()));
}
