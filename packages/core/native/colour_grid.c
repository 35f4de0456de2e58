/*
 * A lazily built grid of candidate entries for opaque colours, in front of search_nearest.
 * r, g and b (0..255) fall in fine cells of GRID_STEP levels, inside coarse cells of
 * GRID_COARSE fine ones a side. A cell's candidates are the entries that can be nearest to some
 * colour of the cell: those whose least distance to the cell's box is at most the least, over
 * the entries, of the greatest. A coarse cell's are found among all entries, a fine cell's
 * among its coarse cell's (an entry nearest to a colour of the fine cell is nearest to one of
 * the coarse cell), each the first time a colour falls in it. A colour then costs the distances
 * to its fine cell's few candidates. The answer is taken only where one candidate is clearly
 * nearest (the second farther by more than rounding could move); it is then the one entry
 * nearest, so the entry search_nearest finds too. Anything else (a tie, a near tie,
 * translucent or NaN colours) is search_nearest's to answer.
 */
#include <stdlib.h>

#include "kernels.h"

#define FINE_SIDE (256 / GRID_STEP)
#define COARSE_SIDE (FINE_SIDE / GRID_COARSE)
#define FINE_CELLS (FINE_SIDE * FINE_SIDE * FINE_SIDE)
#define COARSE_CELLS (COARSE_SIDE * COARSE_SIDE * COARSE_SIDE)
/* Relative margin for rounding: far above a double's error on these sums. */
#define CLEAR (1 - 1e-9)

int grid_init(Grid *g, const Search *s, const double *centres) {
  g->s = s;
  g->centres = centres;
  g->pool = NULL;
  g->used = g->cap = 0;
  g->start = malloc(sizeof(int32_t) * 2 * (FINE_CELLS + COARSE_CELLS));
  g->least = malloc(sizeof(double) * ((size_t)s->k + 1));
  if (g->start == NULL || g->least == NULL) return 0;
  g->count = g->start + FINE_CELLS + COARSE_CELLS;
  for (int32_t c = 0; c < FINE_CELLS + COARSE_CELLS; c++) g->start[c] = -1;
  return 1;
}

void grid_free(Grid *g) {
  free(g->start);
  free(g->least);
  free(g->pool);
}

/* The squared weighted distance from v to [lo, hi] on one axis, least and greatest, added. */
static inline void axis_bounds(double v, double lo, double hi, double w, double *least,
                               double *most) {
  const double below = v < lo ? lo - v : v > hi ? v - hi : 0;
  const double far = v - lo > hi - v ? v - lo : hi - v;
  *least += w * below * below;
  *most += w * far * far;
}

/* Makes room for `more` candidates in the pool; returns 0 when memory ran out. */
static int reserve(Grid *g, int32_t more) {
  if (g->cap - g->used >= more) return 1;
  const int32_t cap = g->cap * 2 > g->used + more ? g->cap * 2 : g->used + more;
  uint16_t *pool = realloc(g->pool, sizeof(uint16_t) * (size_t)cap);
  if (pool == NULL) return 0;
  g->pool = pool;
  g->cap = cap;
  return 1;
}

/* Fills cell c (box from lo, `side` levels a side) with the candidates among `from` (n entries;
   NULL: all); returns 0 when memory ran out. */
static int build_cell(Grid *g, int32_t c, const double lo[3], double side, int32_t from_start,
                      int32_t n) {
  const Search *s = g->s;
  if (!reserve(g, n)) return 0;
  double bound = __builtin_inf();
  for (int32_t i = 0; i < n; i++) {
    const int32_t j = from_start < 0 ? i : g->pool[from_start + i];
    const double *x = g->centres + j * 4;
    const double da = 255 - x[3];
    double l = s->w[3] * da * da, m = l;
    for (int d = 0; d < 3; d++) axis_bounds(x[d], lo[d], lo[d] + side, s->w[d], &l, &m);
    g->least[i] = l;
    if (m < bound) bound = m;
  }
  bound = bound / CLEAR + 1e-9;
  const int32_t at = g->used;
  for (int32_t i = 0; i < n; i++)
    if (g->least[i] <= bound)
      g->pool[g->used++] = from_start < 0 ? (uint16_t)i : g->pool[from_start + i];
  g->start[c] = at;
  g->count[c] = g->used - at;
  return 1;
}

/* The fine cell of (r, g, b), built with its coarse cell if need be; -1 when memory ran out. */
static int32_t fine_cell(Grid *g, double r, double gr, double b) {
  int32_t f[3];
  const double v[3] = {r, gr, b};
  for (int d = 0; d < 3; d++) f[d] = v[d] >= 255 ? FINE_SIDE - 1 : (int32_t)(v[d] / GRID_STEP);
  const int32_t c = (f[0] * FINE_SIDE + f[1]) * FINE_SIDE + f[2];
  if (g->start[c] >= 0) return c;
  const int32_t cc = FINE_CELLS + ((f[0] / GRID_COARSE) * COARSE_SIDE + f[1] / GRID_COARSE) *
                                      COARSE_SIDE +
                     f[2] / GRID_COARSE;
  if (g->start[cc] < 0) {
    const double lo[3] = {(f[0] / GRID_COARSE) * GRID_COARSE * GRID_STEP,
                          (f[1] / GRID_COARSE) * GRID_COARSE * GRID_STEP,
                          (f[2] / GRID_COARSE) * GRID_COARSE * GRID_STEP};
    if (!build_cell(g, cc, lo, GRID_COARSE * GRID_STEP, -1, g->s->k)) return -1;
  }
  const double lo[3] = {f[0] * GRID_STEP, f[1] * GRID_STEP, f[2] * GRID_STEP};
  if (!build_cell(g, c, lo, GRID_STEP, g->start[cc], g->count[cc])) return -1;
  return c;
}

int32_t grid_nearest(Grid *g, double r, double gr, double b, double a) {
  if (a == 255 && r >= 0 && r <= 255 && gr >= 0 && gr <= 255 && b >= 0 && b <= 255) {
    const int32_t c = fine_cell(g, r, gr, b);
    if (c >= 0) {
      const uint16_t *cand = g->pool + g->start[c];
      double best1 = __builtin_inf(), best2 = __builtin_inf();
      int32_t at = -1;
      for (int32_t i = 0; i < g->count[c]; i++) {
        const double d = wdist2(g->centres + cand[i] * 4, r, gr, b, a, g->s->w);
        if (d < best1) {
          best2 = best1;
          best1 = d;
          at = cand[i];
        } else if (d < best2) {
          best2 = d;
        }
      }
      if (at >= 0 && best1 < best2 * CLEAR) return at;
    }
  }
  double b1, b2;
  return search_nearest(g->s, r, gr, b, a, &b1, &b2);
}
