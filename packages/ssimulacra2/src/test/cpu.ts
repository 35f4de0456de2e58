import { readFileSync } from 'node:fs';

/**
 * Whether this machine should load the native kernels: x64 Linux with AVX2 and FMA, and not
 * turned off by KPRESS_SSIMULACRA2=wasm. Where it says yes and they did not load (not built,
 * build broken), the tests fail.
 */
export function cpuHasNativeKernels(): boolean {
  if (process.arch !== 'x64' || process.platform !== 'linux') return false;
  if (process.env.KPRESS_SSIMULACRA2 === 'wasm') return false;
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  const set = new Set(flags.trim().split(/\s+/));
  return set.has('avx2') && set.has('fma');
}
