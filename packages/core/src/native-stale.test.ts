// An addon built from older sources (a new kernel missing) is not used: the TypeScript clusters,
// and coreKernels() says why. The stand-in for an old build is another Node-API module (the
// ssimulacra2 addon) at the addon's path beside a copy of dist/.
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const other = fileURLToPath(
  new URL('../../ssimulacra2/native/build/Release/kpress_ssimulacra2.node', import.meta.url),
);

describe.skipIf(!existsSync(other) || !existsSync(join(dist, 'native.js')))(
  'a stale native addon',
  () => {
    it('is refused by name, and the TypeScript quantizes', async () => {
      const root = mkdtempSync(join(tmpdir(), 'kpress-stale-'));
      cpSync(dist, join(root, 'dist'), { recursive: true });
      writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
      mkdirSync(join(root, 'native', 'build', 'Release'), { recursive: true });
      cpSync(other, join(root, 'native', 'build', 'Release', 'kpress_core.node'));
      const native = await import(pathToFileURL(join(root, 'dist', 'native.js')).href);
      const kernels = native.coreKernels();
      expect(kernels.name).toBe('typescript');
      expect(kernels.reason).toMatch(
        /^the native kernels are out of date \(no treeAssign, seed, .*paletteMse\): pnpm install rebuilds them$/,
      );
      expect(native.nativeKernels()).toBeUndefined();
      const { quantize } = await import(pathToFileURL(join(root, 'dist', 'quantize.js')).href);
      const data = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 37) % 256);
      const q = quantize({ data, width: 16, height: 16, channels: 3 }, { colors: 8 });
      expect(q.colors).toBeLessThanOrEqual(8);
    });
  },
);
