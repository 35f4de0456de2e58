/**
 * SSIMULACRA 2.1's pooling: a weighted sum of the 108 norms (3 channels x 6 scales x 2 norms x
 * 3 maps), then a cubic and a power that map it to the 100-is-lossless score. The weights and
 * the final curve are those of Cloudinary's ssimulacra2 2.1 (commit 81feacf, tuned on CID22,
 * TID2013, KADID-10k and KonFiG-IQA).
 */

/** The norms of one channel at one scale, in the reference's order (see {@link WEIGHTS}). */
export type ScaleNorms = readonly [number, number, number, number, number, number];

/**
 * One row per channel (X, Y, B) and scale (1:1 to 1:32), each
 * [SSIM' mean, artifact mean, detail-lost mean, SSIM' 4-norm, artifact 4-norm, detail-lost 4-norm].
 */
// biome-ignore format: one row per channel and scale reads better than one number per line
export const WEIGHTS: readonly number[] = [
  // X
  0.0, 0.0007376606707406586, 0.0, 0.0, 0.0007793481682867309, 0.0,
  0.0, 0.0004371155730107379, 0.0, 1.1041726426657346, 0.00066284834129271, 0.00015231632783718752,
  0.0, 0.0016406437456599754, 0.0, 1.8422455520539298, 11.441172603757666, 0.0,
  0.0007989109436015163, 0.000176816438078653, 0.0, 1.8787594979546387, 10.94906990605142, 0.0,
  0.0007289346991508072, 0.9677937080626833, 0.0, 0.00014003424285435884, 0.9981766977854967, 0.00031949755934435053,
  0.0004550992113792063, 0.0, 0.0, 0.0013648766163243398, 0.0, 0.0,
  // Y
  0.0, 0.0, 0.0, 7.466890328078848, 0.0, 17.445833984131262,
  0.0006235601634041466, 0.0, 0.0, 6.683678146179332, 0.00037724407979611296, 1.027889937768264,
  225.20515300849274, 0.0, 0.0, 19.213238186143016, 0.0011401524586618361, 0.001237755635509985,
  176.39317598450694, 0.0, 0.0, 24.43300999870476, 0.28520802612117757, 0.0004485436923833408,
  0.0, 0.0, 0.0, 34.77906344483772, 44.835625328877896, 0.0,
  0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
  // B
  0.0, 0.0008680556573291698, 0.0, 0.0, 0.0, 0.0,
  0.0, 0.0005313191874358747, 0.0, 0.00016533814161379112, 0.0, 0.0,
  0.0, 0.0, 0.0, 0.0004179171803251336, 0.0017290828234722833, 0.0,
  0.0020827005846636437, 0.0, 0.0, 8.826982764996862, 23.19243343998926, 0.0,
  95.1080498811086, 0.9863978034400682, 0.9834382792465353, 0.0012286405048278493, 171.2667255897307, 0.9807858872435379,
  0.0, 0.0, 0.0, 0.0005130064588990679, 0.0, 0.00010854057858411537,
];

/**
 * The score from `norms[channel][scale]` (norms of unused maps, see {@link mapsUsed}, may be
 * anything finite). With fewer than 6 scales (halving stops once a side
 * is under 8 pixels, so an image under 113 pixels on a side has fewer), the reference walks the
 * weights without gaps, so channel Y then starts where X's missing scales would have been:
 * kept as it is, to give the reference's score.
 */
/** Which maps of one channel at one scale the score uses (a map with only zero weights is not). */
export interface MapsUsed {
  /** The SSIM' map (needs the blurs of img², of img1 * img2). */
  readonly ssim: boolean;
  /** The artifact and detail-lost maps (need only the blur of img). */
  readonly edge: boolean;
}

/**
 * `[channel][scale]` -> the maps with a non-zero weight, for an image of `scales` scales. A
 * map with zero weights adds exactly 0 to the sum, so skipping it changes no score: at 1:1, X
 * and B use only their edge maps (2 of 3 blurs saved), and Y at 1:32 nothing.
 */
export function mapsUsed(scales: number): MapsUsed[][] {
  return [0, 1, 2].map((c) =>
    Array.from({ length: scales }, (_, scale) => {
      const w = WEIGHTS.slice((c * scales + scale) * 6, (c * scales + scale + 1) * 6);
      return {
        ssim: w[0] !== 0 || w[3] !== 0,
        edge: w[1] !== 0 || w[2] !== 0 || w[4] !== 0 || w[5] !== 0,
      };
    }),
  );
}

export function scoreFromNorms(norms: readonly (readonly ScaleNorms[])[]): number {
  let sum = 0;
  let i = 0;
  for (const channel of norms) {
    for (const n of channel) {
      for (let k = 0; k < 6; k++) sum += WEIGHTS[i++] * Math.abs(n[k]);
    }
  }
  let s = sum * 0.9562382616834844;
  s = 2.326765642916932 * s - 0.020884521182843837 * s * s + 6.248496625763138e-5 * s * s * s;
  return s > 0 ? 100 - 10 * s ** 0.6276336467831387 : 100;
}
