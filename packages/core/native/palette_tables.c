/*
 * The per-colour and per-pixel sums of a palette (src/quantize.ts: weightedSse, entryCounts,
 * colourIndices; src/metrics.ts: paletteMse's sum). Every sum here is of integers (8-bit
 * differences squared, pixel counts) well inside a double's 53 bits, so it is exact and the
 * same as the TypeScript's in any order.
 */
#include <stddef.h>

#include "kernels.h"

int colour_sums(const uint8_t *colors, const double *counts, int32_t size, const uint8_t *entries,
                int32_t entry_count, const int32_t *colour_entry, double *sse) {
  double sum = 0;
  for (int32_t i = 0; i < size; i++) {
    const int32_t e = colour_entry[i];
    if (e < 0 || e >= entry_count) return 0;
    const uint8_t *c = colors + (size_t)i * 4, *x = entries + (size_t)e * 4;
    const double dr = (double)c[0] - x[0], dg = (double)c[1] - x[1], db = (double)c[2] - x[2],
                 da = (double)c[3] - x[3];
    sum += counts[i] * (dr * dr + dg * dg + db * db + da * da);
  }
  *sse = sum;
  return 1;
}

int entry_counts(const double *counts, int32_t size, const int32_t *colour_entry, int32_t total,
                 double *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t e = colour_entry[i];
    if (e < 0 || e >= total) return 0;
    out[e] += counts[i];
  }
  return 1;
}

int colour_indices(int32_t size, const int32_t *colour_entry, const int32_t *index,
                   int32_t entries, uint8_t *out) {
  for (int32_t i = 0; i < size; i++) {
    const int32_t e = colour_entry[i];
    if (e < 0 || e >= entries) return 0;
    out[i] = (uint8_t)index[e];
  }
  return 1;
}

double palette_sse(const uint8_t *data, int32_t channels, size_t pixels, const uint8_t *palette,
                   int32_t colors, const uint8_t *indices, int *translucent) {
  const int any = channels == 4 && any_translucent(data, pixels * 4);
  *translucent = any;
  double sum = 0;
  for (size_t p = 0; p < pixels; p++) {
    const uint8_t *px = data + p * (size_t)channels;
    if (indices[p] >= colors) return -1;
    const uint8_t *e = palette + (size_t)indices[p] * 4;
    if (any) {
      const double a = px[3], pa = e[3];
      if (a == 0 && pa == 0) continue;
      sum += (a - pa) * (a - pa);
    }
    const double dr = (double)px[0] - e[0], dg = (double)px[1] - e[1], db = (double)px[2] - e[2];
    sum += dr * dr + dg * dg + db * db;
  }
  return sum;
}
