import { createRequire } from 'node:module';
import zlib from 'node:zlib';

/** What deflates: libdeflate through the addon, or Node's zlib where the addon cannot load. */
export type DeflateBackend =
  | { name: 'libdeflate'; version: string }
  | { name: 'zlib'; version: string; reason: string };

interface Addon {
  zlibCompress(data: Uint8Array, level: number): Buffer;
  version: string;
}

function load(): { addon?: Addon; backend: DeflateBackend } {
  const zlibBackend = (reason: string): { backend: DeflateBackend } => ({
    backend: { name: 'zlib', version: process.versions.zlib ?? 'unknown', reason },
  });
  if (process.env.KPRESS_DEFLATE === 'zlib') return zlibBackend('KPRESS_DEFLATE=zlib');
  try {
    const addon = createRequire(import.meta.url)(
      '../native/build/Release/kpress_deflate.node',
    ) as Addon;
    return { addon, backend: { name: 'libdeflate', version: addon.version } };
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    return zlibBackend(
      /Cannot find module/.test(first)
        ? 'the libdeflate addon is not built (install libdeflate-dev, then pnpm install)'
        : `the libdeflate addon did not load: ${first}`,
    );
  }
}

const loaded = load();

/** The backend this thread deflates with (each worker thread loads its own). */
export function deflateBackend(): DeflateBackend {
  return loaded.backend;
}

/** The highest level: libdeflate's 12; zlib has 9, and levels above it are deflated at 9. */
export const MAX_LEVEL = 12;

/**
 * `data` as a zlib stream (RFC 1950: header, deflate, adler32), which is what
 * a PNG's IDAT holds. Synchronous, on the calling thread. `level` 0..12 is
 * libdeflate's scale: 1 fastest, 6 its default, 10-12 its near-optimal
 * parser; with the zlib fallback, levels above 9 mean 9.
 */
export function zlibCompress(data: Uint8Array, level: number): Buffer {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
    throw new RangeError(`level must be an integer from 0 to ${MAX_LEVEL}, got ${String(level)}`);
  }
  if (loaded.addon !== undefined) return loaded.addon.zlibCompress(data, level);
  return zlib.deflateSync(data, { level: Math.min(level, 9), memLevel: 8 });
}
