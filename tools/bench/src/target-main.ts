// pnpm bench:target: only the perceptual-target section of pnpm bench (target-bench.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSourcePng } from './images.js';
import { readFileSync } from 'node:fs';
import { TARGET_PHOTOS, targetSection } from './target-bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const samples = join(root, 'fixtures/samples');

const work = mkdtempSync(join(tmpdir(), 'kpress-bench-target-'));
try {
  const photos = TARGET_PHOTOS.map((n) => join(samples, n));
  const pngOf = new Map<string, string>();
  for (const p of photos) {
    const out = join(work, `${basename(p)}.source.png`);
    await writeSourcePng(readFileSync(p), out);
    pngOf.set(p, out);
  }
  const { lines } = await targetSection(root, work, photos, pngOf);
  process.stdout.write(`perceptual target against pngquant\n${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
