/*
 * NearestSearch (src/nearest.ts): exact nearest centre in 4-D, centres sorted by their
 * projection on the grey axis of the weighted space (ties by index), distances weighted by
 * channel, searched outwards from the query's projection until
 * the gap on both sides reaches the second-best distance. Same operations and tie rules.
 */
#include <math.h>
#include <stdlib.h>

#include "kernels.h"

typedef struct {
  double p;
  int32_t j;
} Key;

static int by_projection(const void *x, const void *y) {
  const Key *a = x, *b = y;
  if (a->p < b->p) return -1;
  if (a->p > b->p) return 1;
  return a->j < b->j ? -1 : a->j > b->j;
}

int search_build(Search *s, const double *centres, int32_t k, const double *w) {
  s->k = k;
  for (int d = 0; d < 4; d++) {
    s->w[d] = w[d];
    s->s[d] = sqrt(w[d]);
  }
  s->sorted = malloc(sizeof(double) * 5 * (size_t)k + sizeof(int32_t) * (size_t)k);
  Key *keys = malloc(sizeof(Key) * (size_t)k);
  if (s->sorted == NULL || keys == NULL) {
    free(s->sorted);
    free(keys);
    s->sorted = NULL;
    return 0;
  }
  s->proj = s->sorted + 4 * (size_t)k;
  s->order = (int32_t *)(s->proj + k);
  for (int32_t j = 0; j < k; j++) {
    const double *c = centres + j * 4;
    keys[j].p = (s->s[0] * c[0] + s->s[1] * c[1] + s->s[2] * c[2] + s->s[3] * c[3]) * 0.5;
    keys[j].j = j;
  }
  qsort(keys, (size_t)k, sizeof(Key), by_projection);
  for (int32_t i = 0; i < k; i++) {
    const int32_t j = keys[i].j;
    s->order[i] = j;
    s->proj[i] = keys[i].p;
    for (int d = 0; d < 4; d++) s->sorted[i * 4 + d] = centres[j * 4 + d];
  }
  free(keys);
  return 1;
}

void search_free(Search *s) { free(s->sorted); }

/* NearestSearch.nearest: the nearest centre's index; *b1, *b2 the two smallest squared distances. */
int32_t search_nearest(const Search *s, double r, double g, double b, double a, double *b1,
                       double *b2) {
  const int32_t k = s->k;
  const double *proj = s->proj, *c = s->sorted;
  const double p = (s->s[0] * r + s->s[1] * g + s->s[2] * b + s->s[3] * a) * 0.5;
  const double w0 = s->w[0], w1 = s->w[1], w2 = s->w[2], w3 = s->w[3];
  int32_t lo = 0, hi = k;
  while (lo < hi) {
    const int32_t mid = (int32_t)(((uint32_t)lo + (uint32_t)hi) >> 1);
    if (proj[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  int32_t down = lo - 1, up = lo, best_pos = 0;
  double best1 = __builtin_inf(), best2 = __builtin_inf();
  for (;;) {
    const double gap_down = down >= 0 ? p - proj[down] : __builtin_inf();
    const double gap_up = up < k ? proj[up] - p : __builtin_inf();
    int32_t at;
    if (gap_down <= gap_up) {
      if (gap_down * gap_down >= best2) break;
      at = down--;
    } else {
      if (gap_up * gap_up >= best2) break;
      at = up++;
    }
    const double *x = c + at * 4;
    const double dr = r - x[0], dg = g - x[1], db = b - x[2], da = a - x[3];
    const double d = w0 * dr * dr + w1 * dg * dg + w2 * db * db + w3 * da * da;
    if (d < best1 || (d == best1 && at < best_pos)) {
      best2 = best1;
      best1 = d;
      best_pos = at;
    } else if (d < best2) {
      best2 = d;
    }
  }
  *b1 = best1;
  *b2 = best2;
  return s->order[best_pos];
}

