/**
 * Halves a plane as SSIMULACRA 2 does between scales: the mean of each 2x2 block, the last row
 * and column repeated when the size is odd (so the output is ceil(w / 2) x ceil(h / 2)).
 */

/** The size of a plane after one halving. */
export function halve(size: number): number {
  return (size + 1) >> 1;
}

/** Writes the halved `width` x `height` plane `input` into `output` (not aliasing it). */
export function downsample(
  input: Float32Array,
  width: number,
  height: number,
  output: Float32Array,
): void {
  const ow = halve(width);
  const oh = halve(height);
  for (let oy = 0; oy < oh; oy++) {
    const row0 = 2 * oy * width;
    const row1 = Math.min(2 * oy + 1, height - 1) * width;
    const out = oy * ow;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = 2 * ox;
      const x1 = Math.min(x0 + 1, width - 1);
      output[out + ox] =
        (input[row0 + x0] + input[row0 + x1] + input[row1 + x0] + input[row1 + x1]) * 0.25;
    }
  }
}
