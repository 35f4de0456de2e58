/*
 * WeightedKmeans (src/kmeans.ts), Lloyd with Hamerly's bounds: the constructor's exact
 * assignment, reassign() and the bound loosening of moveTo(), with NearestSearch
 * (src/nearest.ts): centres sorted by their grey-axis projection (ties by index), searched
 * outwards from the query's projection. Same operations, same order, same tie rules.
 */
#include <math.h>
#include <stdlib.h>

#include "kernels.h"

typedef struct {
  int32_t k;
  double *sorted; /* k * 4 */
  double *proj;   /* k */
  int32_t *order; /* k */
} Search;

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

static int search_build(Search *s, const double *centres, int32_t k) {
  s->k = k;
  s->sorted = malloc(sizeof(double) * 5 * (size_t)k + sizeof(int32_t) * (size_t)k);
  Key *keys = malloc(sizeof(Key) * (size_t)k);
  if (s->sorted == NULL || keys == NULL) {
    free(s->sorted);
    free(keys);
    return 0;
  }
  s->proj = s->sorted + 4 * (size_t)k;
  s->order = (int32_t *)(s->proj + k);
  for (int32_t j = 0; j < k; j++) {
    const double *c = centres + j * 4;
    keys[j].p = (c[0] + c[1] + c[2] + c[3]) * 0.5;
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

static void search_free(Search *s) { free(s->sorted); }

/* NearestSearch.nearest: the nearest centre's index; *b1, *b2 the two smallest squared distances. */
static int32_t nearest(const Search *s, double r, double g, double b, double a, double *b1,
                       double *b2) {
  const int32_t k = s->k;
  const double *proj = s->proj, *c = s->sorted;
  const double p = (r + g + b + a) * 0.5;
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
    const double d = dr * dr + dg * dg + db * db + da * da;
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

static void add_to(Hamerly *h, int32_t j, int32_t i, double sign) {
  const double w = h->weights[i] * sign;
  const double *p = h->points + i * 4;
  double *s = h->sums + j * 4;
  s[0] += w * p[0];
  s[1] += w * p[1];
  s[2] += w * p[2];
  s[3] += w * p[3];
  h->mass[j] += w;
}

static double dist2(const double *x, const double *y) {
  const double dr = x[0] - y[0], dg = x[1] - y[1], db = x[2] - y[2], da = x[3] - y[3];
  return dr * dr + dg * dg + db * db + da * da;
}

int hamerly_init(Hamerly *h) {
  Search s;
  if (!search_build(&s, h->centres, h->k)) return 0;
  for (int32_t i = 0; i < h->n; i++) {
    const double *p = h->points + i * 4;
    double b1, b2;
    const int32_t j = nearest(&s, p[0], p[1], p[2], p[3], &b1, &b2);
    h->assign[i] = j;
    h->upper[i] = sqrt(b1);
    h->lower[i] = sqrt(b2);
    add_to(h, j, i, 1);
  }
  search_free(&s);
  return 1;
}

int hamerly_reassign(Hamerly *h, double *half) {
  const int32_t n = h->n, k = h->k;
  const double *centres = h->centres, *points = h->points;
  for (int32_t j = 0; j < k; j++) {
    double best = __builtin_inf();
    for (int32_t j2 = 0; j2 < k; j2++) {
      if (j2 == j) continue;
      const double d = dist2(centres + j * 4, centres + j2 * 4);
      if (d < best) best = d;
    }
    half[j] = 0.5 * sqrt(best);
  }
  Search s;
  int searching = 0;
  for (int32_t i = 0; i < n; i++) {
    const int32_t a = h->assign[i];
    const double l = h->lower[i];
    /* Math.max(half[a], lower[i]) for the finite or infinite values here (no NaN); the bound
       is only compared, so the sign of a zero cannot matter */
    const double bound = half[a] > l ? half[a] : l;
    if (h->upper[i] <= bound) continue;
    const double *p = points + i * 4;
    const double u = sqrt(dist2(p, centres + a * 4));
    h->upper[i] = u;
    if (u <= bound) continue;
    if (!searching) {
      if (!search_build(&s, centres, k)) return 0;
      searching = 1;
    }
    double b1, b2;
    const int32_t b = nearest(&s, p[0], p[1], p[2], p[3], &b1, &b2);
    const double d1 = sqrt(b1);
    h->lower[i] = sqrt(b2);
    if (b != a && d1 < u) {
      add_to(h, a, i, -1);
      add_to(h, b, i, 1);
      h->assign[i] = b;
      h->upper[i] = d1;
    } else {
      h->upper[i] = u;
      if (b != a) h->lower[i] = h->lower[i] < d1 ? h->lower[i] : d1;
    }
  }
  if (searching) search_free(&s);
  return 1;
}

void hamerly_loosen(Hamerly *h, const double *moved, int32_t arg1, double max1, double max2) {
  for (int32_t i = 0; i < h->n; i++) {
    const int32_t a = h->assign[i];
    h->upper[i] += moved[a];
    h->lower[i] -= a == arg1 ? max2 : max1;
  }
}
