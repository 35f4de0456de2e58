/*
 * TreeKmeans.visit / visit3 (src/tree-kmeans.ts): Kanungo's filtering over the colour tree, one
 * whole assignment pass. Same candidate order, same strict comparisons (ties to the lowest
 * centre index), same accumulation order of the cluster sums.
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static void add_node(TreePass *t, int32_t j, int32_t node) {
  const double *sum = t->sum + node * 4;
  double *s = t->sums + j * 4;
  s[0] += sum[0];
  s[1] += sum[1];
  s[2] += sum[2];
  s[3] += sum[3];
  t->mass[j] += t->weight[node];
}

static void fill_record(TreePass *t, int32_t best, int32_t node) {
  if (t->record == NULL) return;
  for (int32_t p = t->start[node]; p < t->end[node]; p++) t->record[p] = best;
}

static void visit4(TreePass *t, int32_t node, int32_t off, int32_t count) {
  const double *c = t->c;
  const double w0 = t->w[0], w1 = t->w[1], w2 = t->w[2], w3 = t->w[3];
  int32_t *cand = t->cand;
  const int o = node * 4;
  const double l0 = t->lo[o], l1 = t->lo[o + 1], l2 = t->lo[o + 2], l3 = t->lo[o + 3];
  const double h0 = t->hi[o], h1 = t->hi[o + 1], h2 = t->hi[o + 2], h3 = t->hi[o + 3];
  const double m0 = (l0 + h0) * 0.5, m1 = (l1 + h1) * 0.5, m2 = (l2 + h2) * 0.5,
               m3 = (l3 + h3) * 0.5;
  int32_t best = cand[off];
  double bestD = __builtin_inf();
  for (int32_t i = off; i < off + count; i++) {
    const double *z = c + cand[i] * 4;
    const double d0 = m0 - z[0], d1 = m1 - z[1], d2 = m2 - z[2], d3 = m3 - z[3];
    const double d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2 + w3 * d3 * d3;
    if (d < bestD) {
      bestD = d;
      best = cand[i];
    }
  }
  const double *b = c + best * 4;
  const int32_t next = off + count;
  if (next + count > t->cand_size) {
    t->overflow = 1;
    return;
  }
  int32_t kept = 0;
  for (int32_t i = off; i < off + count; i++) {
    const int32_t zi = cand[i];
    if (zi != best) {
      const double *z = c + zi * 4;
      const double v0 = z[0] > b[0] ? h0 : l0;
      const double v1 = z[1] > b[1] ? h1 : l1;
      const double v2 = z[2] > b[2] ? h2 : l2;
      const double v3 = z[3] > b[3] ? h3 : l3;
      const double a0 = v0 - z[0], a1 = v1 - z[1], a2 = v2 - z[2], a3 = v3 - z[3];
      const double b0 = v0 - b[0], b1 = v1 - b[1], b2 = v2 - b[2], b3 = v3 - b[3];
      if (w0 * a0 * a0 + w1 * a1 * a1 + w2 * a2 * a2 + w3 * a3 * a3 >
          w0 * b0 * b0 + w1 * b1 * b1 + w2 * b2 * b2 + w3 * b3 * b3)
        continue;
    }
    cand[next + kept++] = zi;
  }
  if (kept == 1) {
    add_node(t, best, node);
    fill_record(t, best, node);
    return;
  }
  const int32_t kids = t->child_count[node];
  if (kids > 0) {
    const int32_t first = t->first_child[node];
    for (int32_t child = first; child < first + kids; child++) visit4(t, child, next, kept);
    return;
  }
  double *sums = t->sums;
  for (int32_t p = t->start[node]; p < t->end[node]; p++) {
    const uint8_t *q = t->points + p * 4;
    const double x0 = q[0], x1 = q[1], x2 = q[2], x3 = q[3];
    int32_t nearest = cand[next];
    double nearestD = __builtin_inf();
    for (int32_t i = next; i < next + kept; i++) {
      const double *z = c + cand[i] * 4;
      const double d0 = x0 - z[0], d1 = x1 - z[1], d2 = x2 - z[2], d3 = x3 - z[3];
      const double d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2 + w3 * d3 * d3;
      if (d < nearestD) {
        nearestD = d;
        nearest = cand[i];
      }
    }
    const double w = t->weights[p];
    double *s = sums + nearest * 4;
    s[0] += w * x0;
    s[1] += w * x1;
    s[2] += w * x2;
    s[3] += w * x3;
    t->mass[nearest] += w;
    if (t->record != NULL) t->record[p] = nearest;
  }
}

/* visit4 for opaque colours and centres: the alpha terms are exactly 0 and left out. */
static void visit3(TreePass *t, int32_t node, int32_t off, int32_t count) {
  const double *c = t->c;
  const double w0 = t->w[0], w1 = t->w[1], w2 = t->w[2];
  int32_t *cand = t->cand;
  const int o = node * 4;
  const double l0 = t->lo[o], l1 = t->lo[o + 1], l2 = t->lo[o + 2];
  const double h0 = t->hi[o], h1 = t->hi[o + 1], h2 = t->hi[o + 2];
  const double m0 = (l0 + h0) * 0.5, m1 = (l1 + h1) * 0.5, m2 = (l2 + h2) * 0.5;
  int32_t best = cand[off];
  double bestD = __builtin_inf();
  for (int32_t i = off; i < off + count; i++) {
    const double *z = c + cand[i] * 4;
    const double d0 = m0 - z[0], d1 = m1 - z[1], d2 = m2 - z[2];
    const double d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2;
    if (d < bestD) {
      bestD = d;
      best = cand[i];
    }
  }
  const double *b = c + best * 4;
  const int32_t next = off + count;
  if (next + count > t->cand_size) {
    t->overflow = 1;
    return;
  }
  int32_t kept = 0;
  for (int32_t i = off; i < off + count; i++) {
    const int32_t zi = cand[i];
    if (zi != best) {
      const double *z = c + zi * 4;
      const double v0 = z[0] > b[0] ? h0 : l0;
      const double v1 = z[1] > b[1] ? h1 : l1;
      const double v2 = z[2] > b[2] ? h2 : l2;
      const double a0 = v0 - z[0], a1 = v1 - z[1], a2 = v2 - z[2];
      const double b0 = v0 - b[0], b1 = v1 - b[1], b2 = v2 - b[2];
      if (w0 * a0 * a0 + w1 * a1 * a1 + w2 * a2 * a2 > w0 * b0 * b0 + w1 * b1 * b1 + w2 * b2 * b2)
        continue;
    }
    cand[next + kept++] = zi;
  }
  if (kept == 1) {
    add_node(t, best, node);
    fill_record(t, best, node);
    return;
  }
  const int32_t kids = t->child_count[node];
  if (kids > 0) {
    const int32_t first = t->first_child[node];
    for (int32_t child = first; child < first + kids; child++) visit3(t, child, next, kept);
    return;
  }
  double *sums = t->sums;
  for (int32_t p = t->start[node]; p < t->end[node]; p++) {
    const uint8_t *q = t->points + p * 4;
    const double x0 = q[0], x1 = q[1], x2 = q[2], x3 = q[3];
    int32_t nearest = cand[next];
    double nearestD = __builtin_inf();
    for (int32_t i = next; i < next + kept; i++) {
      const double *z = c + cand[i] * 4;
      const double d0 = x0 - z[0], d1 = x1 - z[1], d2 = x2 - z[2];
      const double d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2;
      if (d < nearestD) {
        nearestD = d;
        nearest = cand[i];
      }
    }
    const double w = t->weights[p];
    double *s = sums + nearest * 4;
    s[0] += w * x0;
    s[1] += w * x1;
    s[2] += w * x2;
    s[3] += w * x3;
    t->mass[nearest] += w;
    if (t->record != NULL) t->record[p] = nearest;
  }
}

int tree_sound(const TreePass *t, int32_t nodes, int32_t n) {
  if (nodes < 1) return n == 0;
  if (t->start[0] != 0 || t->end[0] != n) return 0;
  /* levels[node]: the node's level on its path from the root (1 for the root), 0 while no parent
     has named it. A node with two parents, or a path longer than MAX_LEVELS, is refused: the
     pass then visits each node at most once, no deeper than cand holds candidate lists for, and
     its recursion stays shallow (a chain of nodes would otherwise overflow the C stack). */
  uint8_t *levels = calloc((size_t)nodes, 1);
  if (levels == NULL) return -1;
  levels[0] = 1;
  int sound = 1;
  for (int32_t node = 0; node < nodes && sound; node++) {
    const int32_t s = t->start[node], e = t->end[node];
    const int32_t first = t->first_child[node], kids = t->child_count[node];
    if (s < 0 || e < s || e > n || kids < 0) sound = 0;
    else if (kids > 0 && (first <= node || first > nodes - kids)) sound = 0;
    else if (kids > 0 && levels[node] > 0) {
      if (levels[node] >= MAX_LEVELS) sound = 0;
      for (int32_t c = first; c < first + kids && sound; c++) {
        if (levels[c] != 0) sound = 0;
        levels[c] = (uint8_t)(levels[node] + 1);
      }
    }
  }
  free(levels);
  return sound;
}

int tree_assign(TreePass *t, int32_t n, int32_t k, int opaque) {
  t->overflow = 0;
  memset(t->sums, 0, sizeof(double) * 4 * (size_t)k);
  memset(t->mass, 0, sizeof(double) * (size_t)k);
  if (n == 0) return 1;
  if (k > t->cand_size) return 0;
  for (int32_t j = 0; j < k; j++) {
    t->cand[j] = j;
    if (t->c[j * 4 + 3] != 255) opaque = 0;
  }
  if (opaque) visit3(t, 0, 0, k);
  else visit4(t, 0, 0, k);
  return !t->overflow;
}
