/* cs-autoencoder.c: forward, backward and Adam for the fully connected autoencoder.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cs-autoencoder.h"
#include "cs-error.h"
#include "cs-file.h"
#include "cs-parallel.h"
#include "cs-threads.h"

/* Model file format, little-endian:
 *   char     magic[8]   "CSAEMOD1"
 *   uint32   version    1
 *   uint32   n_dims     number of layer widths (n_layers + 1)
 *   uint32   dims[n_dims]
 *   uint32   k          stored centroids (0 for none)
 *   uint32   m          latent dimension of the centroids (= dims[n_dims / 2])
 *   float32  params[]   per layer l: W_l (dims[l] x dims[l+1], row-major), then b_l
 *   float32  centroids[k * m]
 */
#define MODEL_MAGIC "CSAEMOD1"
#define MODEL_VERSION 1
/* Rows encoded at a time: a multiple of SPLIT_ROWS. */
#define ENCODE_BLOCK 2040
/* Adam steps over fewer weights per thread than this stay on the calling thread. */
#define ADAM_MIN_CHUNK 65536

static gboolean
layer_is_relu (const CsAutoencoder *self, guint l)
{
  /* Linear into the code and into the output, ReLU elsewhere. */
  return l + 1 != self->code_layer && l + 1 != self->n_layers;
}

static guint
max_width (const CsAutoencoder *self)
{
  guint w = 0;

  for (guint i = 0; i <= self->n_layers; i++)
    w = MAX (w, self->dims[i]);
  return w;
}

CsAutoencoder *
cs_autoencoder_new (const guint *dims, guint n_dims, guint max_batch)
{
  CsAutoencoder *self;
  gsize off = 0;
  guint wmax;

  g_return_val_if_fail (n_dims >= 3 && n_dims <= CS_AE_MAX_LAYERS + 1, NULL);
  g_return_val_if_fail ((n_dims - 1) % 2 == 0, NULL);
  g_return_val_if_fail (max_batch > 0, NULL);

  self = g_new0 (CsAutoencoder, 1);
  self->n_layers = n_dims - 1;
  self->code_layer = self->n_layers / 2;
  self->max_batch = max_batch;
  memcpy (self->dims, dims, n_dims * sizeof (guint));

  for (guint l = 0; l < self->n_layers; l++)
    self->n_params += (gsize) dims[l] * dims[l + 1] + dims[l + 1];

  /* One allocation for parameters, gradients and both Adam moments. */
  self->memory = g_malloc0_n (4 * self->n_params, sizeof (float));
  self->grads_zero = TRUE;
  /* As many threads as OpenBLAS uses (OPENBLAS_NUM_THREADS=1: none of our own either). */
  self->parallel = cs_parallel_new (cs_threads_for_engine ());
  self->params = self->memory;
  self->grads = self->memory + self->n_params;
  self->adam_m = self->memory + 2 * self->n_params;
  self->adam_v = self->memory + 3 * self->n_params;
  for (guint l = 0; l < self->n_layers; l++)
    {
      gsize nw = (gsize) dims[l] * dims[l + 1];

      self->w[l] = self->params + off;
      self->dw[l] = self->grads + off;
      off += nw;
      self->b[l] = self->params + off;
      self->db[l] = self->grads + off;
      off += dims[l + 1];
    }

  for (guint i = 0; i <= self->n_layers; i++)
    self->acts[i] = g_malloc_n ((gsize) max_batch * dims[i], sizeof (float));
  wmax = max_width (self);
  self->delta_a = g_malloc_n ((gsize) max_batch * wmax, sizeof (float));
  self->delta_b = g_malloc_n ((gsize) max_batch * wmax, sizeof (float));
  return self;
}

CsAutoencoder *
cs_autoencoder_new_symmetric (
    guint d, const guint *hidden, guint n_hidden, guint m, guint max_batch)
{
  guint dims[CS_AE_MAX_LAYERS + 1];
  guint n = 0;

  g_return_val_if_fail (2 * (n_hidden + 1) <= CS_AE_MAX_LAYERS, NULL);
  dims[n++] = d;
  for (guint i = 0; i < n_hidden; i++)
    dims[n++] = hidden[i];
  dims[n++] = m;
  for (guint i = n_hidden; i > 0; i--)
    dims[n++] = hidden[i - 1];
  dims[n++] = d;
  return cs_autoencoder_new (dims, n, max_batch);
}

void
cs_autoencoder_free (CsAutoencoder *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i <= self->n_layers; i++)
    g_free (self->acts[i]);
  g_free (self->delta_a);
  g_free (self->delta_b);
  g_free (self->memory);
  cs_parallel_free (self->parallel);
  g_free (self);
}

void
cs_autoencoder_init_glorot (CsAutoencoder *self, CsRng *rng)
{
  memset (self->memory, 0, 4 * self->n_params * sizeof (float));
  self->grads_zero = TRUE;
  for (guint l = 0; l < self->n_layers; l++)
    {
      guint in = self->dims[l], out = self->dims[l + 1];
      double limit = sqrt (6.0 / (in + out));
      gsize nw = (gsize) in * out;

      for (gsize i = 0; i < nw; i++)
        self->w[l][i] = (float) ((2.0 * cs_rng_uniform (rng) - 1.0) * limit);
    }
  self->adam_t = 0;
}

void
cs_autoencoder_init_fan_in (CsAutoencoder *self, CsRng *rng)
{
  memset (self->memory, 0, 4 * self->n_params * sizeof (float));
  self->grads_zero = TRUE;
  for (guint l = 0; l < self->n_layers; l++)
    {
      guint in = self->dims[l], out = self->dims[l + 1];
      double limit = 1.0 / sqrt ((double) in);
      gsize nw = (gsize) in * out;

      for (gsize i = 0; i < nw; i++)
        self->w[l][i] = (float) ((2.0 * cs_rng_uniform (rng) - 1.0) * limit);
      for (guint o = 0; o < out; o++)
        self->b[l][o] = (float) ((2.0 * cs_rng_uniform (rng) - 1.0) * limit);
    }
  self->adam_t = 0;
}

/* Products of fewer multiply-adds per thread than this stay on the calling thread. */
#define PRODUCT_MIN_MACS (1 << 19)

/* With two or more threads of ours, the engine splits every product between them itself: each
 * thread runs a whole single-threaded sgemm on its rows or columns, with the passes around it
 * fused in, and the threads meet once per layer. OpenBLAS's own threads would instead meet
 * inside every product, and wait there for each other (13 % of a training step), and two of
 * our threads calling a threaded sgemm at once would queue on its pool. So OpenBLAS runs on one
 * thread for the duration; blas_solo_end restores its count. */
static int
blas_solo_begin (CsAutoencoder *self)
{
  if (cs_parallel_get_n_active (self->parallel) < 2)
    return 0;
  return cs_threads_blas_solo_begin ();
}

static void
blas_solo_end (int saved)
{
  cs_threads_blas_solo_end (saved);
}

/* How the engine splits a product between threads without changing a number. Each thread runs
 * OpenBLAS's single-threaded sgemm on a tile of the result (rows [r0, r1), columns [c0, c1)),
 * and a tile must get every element exactly as one call over the whole product would. For a
 * row-major result, OpenBLAS's N is our rows and its M our columns; its Haswell kernel
 * (sgemm_kernel_8x4_haswell_2, OpenBLAS 0.3.21: Zen 1-3, Intel since Haswell without AVX-512)
 * accumulates an element in an order that depends on
 *  - where its rows fall in the 12-row groups the call cuts from its first row: tiles start at
 *    multiples of SPLIT_ROWS;
 *  - where its columns fall in the call's column blocks: GEMM_P = 320 columns while 640 or more
 *    are left, then two halves rounded up to 8 (the first and last 8-column panel of a block
 *    sum even and odd k apart): a tile's columns are whole blocks of the product that the
 *    tile cuts the same way itself (blas_cols_match);
 *  - for the last rows past a multiple of 12, when 8 to 11 are left, whether their block is
 *    the call's first (cut 4 + 4 + ...) or not (8 + ...): a product with such a tail is split
 *    by rows only.
 * The depth k is never split. test-autoencoder's /autoencoder/sgemm-tiles checks every rule
 * over many shapes and the engine checks the column rule once at run time (tiles_probe):
 * where OpenBLAS cuts differently, products are split by rows only, as before.
 *
 * On CPUs with AVX-512 OpenBLAS picks the SkylakeX kernels (sgemm_kernel_16x4_skylakex), which
 * give the same bytes for any cut of rows or columns, but it also sends every product of at
 * most 10^6 multiply-adds to separate small-matrix kernels (interface/gemm.c with
 * sgemm_small_kernel_permit_skylakex.c: M N K <= 100^3), which sum in another order. So a tile
 * at or under BLAS_SMALL_MACS of a product above it changes numbers (/autoencoder/thread-counts
 * failed at 4 threads on a Xeon with AVX-512): no piece of a larger product is made that
 * small (plan_tiles, blas_min_rows). AVX-512 also has a direct sgemm for row-major A B with
 * alpha 1 and beta 0; the engine's A B products add to the bias (beta 1) and never take it. */
#define SPLIT_ROWS CS_AE_SPLIT_ROWS
#define BLAS_SMALL_MACS 1000000
#define BLAS_BLOCK_COLS 320
#define BLAS_UNROLL_COLS 8
#define BLAS_TAIL_ROWS 8
/* Column splits of element-wise passes: a cache line of floats. */
#define SPLIT_COLS 16
/* The most tiles one loop hands out: two per thread. */
#define MAX_TILES 128
/* A tile's cost in multiply-adds: its product plus the packing of its columns' share of the
 * right operand (cols x k floats), which costs about PACK_ROWS rows of product: fitted to
 * single-threaded sgemm at depth 500, 12-256 rows, 200-2000 columns (bench-split prints the
 * rates and the fit: 3.4-6.2 for x W, 7-9 for delta W^T, whose weights are read transposed;
 * packing the rows costs too little to fit). */
#define PACK_ROWS 6

typedef struct
{
  guint r0, r1, c0, c1;
} Tile;

/* The width of the column block OpenBLAS takes when `left` columns remain. */
static guint
blas_block (guint left)
{
  if (left >= 2 * BLAS_BLOCK_COLS)
    return BLAS_BLOCK_COLS;
  if (left > BLAS_BLOCK_COLS)
    return (left / 2 + BLAS_UNROLL_COLS - 1) / BLAS_UNROLL_COLS * BLAS_UNROLL_COLS;
  return left;
}

/* Where the last block of 320 ends when a call over cols columns cuts them: the rest is one or
 * two blocks. */
static guint
blas_full_end (guint cols)
{
  return cols >= 2 * BLAS_BLOCK_COLS
             ? ((cols - 2 * BLAS_BLOCK_COLS) / BLAS_BLOCK_COLS + 1) * BLAS_BLOCK_COLS
             : 0;
}

/* Whether x is an edge of the blocks a call over [0, cols) cuts. */
static gboolean
blas_is_edge (guint cols, guint x)
{
  guint full = blas_full_end (cols);

  if (x == cols || (x <= full && x % BLAS_BLOCK_COLS == 0))
    return TRUE;
  return x == full + blas_block (cols - full);
}

/* Whether a call over columns [c0, c1) alone cuts them into the same blocks as one over
 * [0, cols). */
static gboolean
blas_cols_match (guint cols, guint c0, guint c1)
{
  if (!blas_is_edge (cols, c0))
    return FALSE;
  for (guint x = c0; x < c1;)
    {
      x += blas_block (c1 - x);
      if (!blas_is_edge (cols, x))
        return FALSE;
    }
  return TRUE;
}

/* The edge nearest to target; FALSE when it is not above `after`. */
static gboolean
blas_nearest_edge (guint cols, guint target, guint after, guint *edge)
{
  guint full = blas_full_end (cols);
  guint cand[4] = { target / BLAS_BLOCK_COLS * BLAS_BLOCK_COLS,
                    (target + BLAS_BLOCK_COLS - 1) / BLAS_BLOCK_COLS * BLAS_BLOCK_COLS,
                    full + blas_block (cols - full), cols };
  guint best = G_MAXUINT, best_dist = G_MAXUINT;

  for (guint i = 0; i < G_N_ELEMENTS (cand); i++)
    {
      guint c = cand[i], dist = c > target ? c - target : target - c;

      if (c > after && c <= cols && blas_is_edge (cols, c) && dist < best_dist)
        best = c, best_dist = dist;
    }
  *edge = best;
  return best != G_MAXUINT;
}

/* Cuts [0, cols) into parts (edges[0..parts]) of about equal width that OpenBLAS computes as it
 * would the whole; FALSE when there is no such cut. */
static gboolean
blas_cols_partition (guint cols, guint parts, guint *edges)
{
  edges[0] = 0;
  for (guint i = 1; i <= parts; i++)
    {
      guint target = (guint) ((guint64) cols * i / parts);

      if (i == parts)
        edges[i] = cols;
      else if (!blas_nearest_edge (cols, target, edges[i - 1], &edges[i]) || edges[i] >= cols)
        return FALSE;
      if (!blas_cols_match (cols, edges[i - 1], edges[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean tiles_probe (void);

/* Whether products may be split by columns too: OpenBLAS cuts them as blas_block says. */
static gboolean
split_cols_ok (void)
{
  static gsize once = 0;
  static gboolean ok;

  if (g_once_init_enter (&once))
    {
      ok = tiles_probe ();
      if (!ok)
        g_debug ("OpenBLAS cuts columns in other blocks here: products split by rows only");
      g_once_init_leave (&once, 1);
    }
  return ok;
}

static double
tile_cost (guint rows, guint cols, guint k)
{
  return ((double) rows + PACK_ROWS) * cols * k;
}

/* Whether a rows x cols product of depth k goes through OpenBLAS's small-matrix kernels. */
static gboolean
blas_small (gsize rows, gsize cols, gsize k)
{
  return (double) rows * cols * k <= BLAS_SMALL_MACS;
}

/* The fewest rows, a multiple of SPLIT_ROWS, that a piece of a product with row_macs
 * multiply-adds per row must have to stay out of the small-matrix kernels. */
static gsize
blas_min_rows (gsize row_macs)
{
  gsize rows = BLAS_SMALL_MACS / MAX (row_macs, 1) + 1;

  return (rows + SPLIT_ROWS - 1) / SPLIT_ROWS * SPLIT_ROWS;
}

/* Where part i of n items split into parts begins (the last part ending at n), at a multiple of
 * align. */
static gsize
split_at (gsize n, guint i, guint parts, gsize align)
{
  if (i == 0)
    return 0;
  if (i >= parts)
    return n;
  return MIN (n, (n * i / parts + align / 2) / align * align);
}

/* Whether a product of depth k cut into rp row shares x the column shares edges[0..cp] has a
 * tile small enough for OpenBLAS's small-matrix kernels. */
static gboolean
tiles_small (guint rows, guint k, guint rp, const guint *edges, guint cp)
{
  for (guint i = 0; i < rp; i++)
    for (guint j = 0; j < cp; j++)
      {
        gsize r = split_at (rows, i + 1, rp, SPLIT_ROWS) - split_at (rows, i, rp, SPLIT_ROWS);

        if (r > 0 && blas_small (r, edges[j + 1] - edges[j], k))
          return TRUE;
      }
  return FALSE;
}

/* Cuts a rows x cols product of depth k into at most n tiles that each compute every element
 * as the whole product would, the slowest as fast as can be: rows in shares at multiples of
 * SPLIT_ROWS, columns (with_cols) in shares of whole blocks, no tile small enough for
 * OpenBLAS's small-matrix kernels unless the product is. Returns the number of tiles. */
static guint
plan_tiles (guint rows, guint cols, guint k, guint n, gboolean with_cols, Tile *tiles)
{
  guint units = MAX ((rows + SPLIT_ROWS - 1) / SPLIT_ROWS, 1);
  guint max_cp = 1, best_cp = 1, best_rp = 1, n_tiles = 0;
  guint edges[MAX_TILES + 1], best_edges[MAX_TILES + 1] = { 0, cols };
  double best = INFINITY;

  n = CLAMP (n, 1, MAX_TILES);
  if (blas_small (rows, cols, k))
    n = 1;
  /* Two shares keep the rows they had before tiles: the cost model gives columns 2-3 % at the
   * 500-wide layers, within this machine's noise, and two threads keep the split they had. */
  if (with_cols && n > 2 && rows % SPLIT_ROWS < BLAS_TAIL_ROWS && split_cols_ok ())
    max_cp = MIN (n, (cols + BLAS_BLOCK_COLS - 1) / BLAS_BLOCK_COLS + 1);
  for (guint cp = 1; cp <= max_cp; cp++)
    {
      guint rp = MIN (n / cp, units);
      double worst = 0.0;

      if (cp > 1 && !blas_cols_partition (cols, cp, edges))
        continue;
      if (cp == 1)
        edges[0] = 0, edges[1] = cols;
      while (rp > 1 && tiles_small (rows, k, rp, edges, cp))
        rp--;
      if (rp * cp > 1 && tiles_small (rows, k, rp, edges, cp))
        continue;
      for (guint i = 0; i < rp; i++)
        for (guint j = 0; j < cp; j++)
          {
            guint r = (guint) (split_at (rows, i + 1, rp, SPLIT_ROWS)
                               - split_at (rows, i, rp, SPLIT_ROWS));

            worst = MAX (worst, tile_cost (r, edges[j + 1] - edges[j], k));
          }
      /* More column shares only when they are predicted at least 2 % faster. */
      if (worst < 0.98 * best)
        {
          best = worst;
          best_cp = cp;
          best_rp = rp;
          memcpy (best_edges, edges, (cp + 1) * sizeof (guint));
        }
    }
  for (guint i = 0; i < best_rp; i++)
    for (guint j = 0; j < best_cp; j++)
      {
        guint r0 = (guint) split_at (rows, i, best_rp, SPLIT_ROWS);
        guint r1 = (guint) split_at (rows, i + 1, best_rp, SPLIT_ROWS);

        if (r0 < r1 && best_edges[j] < best_edges[j + 1])
          tiles[n_tiles++] = (Tile){ r0, r1, best_edges[j], best_edges[j + 1] };
      }
  return n_tiles;
}

/* A product cut by plan_tiles gives the same bytes as the whole, on shapes where the column
 * rule matters (a 2000- and a 784-wide result, 256 and 28 rows), made as dense_tile makes it
 * (beta = 1) and deep enough that no tile goes to the small-matrix kernels. */
static gboolean
tiles_probe (void)
{
  static const guint shapes[][3] = { { 256, 2000, 48 }, { 28, 784, 384 } };
  int saved = cs_threads_blas_solo_begin ();
  gboolean same = TRUE;

  for (guint s = 0; s < G_N_ELEMENTS (shapes) && same; s++)
    {
      guint rows = shapes[s][0], cols = shapes[s][1], k = shapes[s][2];
      g_autofree float *a = g_new (float, (gsize) rows *k);
      g_autofree float *b = g_new (float, (gsize) k *cols);
      g_autofree float *whole = g_new0 (float, (gsize) rows *cols);
      g_autofree float *parts = g_new0 (float, (gsize) rows *cols);
      guint edges[MAX_TILES + 1], cp = (cols + BLAS_BLOCK_COLS - 1) / BLAS_BLOCK_COLS + 1;
      guint32 x = 12345;

      for (gsize i = 0; i < (gsize) rows * k; i++)
        a[i] = (float) ((x = x * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f;
      for (gsize i = 0; i < (gsize) k * cols; i++)
        b[i] = (float) ((x = x * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) cols, (int) k, 1.0f,
                   a, (int) k, b, (int) cols, 1.0f, whole, (int) cols);
      /* Every block on its own, in two row shares. */
      while (cp > 1 && !blas_cols_partition (cols, cp, edges))
        cp--;
      for (guint j = 0; j < cp; j++)
        for (guint i = 0; i < 2; i++)
          {
            guint r0 = (guint) split_at (rows, i, 2, SPLIT_ROWS);
            guint r1 = (guint) split_at (rows, i + 1, 2, SPLIT_ROWS);

            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) (r1 - r0),
                         (int) (edges[j + 1] - edges[j]), (int) k, 1.0f, a + (gsize) r0 * k,
                         (int) k, b + edges[j], (int) cols, 1.0f,
                         parts + (gsize) r0 * cols + edges[j], (int) cols);
          }
      same = cp > 1 && memcmp (whole, parts, (gsize) rows * cols * sizeof (float)) == 0;
    }
  cs_threads_blas_solo_end (saved);
  return same;
}

typedef struct
{
  float *y;
  const float *x, *w, *b;
  guint in, out;
  gboolean relu;
} DenseJob;

/* Rows [r0, r1) x columns [c0, c1) of a dense layer: bias, product (beta = 1 adds to the bias
 * rows, which spares OpenBLAS a pass zeroing y), activation. */
static void
dense_tile (const DenseJob *j, const Tile *tile)
{
  guint rows = tile->r1 - tile->r0, cols = tile->c1 - tile->c0;
  float *y = j->y + (gsize) tile->r0 * j->out + tile->c0;

  for (guint i = 0; i < rows; i++)
    memcpy (y + (gsize) i * j->out, j->b + tile->c0, cols * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) cols, (int) j->in, 1.0f,
               j->x + (gsize) tile->r0 * j->in, (int) j->in, j->w + tile->c0, (int) j->out, 1.0f, y,
               (int) j->out);
  if (j->relu)
    for (guint i = 0; i < rows; i++)
      {
        float *row = y + (gsize) i * j->out;

        for (guint c = 0; c < cols; c++)
          row[c] = row[c] > 0.0f ? row[c] : 0.0f;
      }
}

/* y (batch x out) = act (x (batch x in) w (in x out) + b), on this thread. */
static void
dense_forward (float *y,
               const float *x,
               const float *w,
               const float *b,
               guint batch,
               guint in,
               guint out,
               gboolean relu)
{
  DenseJob job = { y, x, w, b, in, out, relu };
  Tile all = { 0, batch, 0, out };

  dense_tile (&job, &all);
}

typedef struct
{
  DenseJob dense;
  Tile tiles[MAX_TILES];
} TileJob;

static void
dense_tiles (gsize start, gsize end, gpointer data)
{
  const TileJob *job = data;

  for (gsize t = start; t < end; t++)
    dense_tile (&job->dense, &job->tiles[t]);
}

/* Layer l of the training forward pass: its product cut into one tile per thread. */
static void
forward_layer (CsAutoencoder *self, guint l, guint batch)
{
  guint in = self->dims[l], out = self->dims[l + 1];
  TileJob job = { .dense = { self->acts[l + 1], self->acts[l], self->w[l], self->b[l], in, out,
                             layer_is_relu (self, l) } };
  guint parts = cs_parallel_get_n_active (self->parallel);

  if ((gsize) batch * in * out < 2 * (gsize) PRODUCT_MIN_MACS)
    parts = 1;
  cs_parallel_for (self->parallel,
                   plan_tiles (batch, out, in, parts, !self->split_rows_only, job.tiles), 1, 1,
                   dense_tiles, &job);
}

const float *
cs_autoencoder_forward (CsAutoencoder *self, const float *x, guint batch)
{
  int saved;

  g_return_val_if_fail (batch <= self->max_batch, NULL);

  /* A batch gathered straight into the input cache (cs_autoencoder_input) is not copied. */
  if (x != self->acts[0])
    memcpy (self->acts[0], x, (gsize) batch * self->dims[0] * sizeof (float));
  saved = blas_solo_begin (self);
  for (guint l = 0; l < self->n_layers; l++)
    forward_layer (self, l, batch);
  blas_solo_end (saved);
  return self->acts[self->n_layers];
}

float *
cs_autoencoder_input (CsAutoencoder *self)
{
  return self->acts[0];
}

const float *
cs_autoencoder_code (CsAutoencoder *self)
{
  return self->acts[self->code_layer];
}

double
cs_autoencoder_rec_loss (CsAutoencoder *self, const float *x, guint batch, float *d_out)
{
  const float *xhat = self->acts[self->n_layers];
  gsize total = (gsize) batch * self->dims[0];
  float scale = 2.0f / batch;
  double loss = 0.0;

  for (gsize i = 0; i < total; i++)
    {
      float diff = xhat[i] - x[i];
      loss += (double) diff * diff;
      if (d_out)
        d_out[i] = scale * diff;
    }
  return loss / batch;
}

/* PyTorch's formulation: p -= lr / bc1 * m / (sqrt (v) / sqrt (bc2) + eps). clear is NULL or
 * g itself: each gradient is then zeroed once read, in the same pass. */
static void
adam_update (float *p,
             const float *g,
             float *m,
             float *v,
             gsize n,
             const CsAdamConfig *config,
             double lr,
             guint64 t,
             float *clear)
{
  const float b1 = (float) config->beta1, b2 = (float) config->beta2;
  const float step = (float) (lr / (1.0 - pow (config->beta1, (double) t)));
  const float inv_sqrt_bc2 = (float) (1.0 / sqrt (1.0 - pow (config->beta2, (double) t)));
  const float eps = (float) config->eps;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];
      float mi = b1 * m[i] + (1.0f - b1) * gi;
      float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= step * mi / (sqrtf (vi) * inv_sqrt_bc2 + eps);
      if (clear)
        clear[i] = 0.0f;
    }
}

typedef struct
{
  float *p;
  const float *g;
  float *m, *v;
  const CsAdamConfig *config;
  double lr;
  guint64 t;
  float *clear;
} AdamJob;

static void
adam_range (gsize start, gsize end, gpointer data)
{
  const AdamJob *j = data;

  adam_update (j->p + start, j->g + start, j->m + start, j->v + start, end - start, j->config,
               j->lr, j->t, j->clear ? j->clear + start : NULL);
}

/* Rows [start, end) of a delta (batch x out): the code gradient added, the ReLU mask of the
 * layer's output applied. */
static void
delta_mask_rows (float *delta,
                 const float *d_code,
                 const float *a_out,
                 gboolean relu,
                 guint out,
                 gsize start,
                 gsize end)
{
  gsize lo = start * out, hi = end * out;

  if (d_code)
    for (gsize i = lo; i < hi; i++)
      delta[i] += d_code[i];
  if (relu)
    for (gsize i = lo; i < hi; i++)
      delta[i] = a_out[i] > 0.0f ? delta[i] : 0.0f;
}

/* Columns [start, end) of the bias gradient: the column sums of delta, row by row in order, so
 * that no split changes a number. */
static void
delta_col_sums (const float *delta, float *db, guint batch, guint out, gsize start, gsize end)
{
  memset (db + start, 0, (end - start) * sizeof (float));
  for (guint i = 0; i < batch; i++)
    {
      const float *row = delta + (gsize) i * out;

      for (gsize c = start; c < end; c++)
        db[c] += row[c];
    }
}

typedef struct
{
  CsAutoencoder *self;
  guint l, batch, parts;
  const float *delta; /* batch x out of layer l, masked */
  float *next;        /* batch x in: delta W_l^T, then masked for layer l - 1; NULL at l = 0 */
  const float *d_code;
  float dw_beta;
  AdamJob adam; /* layer l + 1's update (its weights have served both products), or .p NULL */
  gsize adam_n;
  /* The products' tiles, dW's (in x out) first, then the next delta's (batch x in). */
  Tile tiles[2 * MAX_TILES];
  guint n_dw, n_tiles;
} BackJob;

/* A tile of dW (in x out) = A_l^T delta. */
static void
back_dw_tile (const BackJob *j, const Tile *t)
{
  CsAutoencoder *self = j->self;
  guint in = self->dims[j->l], out = self->dims[j->l + 1];

  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) (t->r1 - t->r0),
               (int) (t->c1 - t->c0), (int) j->batch, 1.0f, self->acts[j->l] + t->r0, (int) in,
               j->delta + t->c0, (int) out, j->dw_beta,
               self->dw[j->l] + (gsize) t->r0 * out + t->c0, (int) out);
}

/* A tile of the next delta (batch x in) = delta W_l^T, with the code gradient added and the
 * ReLU mask of the layer's input applied. */
static void
back_delta_tile (const BackJob *j, const Tile *t)
{
  CsAutoencoder *self = j->self;
  guint l = j->l, in = self->dims[l], out = self->dims[l + 1];
  gboolean relu = layer_is_relu (self, l - 1);

  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) (t->r1 - t->r0),
               (int) (t->c1 - t->c0), (int) out, 1.0f, j->delta + (gsize) t->r0 * out, (int) out,
               self->w[l] + (gsize) t->c0 * out, (int) out, 0.0f,
               j->next + (gsize) t->r0 * in + t->c0, (int) in);
  for (guint r = t->r0; r < t->r1; r++)
    {
      float *row = j->next + (gsize) r * in;
      const float *a_row = self->acts[l] + (gsize) r * in;

      if (j->d_code)
        for (guint c = t->c0; c < t->c1; c++)
          row[c] += j->d_code[(gsize) r * in + c];
      if (relu)
        for (guint c = t->c0; c < t->c1; c++)
          row[c] = a_row[c] > 0.0f ? row[c] : 0.0f;
    }
}

/* Part start of layer l's backward work, one per thread. The layer's two products cost the
 * same (dW (in x out) = A_l^T delta and delta W_l^T (batch x in) both take batch x in x out
 * multiply-adds) and do not wait for each other, so their tiles are laid end to end and each
 * thread takes an equal share of the list: with an even thread count half of the threads cut
 * dW between them while the other half cut the next delta, each thread one tile; with an odd
 * one each product is cut into one tile per thread and each thread takes two. Every thread
 * also sums its share of the columns of this delta into the bias gradient, and does its share
 * of layer l + 1's Adam step. At l = 0 there is no delta to pass down and dW takes every
 * thread. */
static void
back_part (gsize start, gsize end, gpointer data)
{
  const BackJob *j = data;
  guint t = (guint) start, parts = j->parts, out = j->self->dims[j->l + 1];
  guint lo = t * j->n_tiles / parts, hi = (t + 1) * j->n_tiles / parts;

  (void) end;
  for (guint i = lo; i < hi; i++)
    {
      Tile tile = j->tiles[i];

      /* Tiles of one product stacked in rows are one call (rows split anywhere at multiples of
       * SPLIT_ROWS give the same numbers). */
      while (i + 1 < hi && (i + 1 < j->n_dw) == (i < j->n_dw) && j->tiles[i + 1].r0 == tile.r1
             && j->tiles[i + 1].c0 == tile.c0 && j->tiles[i + 1].c1 == tile.c1)
        tile.r1 = j->tiles[++i].r1;
      if (i < j->n_dw)
        back_dw_tile (j, &tile);
      else
        back_delta_tile (j, &tile);
    }
  delta_col_sums (j->delta, j->self->db[j->l], j->batch, out, split_at (out, t, parts, SPLIT_COLS),
                  split_at (out, t + 1, parts, SPLIT_COLS));
  if (j->adam.p)
    {
      gsize a0 = split_at (j->adam_n, t, parts, SPLIT_COLS);
      gsize a1 = split_at (j->adam_n, t + 1, parts, SPLIT_COLS);

      if (a0 < a1)
        adam_range (a0, a1, (gpointer) &j->adam);
    }
}

/* Cuts layer l's two products into tiles for job->parts threads (see back_part). */
static void
back_plan (CsAutoencoder *self, BackJob *job)
{
  guint in = self->dims[job->l], out = self->dims[job->l + 1], parts = job->parts;
  gboolean cols = !self->split_rows_only;
  /* Two products: half of the threads each when they pair up, one tile per thread each
   * otherwise. */
  guint per = job->next == NULL ? parts : parts % 2 == 0 ? parts / 2 : parts;

  job->n_dw = plan_tiles (in, out, job->batch, per, cols, job->tiles);
  job->n_tiles = job->n_dw;
  if (job->next)
    job->n_tiles += plan_tiles (job->batch, in, out, per, cols, job->tiles + job->n_dw);
}

static void
adam_job_init (CsAutoencoder *self, guint l, const CsAdamConfig *adam, double lr, AdamJob *job)
{
  gsize off = self->w[l] - self->params;

  *job = (AdamJob){ .p = self->w[l],
                    .g = self->dw[l],
                    .m = self->adam_m + off,
                    .v = self->adam_v + off,
                    .config = adam,
                    .lr = lr,
                    .t = self->adam_t,
                    .clear = self->dw[l] };
}

void
cs_autoencoder_backward_step (CsAutoencoder *self,
                              float *d_out,
                              const float *d_code,
                              guint batch,
                              const CsAdamConfig *adam,
                              double lr)
{
  guint top = self->n_layers - 1;
  guint parts = cs_parallel_get_n_active (self->parallel);
  float *delta = d_out;
  int saved;
  /* Gradients left at zero by the last fused Adam step are accumulated into (beta = 1), which
   * spares OpenBLAS a zeroing pass over every dW. */
  float dw_beta = self->grads_zero ? 1.0f : 0.0f;

  if (adam)
    self->adam_t++;
  saved = blas_solo_begin (self);
  /* The output delta is masked here (the default network's output is linear: nothing to do),
   * every lower one by the threads that computed it. */
  delta_mask_rows (delta, top + 1 == self->code_layer ? d_code : NULL, self->acts[top + 1],
                   layer_is_relu (self, top), self->dims[top + 1], 0, batch);
  for (guint l = top + 1; l-- > 0;)
    {
      BackJob job = { .self = self,
                      .l = l,
                      .batch = batch,
                      .delta = delta,
                      .next = NULL,
                      .d_code = l == self->code_layer ? d_code : NULL,
                      .dw_beta = dw_beta };
      guint in = self->dims[l], out = self->dims[l + 1];

      if (l > 0)
        job.next = (delta == self->delta_a) ? self->delta_b : self->delta_a;
      if (adam && l < top)
        {
          adam_job_init (self, l + 1, adam, lr, &job.adam);
          job.adam_n = (gsize) self->dims[l + 1] * self->dims[l + 2] + self->dims[l + 2];
        }
      /* Too little work for a handover: the caller does it all. */
      job.parts = (gsize) batch * in * out < 2 * (gsize) PRODUCT_MIN_MACS ? 1 : parts;
      back_plan (self, &job);
      cs_parallel_for (self->parallel, job.parts, 1, 1, back_part, &job);
      delta = job.next;
    }
  if (adam)
    {
      AdamJob job;

      /* b_0 follows W_0 in memory, so one range covers both. */
      adam_job_init (self, 0, adam, lr, &job);
      cs_parallel_for (self->parallel, (gsize) self->dims[0] * self->dims[1] + self->dims[1], 16,
                       ADAM_MIN_CHUNK, adam_range, &job);
    }
  blas_solo_end (saved);
  /* A fused step consumed (and cleared) every gradient; a plain backward leaves them. */
  self->grads_zero = adam != NULL;
}

void
cs_autoencoder_backward (CsAutoencoder *self, float *d_out, const float *d_code, guint batch)
{
  cs_autoencoder_backward_step (self, d_out, d_code, batch, NULL, 0.0);
}

void
cs_adam_config_init (CsAdamConfig *config)
{
  config->beta1 = 0.9;
  config->beta2 = 0.999;
  config->eps = 1e-8;
}

void
cs_adam_update (float *p,
                const float *g,
                float *m,
                float *v,
                gsize n,
                const CsAdamConfig *config,
                double lr,
                guint64 t)
{
  adam_update (p, g, m, v, n, config, lr, t, NULL);
}

void
cs_autoencoder_adam_step (CsAutoencoder *self, const CsAdamConfig *config, double lr)
{
  self->adam_t++;
  cs_adam_update (self->params, self->grads, self->adam_m, self->adam_v, self->n_params, config, lr,
                  self->adam_t);
}

void
cs_autoencoder_reset_adam (CsAutoencoder *self)
{
  memset (self->adam_m, 0, 2 * self->n_params * sizeof (float));
  self->adam_t = 0;
}

typedef struct
{
  CsAutoencoder *self;
  const float *x;
  float *z;
  gsize n, block;
  guint parts;
} EncodeJob;

/* Rows [start, end) through the encoder in blocks of at most j->block rows, of about equal
 * size, on this thread alone. */
static void
encode_rows (const EncodeJob *j, gsize start, gsize end)
{
  CsAutoencoder *self = j->self;
  gsize blocks = (end - start + j->block - 1) / j->block;
  guint wmax = max_width (self);
  g_autofree float *buf_a = g_malloc_n (MIN (j->block, end - start) * wmax, sizeof (float));
  g_autofree float *buf_b = g_malloc_n (MIN (j->block, end - start) * wmax, sizeof (float));
  guint m = self->dims[self->code_layer];

  for (gsize b = 0; b < blocks; b++)
    {
      gsize first = start + split_at (end - start, (guint) b, (guint) blocks, SPLIT_ROWS);
      guint rows
          = (guint) (start + split_at (end - start, (guint) b + 1, (guint) blocks, SPLIT_ROWS)
                     - first);
      const float *in = j->x + first * self->dims[0];
      float *out = buf_a;

      for (guint l = 0; l < self->code_layer; l++)
        {
          /* The last layer writes straight into z. */
          if (l + 1 == self->code_layer)
            out = j->z + first * m;
          dense_forward (out, in, self->w[l], self->b[l], rows, self->dims[l], self->dims[l + 1],
                         layer_is_relu (self, l));
          in = out;
          out = (out == buf_a) ? buf_b : buf_a;
        }
    }
}

/* Thread share t of the points. */
static void
encode_share (gsize start, gsize end, gpointer data)
{
  const EncodeJob *j = data;

  for (gsize t = start; t < end; t++)
    encode_rows (j, split_at (j->n, (guint) t, j->parts, SPLIT_ROWS),
                 split_at (j->n, (guint) t + 1, j->parts, SPLIT_ROWS));
}

void
cs_autoencoder_encode (CsAutoencoder *self, const float *x, gsize n, float *z)
{
  gsize row_macs = G_MAXSIZE, min_rows, share;
  EncodeJob job = { self, x, z, n };
  int saved;

  /* Every block, in any thread count, is either all the points or too large for OpenBLAS's
   * small-matrix kernels in every layer (see SPLIT_ROWS), so that the codes do not depend on
   * the thread count: shares of at least 256 rows and min_rows + SPLIT_ROWS, blocks of about
   * equal size, at least half the largest. */
  for (guint l = 0; l < self->code_layer; l++)
    row_macs = MIN (row_macs, (gsize) self->dims[l] * self->dims[l + 1]);
  min_rows = blas_min_rows (row_macs);
  share = MAX (256, min_rows + SPLIT_ROWS);
  job.parts = (guint) CLAMP (n / share, 1, cs_parallel_get_n_active (self->parallel));
  /* Each thread takes a contiguous share of the points and meets the others only at the end;
   * the blocks shrink with the thread count so that the buffers stay as large in all. */
  job.block = MAX (MAX (ENCODE_BLOCK / job.parts / SPLIT_ROWS, 16) * SPLIT_ROWS,
                   2 * min_rows + 4 * SPLIT_ROWS);
  saved = blas_solo_begin (self);
  cs_parallel_for (self->parallel, job.parts, 1, 1, encode_share, &job);
  blas_solo_end (saved);
}

void
cs_autoencoder_decode (CsAutoencoder *self, const float *z, gsize n, float *x)
{
  guint wmax = max_width (self);
  gsize block = MIN ((gsize) ENCODE_BLOCK, MAX (n, 1));
  g_autofree float *buf_a = g_malloc_n (block * wmax, sizeof (float));
  g_autofree float *buf_b = g_malloc_n (block * wmax, sizeof (float));
  guint m = self->dims[self->code_layer], d = self->dims[self->n_layers];
  int saved = blas_solo_begin (self);

  /* On this thread alone: its callers decode a few rows (the centroids) per epoch, and the
   * training caches and the helper threads stay untouched. */
  for (gsize first = 0; first < n; first += block)
    {
      guint rows = (guint) MIN (block, n - first);
      const float *in = z + first * m;
      float *out = buf_a;

      for (guint l = self->code_layer; l < self->n_layers; l++)
        {
          if (l + 1 == self->n_layers)
            out = x + first * d;
          dense_forward (out, in, self->w[l], self->b[l], rows, self->dims[l], self->dims[l + 1],
                         layer_is_relu (self, l));
          in = out;
          out = (out == buf_a) ? buf_b : buf_a;
        }
    }
  blas_solo_end (saved);
}

guint
cs_autoencoder_plan_tiles (guint rows, guint cols, guint k, guint n, guint (*tiles)[4])
{
  Tile t[MAX_TILES];
  guint count = plan_tiles (rows, cols, k, n, TRUE, t);

  for (guint i = 0; i < count; i++)
    {
      tiles[i][0] = t[i].r0;
      tiles[i][1] = t[i].r1;
      tiles[i][2] = t[i].c0;
      tiles[i][3] = t[i].c1;
    }
  return count;
}

double
cs_autoencoder_train_flops (const CsAutoencoder *self, guint batch)
{
  double flops = 0.0;

  /* Forward: one product per layer; backward: dW for every layer, delta for all but the first. */
  for (guint l = 0; l < self->n_layers; l++)
    {
      double mac = (double) batch * self->dims[l] * self->dims[l + 1];
      flops += 2.0 * mac * (l == 0 ? 2.0 : 3.0);
    }
  return flops;
}

static void
append_u32 (GByteArray *buf, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (buf, (const guint8 *) &le, 4);
}

static void
append_floats (GByteArray *buf, const float *f, gsize n)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  g_byte_array_append (buf, (const guint8 *) f, n * sizeof (float));
#else
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &f[i], 4);
      append_u32 (buf, bits);
    }
#endif
}

GBytes *
cs_autoencoder_serialize (const CsAutoencoder *self, const float *centroids, guint k)
{
  guint m = self->dims[self->code_layer];
  /* Sized once: the weights are megabytes, and growing by doubling would copy them again. */
  GByteArray *buf = g_byte_array_sized_new (
      8 + 4 * (self->n_layers + 5)
      + sizeof (float) * (self->n_params + (centroids ? (gsize) k * m : 0)));

  cs_autoencoder_serialize_append (self, centroids, k, buf);
  return g_byte_array_free_to_bytes (buf);
}

void
cs_autoencoder_serialize_append (const CsAutoencoder *self,
                                 const float *centroids,
                                 guint k,
                                 GByteArray *buf)
{
  guint m = self->dims[self->code_layer];

  g_byte_array_append (buf, (const guint8 *) MODEL_MAGIC, 8);
  append_u32 (buf, MODEL_VERSION);
  append_u32 (buf, self->n_layers + 1);
  for (guint i = 0; i <= self->n_layers; i++)
    append_u32 (buf, self->dims[i]);
  append_u32 (buf, centroids ? k : 0);
  append_u32 (buf, m);
  append_floats (buf, self->params, self->n_params);
  if (centroids)
    append_floats (buf, centroids, (gsize) k * m);
}

gboolean
cs_autoencoder_save (
    const CsAutoencoder *self, const float *centroids, guint k, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = cs_autoencoder_serialize (self, centroids, k);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return cs_file_write_atomic (path, data, len, error);
}

typedef struct
{
  const guint8 *data;
  gsize len, pos;
} Reader;

static gboolean
read_u32 (Reader *r, guint32 *out)
{
  guint32 le;

  if (r->len - r->pos < 4)
    return FALSE;
  memcpy (&le, r->data + r->pos, 4);
  r->pos += 4;
  *out = GUINT32_FROM_LE (le);
  return TRUE;
}

static gboolean
read_floats (Reader *r, float *out, gsize n)
{
  if ((r->len - r->pos) / sizeof (float) < n)
    return FALSE;
  memcpy (out, r->data + r->pos, n * sizeof (float));
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &out[i], 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&out[i], &bits, 4);
    }
#endif
  r->pos += n * sizeof (float);
  return TRUE;
}

CsAutoencoder *
cs_autoencoder_load (
    const char *path, guint max_batch, float **centroids_out, guint *k_out, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  return cs_autoencoder_parse (contents, len, path, max_batch, centroids_out, k_out, error);
}

CsAutoencoder *
cs_autoencoder_parse (const void *contents,
                      gsize len,
                      const char *path,
                      guint max_batch,
                      float **centroids_out,
                      guint *k_out,
                      GError **error)
{
  Reader r;
  guint32 version, n_dims, k, m;
  guint dims[CS_AE_MAX_LAYERS + 1];
  gsize n_params = 0;
  CsAutoencoder *self;
  g_autofree float *centroids = NULL;

  r = (Reader){ (const guint8 *) contents, len, 0 };
  if (len < 8 || memcmp (contents, MODEL_MAGIC, 8) != 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: not a Clusterscope model file (bad magic at byte 0)"), path);
      return NULL;
    }
  r.pos = 8;
  if (!read_u32 (&r, &version) || version != MODEL_VERSION)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: unsupported model version at byte 8 (this build reads version %d)"),
                   path, MODEL_VERSION);
      return NULL;
    }
  if (!read_u32 (&r, &n_dims) || n_dims < 3 || n_dims > CS_AE_MAX_LAYERS + 1 || n_dims % 2 == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid layer count at byte 12"),
                   path);
      return NULL;
    }
  for (guint i = 0; i < n_dims; i++)
    if (!read_u32 (&r, &dims[i]) || dims[i] == 0 || dims[i] > (1u << 24))
      {
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid layer width at byte %zu"),
                     path, r.pos);
        return NULL;
      }
  /* The trainer reconstructs the input and describes the network by its encoder half: a
   * decoder that does not mirror it would be read past its buffers. */
  for (guint i = 0; i < n_dims / 2; i++)
    if (dims[i] != dims[n_dims - 1 - i])
      {
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                     _ ("%s: layer widths at byte 16 are not mirrored (%u and %u)"), path, dims[i],
                     dims[n_dims - 1 - i]);
        return NULL;
      }
  if (!read_u32 (&r, &k) || !read_u32 (&r, &m) || m != dims[n_dims / 2] || k > 65535)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid centroid header at byte %zu"),
                   path, r.pos);
      return NULL;
    }
  /* Checked before allocating: forged widths would otherwise ask for terabytes. */
  for (guint l = 0; l + 1 < n_dims; l++)
    n_params += (gsize) dims[l] * dims[l + 1] + dims[l + 1];
  if ((len - r.pos) / sizeof (float) < n_params + (gsize) k * m)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: truncated at byte %zu: expected %zu bytes of weights and centroids"),
                   path, len, (n_params + (gsize) k * m) * sizeof (float));
      return NULL;
    }

  self = cs_autoencoder_new (dims, n_dims, max_batch);
  if (!read_floats (&r, self->params, self->n_params))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                   _ ("%s: truncated at byte %zu: expected %zu bytes of weights"), path, r.pos,
                   self->n_params * sizeof (float));
      cs_autoencoder_free (self);
      return NULL;
    }
  if (k > 0)
    {
      centroids = g_new (float, (gsize) k *m);
      if (!read_floats (&r, centroids, (gsize) k * m))
        {
          g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
                       _ ("%s: truncated at byte %zu: expected %u centroids"), path, r.pos, k);
          cs_autoencoder_free (self);
          return NULL;
        }
    }
  if (centroids_out)
    *centroids_out = g_steal_pointer (&centroids);
  if (k_out)
    *k_out = k;
  return self;
}
