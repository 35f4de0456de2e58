/*
 * ditherQuantized (src/dither.ts): serpentine Floyd-Steinberg onto a palette with the nearest
 * search of nearest.c (skipped where the previous pixel's entry is provably the one nearest).
 * The error rows are float32 as in the TypeScript (each sum computed in double, then stored as
 * float), Math.min / Math.max kept exactly (signed zeros and NaN included).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* Math.max and Math.min: NaN when either is NaN (a NaN maxError makes every colour NaN in the
   TypeScript, whose nearest search then answers its first entry), +0 above -0. */
static inline double js_max(double a, double b) {
  if (isnan(a) || isnan(b)) return NAN;
  if (a > b) return a;
  if (b > a) return b;
  return a == 0 && signbit(a) ? b : a;
}

static inline double js_min(double a, double b) {
  if (isnan(a) || isnan(b)) return NAN;
  if (a < b) return a;
  if (b < a) return b;
  return a == 0 && !signbit(a) ? b : a;
}

/* A margin against rounding in the shortcut's test: far above a double's error on these sums. */
#define SURE (1 - 1e-9)

int dither(const uint8_t *data, int32_t width, int32_t height, int32_t channels,
           const uint8_t *palette, int32_t colors, double max_error, const double *w,
           uint8_t *indices) {
  double *centres = malloc(sizeof(double) * 4 * (size_t)colors);
  float *rows = calloc((size_t)(width + 2) * 6, sizeof(float));
  /* per entry, a quarter of the squared distance to its nearest other entry: a colour closer
     than that to the entry has it as its one nearest entry (triangle inequality), so the previous
     pixel's entry is taken without a search when the colour is that close to it; 0 for an entry
     with a duplicate (ties are the search's to decide) */
  double *quarter = malloc(sizeof(double) * (size_t)colors);
  Search s = {0};
  Grid grid = {0};
  if (centres == NULL || rows == NULL || quarter == NULL) goto fail;
  int32_t transparent = -1;
  for (int32_t j = 0; j < colors * 4; j++) centres[j] = palette[j];
  for (int32_t j = 0; j < colors; j++)
    if (palette[j * 4 + 3] == 0 && transparent < 0) transparent = j;
  for (int32_t j = 0; j < colors; j++) {
    double best = __builtin_inf();
    for (int32_t j2 = 0; j2 < colors; j2++) {
      if (j2 == j) continue;
      const double *c = centres + j2 * 4;
      const double d = wdist2(centres + j * 4, c[0], c[1], c[2], c[3], w);
      if (d < best) best = d;
    }
    quarter[j] = best * 0.25 * SURE;
  }
  if (!search_build(&s, centres, colors, w)) goto fail;
  if (!grid_init(&grid, &s, centres)) goto fail;
  int32_t last = -1;
  float *here = rows, *next = rows + (size_t)(width + 2) * 3;
  for (int32_t y = 0; y < height; y++) {
    const int forward = (y & 1) == 0;
    const int32_t step = forward ? 1 : -1;
    memset(next, 0, sizeof(float) * (size_t)(width + 2) * 3);
    for (int32_t i = 0; i < width; i++) {
      const int32_t x = forward ? i : width - 1 - i;
      const size_t p = (size_t)y * (size_t)width + (size_t)x;
      const uint8_t *px = data + p * (size_t)channels;
      const double a = channels == 4 ? px[3] : 255;
      if (a == 0 && transparent >= 0) {
        indices[p] = (uint8_t)transparent;
        continue;
      }
      const int32_t e = (x + 1) * 3;
      const double r = js_min(255, js_max(0, px[0] + js_min(max_error, js_max(-max_error, here[e]))));
      const double g =
          js_min(255, js_max(0, px[1] + js_min(max_error, js_max(-max_error, here[e + 1]))));
      const double b =
          js_min(255, js_max(0, px[2] + js_min(max_error, js_max(-max_error, here[e + 2]))));
      int32_t j;
      if (last >= 0 && wdist2(centres + last * 4, r, g, b, a, w) < quarter[last]) {
        j = last;
      } else {
        j = grid_nearest(&grid, r, g, b, a);
        last = j;
      }
      indices[p] = (uint8_t)j;
      const double er = r - palette[j * 4], eg = g - palette[j * 4 + 1],
                   eb = b - palette[j * 4 + 2];
      const int32_t ahead = e + step * 3, behind = e - step * 3;
      here[ahead] = (float)(here[ahead] + (er * 7) / 16);
      here[ahead + 1] = (float)(here[ahead + 1] + (eg * 7) / 16);
      here[ahead + 2] = (float)(here[ahead + 2] + (eb * 7) / 16);
      next[behind] = (float)(next[behind] + (er * 3) / 16);
      next[behind + 1] = (float)(next[behind + 1] + (eg * 3) / 16);
      next[behind + 2] = (float)(next[behind + 2] + (eb * 3) / 16);
      next[e] = (float)(next[e] + (er * 5) / 16);
      next[e + 1] = (float)(next[e + 1] + (eg * 5) / 16);
      next[e + 2] = (float)(next[e + 2] + (eb * 5) / 16);
      next[ahead] = (float)(next[ahead] + er / 16);
      next[ahead + 1] = (float)(next[ahead + 1] + eg / 16);
      next[ahead + 2] = (float)(next[ahead + 2] + eb / 16);
    }
    float *swap = here;
    here = next;
    next = swap;
  }
  grid_free(&grid);
  search_free(&s);
  free(centres);
  free(rows);
  free(quarter);
  return 1;
fail:
  grid_free(&grid);
  search_free(&s);
  free(centres);
  free(rows);
  free(quarter);
  return 0;
}
