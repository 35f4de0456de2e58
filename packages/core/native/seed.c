/*
 * Greedy weighted k-means++ (src/init.ts kmeansPlusPlus) with Random's generator (src/random.ts:
 * mulberry32 from the state Random holds), so the whole seeding runs here: the same draws, the
 * same samples, the same potentials summed in the same order.
 *
 * One exact shortcut: a trial's potential is a running sum of non-negative terms, so it never
 * decreases; once it reaches the best potential of the step's earlier trials the trial cannot
 * win (the TypeScript keeps a trial only when strictly lower) and its sum stops there.
 */
#include <stdlib.h>

#include "kernels.h"

static double next_random(uint32_t *state) {
  uint32_t a = *state + 0x6d2b79f5u;
  *state = a;
  uint32_t t = a;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

/* Index where the running sum of weights[i] * (d2 ? d2[i] : 1) first exceeds target. */
static int32_t sample(const double *weights, const double *d2, int32_t n, double target) {
  double acc = 0;
  int32_t last = 0;
  for (int32_t i = 0; i < n; i++) {
    const double w = d2 == NULL ? weights[i] : weights[i] * d2[i];
    if (w <= 0) continue;
    acc += w;
    last = i;
    if (acc > target) return i;
  }
  return last;
}

/* out[i] = min(d2[i], |x_i - x_c|^2 weighted by w); returns the sum of weights[i] * out[i], stopping (with a
   partial sum >= bound) once it reaches bound. out may be d2. */
static double update_distances(const double *points, const double *weights, int32_t n, int32_t c,
                               const double *w, const double *d2, double *out, double bound) {
  const double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
  const double cr = points[c * 4], cg = points[c * 4 + 1], cb = points[c * 4 + 2],
               ca = points[c * 4 + 3];
  double pot = 0;
  int32_t i = 0;
  while (i < n) {
    const int32_t stop = n - i > 256 ? i + 256 : n;
    for (; i < stop; i++) {
      const double *x = points + i * 4;
      const double dr = x[0] - cr, dg = x[1] - cg, db = x[2] - cb, da = x[3] - ca;
      const double d = w0 * dr * dr + w1 * dg * dg + w2 * db * db + w3 * da * da;
      const double m = d < d2[i] ? d : d2[i];
      out[i] = m;
      pot += weights[i] * m;
    }
    if (pot >= bound) return pot;
  }
  return pot;
}

int32_t seed_kmeanspp(const double *points, const double *weights, int32_t n, int32_t k,
                      int32_t trials, uint32_t *state, const double *w, double *centres) {
  if (n == 0) return 0;
  double *buf = malloc(sizeof(double) * 3 * (size_t)n);
  if (buf == NULL) return -1;
  double *d2 = buf, *candidate = buf + n, *best_d2 = buf + 2 * (size_t)n;
  for (int32_t i = 0; i < n; i++) d2[i] = __builtin_inf();
  double total = 0;
  for (int32_t i = 0; i < n; i++) total += weights[i];
  const int32_t first = sample(weights, NULL, n, next_random(state) * total);
  double pot = update_distances(points, weights, n, first, w, d2, d2, __builtin_inf());
  for (int d = 0; d < 4; d++) centres[d] = points[first * 4 + d];
  int32_t count = 1;
  while (count < k) {
    if (!(pot > 0)) break;
    double best_pot = __builtin_inf();
    int32_t best = -1;
    for (int32_t t = 0; t < trials; t++) {
      const int32_t c = sample(weights, d2, n, next_random(state) * pot);
      const double p = update_distances(points, weights, n, c, w, d2, candidate, best_pot);
      if (p < best_pot) {
        best_pot = p;
        best = c;
        double *swap = best_d2;
        best_d2 = candidate;
        candidate = swap;
      }
    }
    if (best < 0) break; /* unreachable with finite points: every potential is < Infinity */
    double *swap = d2;
    d2 = best_d2;
    best_d2 = swap;
    pot = best_pot;
    for (int d = 0; d < 4; d++) centres[count * 4 + d] = points[best * 4 + d];
    count++;
  }
  free(buf);
  return count;
}
