/*
 * WeightedKmeans (src/kmeans.ts), Lloyd with Hamerly's bounds: the constructor's exact
 * assignment, reassign() and the bound loosening of moveTo(), with NearestSearch (nearest.c).
 * Same operations, same order, same tie rules.
 */
#include <math.h>
#include <stdlib.h>

#include "kernels.h"

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

/* wdist2 (src/nearest.ts): squared distance, each channel's square weighted by w. */
static double dist2(const double *x, const double *y, const double *w) {
  const double dr = x[0] - y[0], dg = x[1] - y[1], db = x[2] - y[2], da = x[3] - y[3];
  return w[0] * dr * dr + w[1] * dg * dg + w[2] * db * db + w[3] * da * da;
}

int hamerly_init(Hamerly *h) {
  Search s;
  if (!search_build(&s, h->centres, h->k, h->w)) return 0;
  for (int32_t i = 0; i < h->n; i++) {
    const double *p = h->points + i * 4;
    double b1, b2;
    const int32_t j = search_nearest(&s, p[0], p[1], p[2], p[3], &b1, &b2);
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
      const double d = dist2(centres + j * 4, centres + j2 * 4, h->w);
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
    const double u = sqrt(dist2(p, centres + a * 4, h->w));
    h->upper[i] = u;
    if (u <= bound) continue;
    if (!searching) {
      if (!search_build(&s, centres, k, h->w)) return 0;
      searching = 1;
    }
    double b1, b2;
    const int32_t b = search_nearest(&s, p[0], p[1], p[2], p[3], &b1, &b2);
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
