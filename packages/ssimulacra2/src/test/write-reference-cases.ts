/**
 * Writes the synthetic cases of cases.ts as PNGs for the reference tool:
 *   pnpm exec tsc -p tsconfig.json && node dist/test/write-reference-cases.js <dir>
 *   for f in <dir>/*.a.png; do ssimulacra2 "$f" "${f%.a.png}.b.png"; done
 * A plain PNG writer (no colour chunks, so the tool reads the samples as sRGB): sharp's raw
 * 16-bit input does not round-trip. Dev tooling; its output is the constants in cases.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, pngChunk as chunk } from '@kpress/png';
import type { ScoreImage } from '../types.js';
import { REFERENCE_CASES } from './cases.js';

function png(image: ScoreImage): Buffer {
  const { width, height, channels, data } = image;
  const bytes = data instanceof Uint16Array ? 2 : 1;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8 * bytes;
  ihdr[9] = [0, 0, 4, 2, 6][channels];
  const stride = width * channels * bytes;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const v = data[y * width * channels + i];
      const at = y * (stride + 1) + 1 + i * bytes;
      if (bytes === 2) raw.writeUInt16BE(v, at);
      else raw[at] = v;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = process.argv[2] ?? 'reference-cases';
mkdirSync(dir, { recursive: true });
for (const c of REFERENCE_CASES) {
  const { original, distorted } = c.pair();
  writeFileSync(join(dir, `${c.name}.a.png`), png(original));
  writeFileSync(join(dir, `${c.name}.b.png`), png(distorted));
}
