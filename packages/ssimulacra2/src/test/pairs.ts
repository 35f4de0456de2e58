/**
 * The reference pairs of `shared/metrics/reference-scores.json`, decoded as the reference tool
 * reads them. Test and bench tooling (Node, sharp); not part of the package.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '@kpress/testkit';
import sharp from 'sharp';
import type { ScoreImage } from '../types.js';

/** One pair and the score the reference tool gave it. */
export interface ReferencePair {
  original: string;
  distorted: string;
  ssimulacra2: number;
}

/** The folder the pair paths are relative to: `shared/metrics/`'s pairs, `shared/`'s samples. */
function resolvePairPath(relative: string): string {
  const shared = sharedDir();
  // The JSON names samples relative to shared/ and the distorted copies relative to metrics/.
  for (const base of [shared, join(shared, 'metrics')]) {
    const path = join(base, relative);
    try {
      readFileSync(path, { flag: 'r' }).length;
      return path;
    } catch {}
  }
  throw new Error(`reference pair file ${relative} is neither in ${shared} nor in its metrics/`);
}

/** The 32 reference pairs. */
export function referencePairs(): ReferencePair[] {
  const json = JSON.parse(
    readFileSync(join(sharedDir(), 'metrics', 'reference-scores.json'), 'utf8'),
  );
  return json.pairs as ReferencePair[];
}

/**
 * Decodes a PNG as the reference tool does: the stored 8-bit samples, taken as sRGB. The ICC
 * profiles in two samples (sRGB, which libpng calls "known incorrect") are ignored, so sharp
 * applies no colour transform; grey stays one channel (R = G = B in the metric).
 */
export async function decodeLikeReference(relative: string): Promise<ScoreImage> {
  const { data, info } = await sharp(resolvePairPath(relative), { ignoreIcc: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: info.channels as 1 | 2 | 3 | 4,
  };
}
