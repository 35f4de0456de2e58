/*
 * buildTree (src/tree.ts) in C: Morton order, the colours in that order, the nodes (the same
 * stack walk, so the same node ids) and the node statistics (the same double sums in the same
 * order), so every ColorTree array is the TypeScript one byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define LEAF_SIZE 8

static uint32_t spread4[256], spread3[256];
static int spread_ready = 0;

static void spread_init(void) {
  if (spread_ready) return;
  for (uint32_t v = 0; v < 256; v++) {
    uint32_t s4 = 0, s3 = 0;
    for (uint32_t b = 0; b < 8; b++)
      if (v & (1u << b)) {
        s4 |= 1u << (4 * b);
        s3 |= 1u << (3 * b);
      }
    spread4[v] = s4;
    spread3[v] = s3;
  }
  spread_ready = 1;
}

/* Stable LSD radix sort of 0..n-1 by `keys` (of `bits` bits): sortByKey's passes. The order of
   a stable sort is unique, so the passes only matter for speed. */
static int sort_by_key(const uint32_t *codes, int32_t n, int bits, int32_t *out) {
  uint32_t *keys = malloc(sizeof(uint32_t) * (size_t)(n ? n : 1) * 2);
  int32_t *tmp_idx = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
  const int passes = (bits + 11) / 12;
  const int digit = (bits + passes - 1) / passes;
  const uint32_t mask = (1u << digit) - 1;
  int32_t *count = malloc(sizeof(int32_t) * ((size_t)mask + 1));
  if (!keys || !tmp_idx || !count) {
    free(keys);
    free(tmp_idx);
    free(count);
    return 0;
  }
  uint32_t *k = keys, *tk = keys + n;
  int32_t *idx = out, *ti = tmp_idx;
  memcpy(k, codes, sizeof(uint32_t) * (size_t)n);
  for (int32_t i = 0; i < n; i++) idx[i] = i;
  for (int shift = 0; shift < bits; shift += digit) {
    memset(count, 0, sizeof(int32_t) * ((size_t)mask + 1));
    for (int32_t i = 0; i < n; i++) count[(k[i] >> shift) & mask]++;
    int32_t acc = 0;
    int all_same = 0;
    for (uint32_t b = 0; b <= mask; b++) {
      const int32_t c = count[b];
      if (c == n) all_same = 1;
      count[b] = acc;
      acc += c;
    }
    if (all_same) continue;
    for (int32_t i = 0; i < n; i++) {
      const uint32_t key = k[i];
      const int32_t at = count[(key >> shift) & mask]++;
      tk[at] = key;
      ti[at] = idx[i];
    }
    uint32_t *t1 = k;
    k = tk;
    tk = t1;
    int32_t *t2 = idx;
    idx = ti;
    ti = t2;
  }
  if (idx != out) memcpy(out, idx, sizeof(int32_t) * (size_t)n);
  free(keys);
  free(tmp_idx);
  free(count);
  return 1;
}

int32_t tree_order_nodes(const uint8_t *colors, const double *counts, int32_t n, int32_t cap,
                         TreeBuild *t) {
  spread_init();
  const size_t m = (size_t)(n ? n : 1);
  uint32_t *codes = malloc(sizeof(uint32_t) * m);
  uint32_t *sorted = malloc(sizeof(uint32_t) * m);
  if (!codes || !sorted) {
    free(codes);
    free(sorted);
    return -1;
  }
  int opaque = 1;
  for (int32_t i = 0; i < n; i++) {
    const uint8_t *c = colors + (size_t)i * 4;
    codes[i] = (spread4[c[0]] << 3) | (spread4[c[1]] << 2) | (spread4[c[2]] << 1) | spread4[c[3]];
    if (c[3] != 255) opaque = 0;
  }
  int ok;
  if (opaque) {
    for (int32_t i = 0; i < n; i++) {
      const uint8_t *c = colors + (size_t)i * 4;
      sorted[i] = (spread3[c[0]] << 2) | (spread3[c[1]] << 1) | spread3[c[2]];
    }
    ok = sort_by_key(sorted, n, 24, t->order);
  } else {
    ok = sort_by_key(codes, n, 32, t->order);
  }
  if (!ok) {
    free(codes);
    free(sorted);
    return -1;
  }
  t->opaque = opaque;
  for (int32_t p = 0; p < n; p++) {
    const int32_t i = t->order[p];
    memcpy(t->points + (size_t)p * 4, colors + (size_t)i * 4, 4);
    t->weights[p] = counts[i];
    sorted[p] = codes[i];
  }
  free(codes);

  /* buildNodes: the same stack of (node, level), children pushed in order, popped last first */
  memset(t->first_child, 0, sizeof(int32_t) * (size_t)cap);
  memset(t->child_count, 0, sizeof(int32_t) * (size_t)cap);
  int32_t nodes = 1;
  t->start[0] = 0;
  t->end[0] = n;
  /* at most 9 levels of at most 16 children pending: 160 pairs */
  int32_t stack[2 * 256];
  int top = 0;
  stack[top++] = 0;
  stack[top++] = 0;
  int32_t bounds[17];
  while (top > 0) {
    int32_t level = stack[--top];
    const int32_t node = stack[--top];
    const int32_t s = t->start[node], e = t->end[node];
    if (e - s <= LEAF_SIZE) continue;
    int parts = 0;
    while (level < 8) {
      const int shift = 28 - 4 * level;
      parts = 0;
      int32_t prev = -1;
      for (int32_t p = s; p < e; p++) {
        const int32_t digit = (int32_t)((sorted[p] >> shift) & 15);
        if (digit != prev) {
          bounds[parts++] = p;
          prev = digit;
        }
      }
      bounds[parts] = e;
      level++;
      if (parts > 1) break;
    }
    if (parts <= 1) continue;
    if (nodes > cap - parts || top + 2 * parts > (int)(sizeof stack / sizeof stack[0])) {
      free(sorted);
      return -2;
    }
    const int32_t first = nodes;
    nodes += parts;
    t->first_child[node] = first;
    t->child_count[node] = parts;
    for (int c = 0; c < parts; c++) {
      t->start[first + c] = bounds[c];
      t->end[first + c] = bounds[c + 1];
      stack[top++] = first + c;
      stack[top++] = level;
    }
  }
  free(sorted);
  return nodes;
}

void tree_statistics(const TreeBuild *t, int32_t nodes, double *weight, double *sum, uint8_t *lo,
                     uint8_t *hi) {
  memset(weight, 0, sizeof(double) * (size_t)nodes);
  memset(sum, 0, sizeof(double) * (size_t)nodes * 4);
  memset(lo, 255, (size_t)nodes * 4);
  memset(hi, 0, (size_t)nodes * 4);
  for (int32_t node = nodes - 1; node >= 0; node--) {
    const size_t o = (size_t)node * 4;
    if (t->child_count[node] == 0) {
      double w = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      uint8_t lo0 = 255, lo1 = 255, lo2 = 255, lo3 = 255, hi0 = 0, hi1 = 0, hi2 = 0, hi3 = 0;
      for (int32_t p = t->start[node]; p < t->end[node]; p++) {
        const double pw = t->weights[p];
        const uint8_t *q = t->points + (size_t)p * 4;
        const uint8_t v0 = q[0], v1 = q[1], v2 = q[2], v3 = q[3];
        w += pw;
        s0 += pw * v0;
        s1 += pw * v1;
        s2 += pw * v2;
        s3 += pw * v3;
        if (v0 < lo0) lo0 = v0;
        if (v1 < lo1) lo1 = v1;
        if (v2 < lo2) lo2 = v2;
        if (v3 < lo3) lo3 = v3;
        if (v0 > hi0) hi0 = v0;
        if (v1 > hi1) hi1 = v1;
        if (v2 > hi2) hi2 = v2;
        if (v3 > hi3) hi3 = v3;
      }
      weight[node] = w;
      sum[o] = s0;
      sum[o + 1] = s1;
      sum[o + 2] = s2;
      sum[o + 3] = s3;
      lo[o] = lo0;
      lo[o + 1] = lo1;
      lo[o + 2] = lo2;
      lo[o + 3] = lo3;
      hi[o] = hi0;
      hi[o + 1] = hi1;
      hi[o + 2] = hi2;
      hi[o + 3] = hi3;
      continue;
    }
    const int32_t f = t->first_child[node], cc = t->child_count[node];
    for (int32_t c = f; c < f + cc; c++) {
      weight[node] += weight[c];
      const size_t co = (size_t)c * 4;
      for (int d = 0; d < 4; d++) {
        sum[o + d] += sum[co + d];
        if (lo[co + d] < lo[o + d]) lo[o + d] = lo[co + d];
        if (hi[co + d] > hi[o + d]) hi[o + d] = hi[co + d];
      }
    }
  }
}
