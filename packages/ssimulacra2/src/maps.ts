/**
 * SSIMULACRA 2's error maps of one channel at one scale, pooled as they are computed: the mean
 * (1-norm) and the 4-norm of each map over the plane.
 *
 * - SSIM': 1 - SSIM without the luminance denominator (version 2.1's correction: the components
 *   are already perceptually uniform), clamped at 0.
 * - artifact: where the distorted image has an edge the original lacks (ringing, banding,
 *   blocking), from the ratio of the two images' local detail |img - blur(img)|.
 * - detail lost: where the original has an edge the distorted image lacks (blur, smearing).
 */

const C2 = Math.fround(0.0009);

/** Mean and 4-norm of the SSIM' map of one channel: [mean, 4-norm]. */
export function ssimNorms(
  mu1: Float32Array,
  mu2: Float32Array,
  s11: Float32Array,
  s22: Float32Array,
  s12: Float32Array,
  count: number,
): [number, number] {
  let sum1 = 0;
  let sum4 = 0;
  for (let i = 0; i < count; i++) {
    const m1 = mu1[i];
    const m2 = mu2[i];
    const diff = m1 - m2;
    const numM = 1 - diff * diff;
    const numS = 2 * (s12[i] - m1 * m2) + C2;
    const denS = s11[i] - m1 * m1 + (s22[i] - m2 * m2) + C2;
    const d = 1 - (numM * numS) / denS;
    if (d > 0) {
      sum1 += d;
      const d2 = d * d;
      sum4 += d2 * d2;
    }
  }
  return [sum1 / count, Math.sqrt(Math.sqrt(sum4 / count))];
}

/**
 * Means and 4-norms of the artifact and detail-lost maps of one channel:
 * [artifact mean, artifact 4-norm, detail-lost mean, detail-lost 4-norm].
 */
export function edgeNorms(
  img1: Float32Array,
  mu1: Float32Array,
  img2: Float32Array,
  mu2: Float32Array,
  count: number,
): [number, number, number, number] {
  let art1 = 0;
  let art4 = 0;
  let lost1 = 0;
  let lost4 = 0;
  for (let i = 0; i < count; i++) {
    const d = (1 + Math.abs(img2[i] - mu2[i])) / (1 + Math.abs(img1[i] - mu1[i])) - 1;
    const d2 = d * d;
    if (d > 0) {
      art1 += d;
      art4 += d2 * d2;
    } else {
      lost1 -= d;
      lost4 += d2 * d2;
    }
  }
  const q = (s: number) => Math.sqrt(Math.sqrt(s / count));
  return [art1 / count, q(art4), lost1 / count, q(lost4)];
}
