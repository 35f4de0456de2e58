// pnpm bench:memory [megapixels ...]: peak RSS of one `kpress compress`
// process per input kind and size (slot-memory.ts), the fitted bytes per
// added pixel, and whether `150 MB + pixels x BYTES_PER_PIXEL` (the worker
// budget @kpress/config assumes) holds each run. Default sizes 1 3 6 12 24 MP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BYTES_PER_PIXEL } from '@kpress/config';
import { fitLine, MEMORY_CASES, makeInput, peakRss, sizeFor } from './slot-memory.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const samples = join(root, 'fixtures/samples');
const cli = join(root, 'apps/cli/dist/bin.js');
/** What a worker process holds besides its slots (README: "about 150 MB"). */
const BASE_BYTES = 150e6;

const args = process.argv.slice(2).map(Number);
const sizes = args.length > 0 ? args : [1, 3, 6, 12, 24];
if (sizes.some((s) => !(s > 0))) throw new Error('usage: bench:memory [megapixels ...]');

const mb = (b: number) => (b / 1e6).toFixed(0);
const work = mkdtempSync(join(tmpdir(), 'kpress-bench-memory-'));
let worst = 0;
try {
  process.stdout.write(
    `peak RSS (MB) of one kpress compress process; BYTES_PER_PIXEL ${BYTES_PER_PIXEL}\n` +
      `${'case'.padEnd(30)}${sizes.map((s) => `${s} MP`.padStart(9)).join('')}  B/px  base MB  fits\n`,
  );
  for (const c of MEMORY_CASES) {
    const points: { pixels: number; bytes: number }[] = [];
    const cells: string[] = [];
    let fits = true;
    for (const mp of sizes) {
      const { width, height } = sizeFor(mp);
      const input = join(work, `in.${c.ext}`);
      const output = join(work, 'out.png');
      await makeInput(samples, c.kind, width, height, input);
      rmSync(output, { force: true });
      const r = peakRss(cli, input, output, c.flags);
      const pixels = width * height;
      points.push({ pixels, bytes: r.bytes });
      if (r.bytes > BASE_BYTES + pixels * BYTES_PER_PIXEL) fits = false;
      cells.push(`${mb(r.bytes)}${r.status === 0 ? '' : '*'}`.padStart(9));
    }
    const { slope, intercept } = fitLine(points);
    worst = Math.max(worst, slope);
    process.stdout.write(
      `${c.name.padEnd(30)}${cells.join('')}  ${slope.toFixed(1).padStart(5)}  ${mb(intercept).padStart(7)}  ${fits ? 'yes' : 'NO'}\n`,
    );
  }
  process.stdout.write(
    `* exit 1 (no palette reached the target, or a 16-bit source kept): memory still measured\n` +
      `fits: peak <= 150 MB + pixels x ${BYTES_PER_PIXEL} at every size; worst slope ${worst.toFixed(1)} B/px\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
