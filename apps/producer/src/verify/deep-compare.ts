/**
 * `verify --deep`: an output measured again against its source, as the row
 * says it was made. A palette output's PSNR against the 8-bit decode (or,
 * for a deep source reduced by `--allow-8bit`, against its full-depth
 * samples); a lossless 16-bit re-encode sample for sample.
 */
import {
  decode,
  decodeFullDepth,
  firstDifference,
  pixelsPsnrAgainstFullDepth,
} from '@kpress/codec';
import { type PixelImage, psnr } from '@kpress/core';
import { isLosslessDeepRow, type ManifestRow } from '@kpress/manifest';
import type { Problem } from './output-check.js';

/** The problem with a compressed row's output against its source bytes, if any. */
export async function compareWithSource(
  row: ManifestRow,
  source: Uint8Array,
  output: Uint8Array,
): Promise<Problem | undefined> {
  const key = row.outputKey as string;
  try {
    if (isLosslessDeepRow(row)) {
      const [a, b] = await Promise.all([
        decodeFullDepth(Buffer.from(source)),
        decodeFullDepth(Buffer.from(output)),
      ]);
      const difference = firstDifference(b, a);
      return difference === undefined
        ? undefined
        : { key, kind: 'samples', detail: `not the source's samples: ${difference}` };
    }
    const again = await psnrAgain(row, Buffer.from(source), Buffer.from(output));
    const recorded = row.psnr as number;
    if (again === recorded || Math.abs(again - recorded) <= 0.01) return undefined;
    return {
      key,
      kind: 'psnr',
      detail: `PSNR ${again.toFixed(3)} dB, the manifest says ${recorded.toFixed(3)}`,
    };
  } catch (err) {
    return {
      key,
      kind: isLosslessDeepRow(row) ? 'samples' : 'psnr',
      detail: `cannot decode to compare: ${(err as Error).message}`,
    };
  }
}

/** The output's PSNR against the source, as its row measured it (full depth for a deep source). */
async function psnrAgain(row: ManifestRow, source: Buffer, output: Buffer): Promise<number> {
  const b = await decode(output);
  if ((row.bitDepth ?? 8) > 8) {
    const reference = await decodeFullDepth(source, { view: 'srgb' });
    return pixelsPsnrAgainstFullDepth(reference, b);
  }
  const a = await decode(source);
  const channels = Math.max(a.channels, b.channels) as 3 | 4;
  return psnr(widen(a, channels), widen(b, channels), channels);
}

/** RGB pixels as RGBA (opaque) when the other image of the pair has alpha. */
export function widen(img: PixelImage, channels: 3 | 4): Uint8Array | Uint8ClampedArray {
  if (img.channels === channels) return img.data;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = img.data[i * 3] as number;
    out[i * 4 + 1] = img.data[i * 3 + 1] as number;
    out[i * 4 + 2] = img.data[i * 3 + 2] as number;
    out[i * 4 + 3] = 255;
  }
  return out;
}
