/*
 * coarsePoints (src/coarse.ts) in C: the same cells in the same order, the same double sums and
 * means, so the coarse points are the TypeScript ones bit for bit.
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

int32_t coarse_cells(const uint8_t *colors, const double *counts, int32_t size, int bits,
                     double *sums, double *weights) {
  const int alpha_bits = bits == 5 ? 4 : 2;
  const size_t cells = (size_t)1 << (3 * bits + alpha_bits);
  int32_t *cell_of = malloc(sizeof(int32_t) * cells);
  if (!cell_of) return -1;
  memset(cell_of, 0xff, sizeof(int32_t) * cells); /* -1 */
  const int sh = 8 - bits, ash = 8 - alpha_bits;
  int32_t n = 0;
  for (int32_t i = 0; i < size; i++) {
    const uint8_t *c = colors + (size_t)i * 4;
    const uint32_t key = ((uint32_t)(c[0] >> sh) << (2 * bits + alpha_bits)) |
                         ((uint32_t)(c[1] >> sh) << (bits + alpha_bits)) |
                         ((uint32_t)(c[2] >> sh) << alpha_bits) | (uint32_t)(c[3] >> ash);
    int32_t k = cell_of[key];
    if (k < 0) {
      k = n++;
      cell_of[key] = k;
    }
    const double w = counts[i];
    weights[k] += w;
    sums[(size_t)k * 4] += w * c[0];
    sums[(size_t)k * 4 + 1] += w * c[1];
    sums[(size_t)k * 4 + 2] += w * c[2];
    sums[(size_t)k * 4 + 3] += w * c[3];
  }
  free(cell_of);
  for (int32_t k = 0; k < n; k++)
    for (int d = 0; d < 4; d++) sums[(size_t)k * 4 + d] = sums[(size_t)k * 4 + d] / weights[k];
  return n;
}
