/*
 * The pixel loops of the histogram (src/hist.ts) and of writeIndices (src/remap.ts) in C: the
 * same tables filled in the same order, so histograms, lookups and indices are the TypeScript
 * ones byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define HASH_MULT 0x9e3779b1u

int32_t count_dense(const uint8_t *data, int32_t stride, uint16_t *table, int32_t *keys,
                    int32_t size, size_t from, size_t to) {
  int32_t n = size;
  if (stride == 3) {
    for (size_t o = from; o < to; o += 3) {
      const int32_t key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
      const uint16_t v = table[key];
      if (v == 0) keys[n++] = key;
      table[key] = (uint16_t)(v + 1); /* 65536 wraps to 0 */
    }
  } else {
    for (size_t o = from; o < to; o += 4) {
      const int32_t key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
      const uint16_t v = table[key];
      if (v == 0) keys[n++] = key;
      table[key] = (uint16_t)(v + 1);
    }
  }
  return n;
}

int sort_keys24(int32_t *keys, int32_t n) {
  int32_t *tmp = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
  int32_t *count = malloc(sizeof(int32_t) * 4096);
  if (!tmp || !count) {
    free(tmp);
    free(count);
    return 0;
  }
  int32_t *src = keys, *dst = tmp;
  for (int shift = 0; shift < 24; shift += 12) {
    memset(count, 0, sizeof(int32_t) * 4096);
    for (int32_t i = 0; i < n; i++) count[((uint32_t)src[i] >> shift) & 4095]++;
    int32_t acc = 0;
    for (int b = 0; b < 4096; b++) {
      const int32_t c = count[b];
      count[b] = acc;
      acc += c;
    }
    for (int32_t i = 0; i < n; i++) {
      const int32_t key = src[i];
      dst[count[((uint32_t)key >> shift) & 4095]++] = key;
    }
    int32_t *t = src;
    src = dst;
    dst = t;
  }
  free(tmp);
  free(count);
  return 1;
}

static inline uint32_t slot(int32_t key, int shift) {
  return ((uint32_t)key * HASH_MULT) >> shift;
}

/* insert() of hashHistogram; returns 1 when the table is now over half full (grow first), -1
   when it is full without the key (only a table handed in full: ours never passes half). */
static int insert(HashCount *h, int32_t key, int32_t count) {
  const uint32_t mask = ((uint32_t)1 << h->bits) - 1;
  uint32_t s = slot(key, 32 - h->bits);
  for (uint32_t probes = 0; probes <= mask; probes++) {
    const int32_t k = h->keys[s];
    if (k == key) {
      h->values[s] += count;
      return 0;
    }
    if (k == 0) {
      h->keys[s] = key;
      h->values[s] = count;
      h->size++;
      return (uint32_t)h->size * 2 > mask;
    }
    s = (s + 1) & mask;
  }
  return -1;
}

int hash_count(HashCount *h, const uint8_t *data, int32_t stride, size_t end) {
  size_t o = h->at;
  int32_t prev = h->prev, run = h->run;
  for (; o < end; o += (size_t)stride) {
    const int32_t a = stride == 4 ? data[o + 3] : 255;
    if (a == 0) {
      h->transparent++;
      continue;
    }
    const int32_t key =
        (int32_t)(((uint32_t)data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | a);
    if (key == prev) {
      run++;
      continue;
    }
    const int grow = run > 0 ? insert(h, prev, run) : 0;
    if (grow < 0) return -1;
    prev = key;
    run = 1;
    if (grow) {
      h->at = o + (size_t)stride;
      h->prev = prev;
      h->run = run;
      return 1;
    }
  }
  h->at = o;
  h->prev = prev;
  h->run = 0;
  /* the last run: after it nothing is left, whether the table must then grow or not */
  return run > 0 ? insert(h, prev, run) : 0;
}

void hash_rehash(const int32_t *old_keys, const int32_t *old_values, size_t old_size,
                 int32_t *keys, int32_t *values, int bits) {
  const uint32_t mask = ((uint32_t)1 << bits) - 1;
  memset(keys, 0, sizeof(int32_t) * ((size_t)mask + 1));
  memset(values, 0, sizeof(int32_t) * ((size_t)mask + 1));
  for (size_t i = 0; i < old_size; i++) {
    const int32_t key = old_keys[i];
    if (key == 0) continue;
    uint32_t s = slot(key, 32 - bits);
    while (keys[s] != 0) s = (s + 1) & mask;
    keys[s] = key;
    values[s] = old_values[i];
  }
}

void map_dense(const uint8_t *data, int32_t stride, const uint8_t *index, uint8_t *out,
               size_t pixels) {
  if (stride == 3) {
    for (size_t p = 0, o = 0; p < pixels; p++, o += 3)
      out[p] = index[(data[o] << 16) | (data[o + 1] << 8) | data[o + 2]];
  } else {
    for (size_t p = 0, o = 0; p < pixels; p++, o += 4)
      out[p] = index[(data[o] << 16) | (data[o + 1] << 8) | data[o + 2]];
  }
}

int map_hash(const uint8_t *data, int32_t stride, const int32_t *keys, const int32_t *values,
             int bits, const uint8_t *colour_index, int32_t colours, uint8_t transparent_index,
             uint8_t *out, size_t pixels) {
  const uint32_t mask = ((uint32_t)1 << bits) - 1;
  int32_t prev_key = 0;
  uint8_t prev_index = transparent_index;
  for (size_t p = 0, o = 0; p < pixels; p++, o += (size_t)stride) {
    const int32_t a = stride == 4 ? data[o + 3] : 255;
    if (a == 0) {
      out[p] = transparent_index;
      continue;
    }
    const int32_t key =
        (int32_t)(((uint32_t)data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | a);
    if (key != prev_key) {
      prev_key = key;
      uint32_t s = slot(key, 32 - bits);
      uint32_t probes = 0;
      while (keys[s] != key) {
        if (keys[s] == 0 || probes++ > mask) return 0; /* a colour not in the table */
        s = (s + 1) & mask;
      }
      const int32_t v = values[s];
      if (v < 0 || v >= colours) return 0;
      prev_index = colour_index[v];
    }
    out[p] = prev_index;
  }
  return 1;
}

int any_translucent(const uint8_t *data, size_t length) {
  for (size_t o = 3; o < length; o += 4)
    if (data[o] != 255) return 1;
  return 0;
}

int32_t distinct_keys(const int32_t *keys, int32_t listed) {
  int32_t size = 0;
  for (int32_t i = 0; i < listed; i++)
    if (i == 0 || keys[i] != keys[i - 1]) size++;
  return size;
}

void dense_colours(const int32_t *keys, int32_t listed, const uint16_t *table, uint8_t *colors,
                   double *counts) {
  int32_t c = -1;
  for (int32_t i = 0; i < listed; i++) {
    const int32_t key = keys[i];
    if (i > 0 && key == keys[i - 1]) {
      counts[c] += 65536;
      continue;
    }
    c++;
    uint8_t *o = colors + (size_t)c * 4;
    o[0] = (uint8_t)(key >> 16);
    o[1] = (uint8_t)(key >> 8);
    o[2] = (uint8_t)key;
    o[3] = 255;
    counts[c] = table[key] == 0 ? 65536 : table[key];
  }
}

int hash_colours(const int32_t *keys, int32_t *values, size_t slots, int32_t size, uint8_t *colors,
                 double *counts) {
  int32_t i = 0;
  for (size_t h = 0; h < slots; h++) {
    const int32_t key = keys[h];
    if (key == 0) continue;
    if (i == size) return 0;
    uint8_t *o = colors + (size_t)i * 4;
    o[0] = (uint8_t)((uint32_t)key >> 24);
    o[1] = (uint8_t)(key >> 16);
    o[2] = (uint8_t)(key >> 8);
    o[3] = (uint8_t)key;
    counts[i] = values[h];
    values[h] = i;
    i++;
  }
  return i == size;
}
