/*
 * The k-means kernels of @kpress/core in C: the same double operations in the same order as the
 * TypeScript they replace (compiled with -ffp-contract=off and no fast-math), so every centre,
 * assignment and palette is bit for bit the TypeScript one. src/native.ts loads them.
 */
#ifndef KPRESS_CORE_KERNELS_H
#define KPRESS_CORE_KERNELS_H
#include <stdint.h>

/* A colour tree (src/tree.ts) and one assignment pass's state (src/tree-kmeans.ts). */
typedef struct {
  const uint8_t *lo, *hi, *points;
  const int32_t *first_child, *child_count, *start, *end;
  const double *weights, *sum, *weight;
  const double *c; /* centres, 4 a centre */
  double *sums, *mass;
  int32_t *cand;   /* k * 12 */
  int32_t *record; /* per Morton position, or NULL */
  const double *w;    /* squared channel weights of the distance (src/nearest.ts UNWEIGHTED: 1s) */
  int32_t cand_size; /* entries of cand */
  int overflow;      /* set when a path needed more candidate entries than cand holds */
} TreePass;

/* The most levels of a tree a pass accepts (src/tree.ts builds at most 9): cand holds a
   candidate list of k entries for each of them and one more. */
#define MAX_LEVELS 11

/* Whether the tree's ranges and child links are sound (children after their parent, ranges
   inside [0, n), every node at most one parent's child, at most MAX_LEVELS levels): checked
   before a pass, so that no link leads outside the arrays and the recursion stays shallow.
   1 sound, 0 not, -1 out of memory. */
int tree_sound(const TreePass *t, int32_t nodes, int32_t n);

/* TreeKmeans.assign: sums and masses from scratch (zeroed here), optionally each colour's centre.
   Returns 0 (with t->overflow) when the tree is deeper than cand allows. */
int tree_assign(TreePass *t, int32_t n, int32_t k, int opaque);

/* kmeansPlusPlus (src/init.ts) with Random's mulberry32 state: returns the centres drawn. */
int32_t seed_kmeanspp(const double *points, const double *weights, int32_t n, int32_t k,
                      int32_t trials, uint32_t *state, const double *w, double *centres);

/* Squared weighted distance from centre x to (r, g, b, a) (wdist2 of src/nearest.ts, the same
   operations in the same order). */
static inline double wdist2(const double *x, double r, double g, double b, double a,
                            const double *w) {
  const double dr = r - x[0], dg = g - x[1], db = b - x[2], da = a - x[3];
  return w[0] * dr * dr + w[1] * dg * dg + w[2] * db * db + w[3] * da * da;
}

/* NearestSearch (src/nearest.ts) over k centres. */
typedef struct {
  int32_t k;
  double *sorted; /* k * 4, in projection order */
  double *proj;   /* k */
  int32_t *order; /* sorted position -> centre index */
  double w[4];    /* squared channel weights of the distance */
  double s[4];    /* their square roots: the grey axis of the weighted space */
} Search;

/* Returns 0 when memory ran out. */
int search_build(Search *s, const double *centres, int32_t k, const double *w);
void search_free(Search *s);
/* The nearest centre's index; *b1, *b2 the two smallest squared distances. */
int32_t search_nearest(const Search *s, double r, double g, double b, double a, double *b1,
                       double *b2);

/* colour_grid.c: candidate entries by cell, in front of search_nearest for opaque colours.
   Fine cells of GRID_STEP levels a side, coarse cells of GRID_COARSE fine ones. */
#define GRID_STEP 8
#define GRID_COARSE 2
typedef struct {
  const Search *s;
  const double *centres; /* k * 4, by entry index */
  int32_t *start, *count; /* per cell, fine then coarse: first candidate in pool (-1 until
                             built), how many */
  double *least;          /* k: scratch */
  uint16_t *pool;
  int32_t used, cap;
} Grid;

/* Returns 0 when memory ran out. */
int grid_init(Grid *g, const Search *s, const double *centres);
void grid_free(Grid *g);
/* search_nearest's answer for (r, g, b, a). */
int32_t grid_nearest(Grid *g, double r, double gr, double b, double a);

/* ditherQuantized (src/dither.ts): Floyd-Steinberg onto a palette, the indices written.
   Returns 0 when memory ran out. */
int dither(const uint8_t *data, int32_t width, int32_t height, int32_t channels,
           const uint8_t *palette, int32_t colors, double max_error, const double *w,
           uint8_t *indices);

/* WeightedKmeans (src/kmeans.ts): the constructor's assignment, reassign() and moveTo()'s bounds. */
typedef struct {
  const double *points, *weights;
  int32_t n, k;
  double *centres;
  int32_t *assign;
  double *upper, *lower, *sums, *mass;
  const double *w; /* squared channel weights of the distance */
} Hamerly;

/* Returns 0 when memory for the search ran out (nothing is changed then). */
int hamerly_init(Hamerly *h);
int hamerly_reassign(Hamerly *h, double *half);
void hamerly_loosen(Hamerly *h, const double *moved, int32_t arg1, double max1, double max2);

/* buildTree (src/tree.ts): the arrays it fills, n colours and (at most) cap nodes. */
typedef struct {
  uint8_t *points; /* n * 4 */
  double *weights; /* n */
  int32_t *order;  /* n */
  int32_t *start, *end, *first_child, *child_count; /* cap */
  int opaque;
} TreeBuild;

/* Morton order, colours in that order and the nodes: returns the node count, -1 when memory ran
   out, -2 when cap nodes were too few (2n - 1 always suffice: every inner node splits). */
int32_t tree_order_nodes(const uint8_t *colors, const double *counts, int32_t n, int32_t cap,
                         TreeBuild *t);
/* nodeStatistics over a sound tree of `nodes` nodes (see tree_sound). */
void tree_statistics(const TreeBuild *t, int32_t nodes, double *weight, double *sum, uint8_t *lo,
                     uint8_t *hi);

/* countChunk3 / countChunk4 (src/hist.ts) over bytes [from, to): returns the new key count. */
int32_t count_dense(const uint8_t *data, int32_t stride, uint16_t *table, int32_t *keys,
                    int32_t size, size_t from, size_t to);
/* sortKeys24 (src/hist.ts); returns 0 when memory ran out. */
int sort_keys24(int32_t *keys, int32_t n);

/* hashHistogram's pixel loop, resumable: the table of 2^bits slots and the loop's state. */
typedef struct {
  int32_t *keys, *values;
  int bits;
  int32_t size, prev, run;
  double transparent;
  size_t at; /* next byte offset */
} HashCount;

/* Counts pixels from h->at on; returns 1 when the table must grow (rehash, then call again), -1
   when a table handed in is full without room for a key. */
int hash_count(HashCount *h, const uint8_t *data, int32_t stride, size_t end);
/* rehash (src/hist.ts): old slots into a zeroed table of 2^bits slots. */
void hash_rehash(const int32_t *old_keys, const int32_t *old_values, size_t old_size,
                 int32_t *keys, int32_t *values, int bits);

/* writeIndices' pixel loops (src/remap.ts): dense index table, or hash lookup (returns 0 when a
   pixel's colour is not in the table or its value names no colour). */
void map_dense(const uint8_t *data, int32_t stride, const uint8_t *index, uint8_t *out,
               size_t pixels);
int map_hash(const uint8_t *data, int32_t stride, const int32_t *keys, const int32_t *values,
             int bits, const uint8_t *colour_index, int32_t colours, uint8_t transparent_index,
             uint8_t *out, size_t pixels);

/* coarsePoints (src/coarse.ts; native/coarse.c): the cells' weights and, in sums, their means
   (zeroed arrays of min(size, cells) cells); returns the cell count, -1 when out of memory. */
int32_t coarse_cells(const uint8_t *colors, const double *counts, int32_t size, int bits,
                     double *sums, double *weights);

/* anyTranslucent (src/hist.ts): whether some 4th byte is not 255. */
int any_translucent(const uint8_t *data, size_t length);
/* denseHistogram after sortKeys24: the distinct keys among `listed` sorted ones, then their
   colours and counts (size of them). */
int32_t distinct_keys(const int32_t *keys, int32_t listed);
void dense_colours(const int32_t *keys, int32_t listed, const uint16_t *table, uint8_t *colors,
                   double *counts);
/* hashColours (src/hist.ts): returns 0 when the table holds other than `size` colours (then
   values are partly rewritten). */
int hash_colours(const int32_t *keys, int32_t *values, size_t slots, int32_t size, uint8_t *colors,
                 double *counts);

/* palette_tables.c: weightedSse (returns 0 for an entry number out of range), entryCounts into a
   zeroed out[total] (0 likewise), colourIndices (0 likewise), paletteMse's sum (-1 for an index
   past the palette; *translucent tells whether RGBA was compared). */
int colour_sums(const uint8_t *colors, const double *counts, int32_t size, const uint8_t *entries,
                int32_t entry_count, const int32_t *colour_entry, double *sse);
int entry_counts(const double *counts, int32_t size, const int32_t *colour_entry, int32_t total,
                 double *out);
int colour_indices(int32_t size, const int32_t *colour_entry, const int32_t *index,
                   int32_t entries, uint8_t *out);
double palette_sse(const uint8_t *data, int32_t channels, size_t pixels, const uint8_t *palette,
                   int32_t colors, const uint8_t *indices, int *translucent);

#endif
