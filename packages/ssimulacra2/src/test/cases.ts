/**
 * The synthetic cases checked against the reference tool (score.test.ts). `reference` is what
 * `ssimulacra2` 2.1 (Cloudinary's standalone build, commit 81feacf) printed for the PNGs that
 * write-reference-cases.ts makes of `pair()`.
 */
import type { ScoreImage } from '../types.js';
import { dropAlpha, syntheticPair } from './synthetic.js';

export interface ReferenceCase {
  name: string;
  what: string;
  pair: () => { original: ScoreImage; distorted: ScoreImage };
  reference: number;
}

export const REFERENCE_CASES: ReferenceCase[] = [
  {
    name: 'rgba-both',
    what: 'both translucent: worse of dark (0.1) and light (0.9) backgrounds',
    pair: () => syntheticPair({ width: 96, height: 64, channels: 4, depth: 8, translucent: true }),
    reference: 44.65107042,
  },
  {
    name: 'rgba-dark-alpha',
    what: 'dark colours, only alpha changed: the light background (0.9) gives the worse score',
    pair: () =>
      syntheticPair({
        width: 96,
        height: 64,
        channels: 4,
        depth: 8,
        translucent: true,
        dark: true,
        alphaOnly: true,
      }),
    reference: 71.92049194,
  },
  {
    name: 'rgb-vs-rgba',
    what: 'original without alpha, distorted translucent: mid-grey (0.5) background',
    pair: () => {
      const p = syntheticPair({ width: 96, height: 64, channels: 4, depth: 8, translucent: true });
      return { original: dropAlpha(p.original), distorted: p.distorted };
    },
    reference: -51.64704115,
  },
  {
    name: 'opaque-rgba-vs-rgba',
    what: 'original with an opaque alpha channel, distorted translucent: dark and light',
    pair: () => {
      const p = syntheticPair({ width: 96, height: 64, channels: 4, depth: 8, translucent: true });
      const original = { ...p.original, data: p.original.data.slice() };
      for (let i = 3; i < original.data.length; i += 4) original.data[i] = 255;
      return { original, distorted: p.distorted };
    },
    reference: -65.60285512,
  },
  {
    name: 'rgb16',
    what: '16-bit RGB',
    pair: () =>
      syntheticPair({ width: 96, height: 64, channels: 3, depth: 16, translucent: false }),
    reference: 50.94285145,
  },
  {
    name: 'grey8',
    what: '8-bit grey (one channel)',
    pair: () => syntheticPair({ width: 96, height: 64, channels: 1, depth: 8, translucent: false }),
    reference: 68.69793801,
  },
  {
    name: 'small',
    what: '40x30: 4 scales, so the weights shift (the reference walks them without gaps)',
    pair: () => syntheticPair({ width: 40, height: 30, channels: 3, depth: 8, translucent: false }),
    reference: 36.34194795,
  },
];
