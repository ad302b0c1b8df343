/* cs-kmeans.c: K-means with greedy k-means++ seeding, Lloyd iterations and restarts.
 *
 * It follows scikit-learn's KMeans (lloyd): the same greedy seeding, the same tolerance
 * (squared centre shift against the mean feature variance), strict convergence when no
 * label changes, a final assignment so labels match the returned centres, and empty
 * clusters moved to the points farthest from their centres.
 *
 * Speed: Hamerly's bounds let each iteration skip the points whose centre cannot have
 * changed (most of them, late in a run), and the centre sums follow the points that do
 * move instead of being recomputed. Distances: for small d the points are copied once
 * into blocks of eight, so one vector holds the distances of eight points to a centre;
 * for large d, ||x||^2 - 2 x.c + ||c||^2 with the dot products from sgemm. Inertia and
 * reported distances are recomputed exactly, (x - c)^2 in double.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <cblas.h>
#include <math.h>
#ifdef __AVX__
#include <immintrin.h>
#endif
#include <string.h>

#include "cs-error.h"
#include "cs-kmeans.h"
#include "cs-rng.h"

/* Without AVX, GCC notes that 32-byte vector arguments change the ABI: every function
 * taking them here is static, so no call crosses a library boundary. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* Restart r of a run with seed s draws from cs_rng_init (s + r * RESTART_STRIDE): a run
 * with n_init = N is the best of the N single runs seeded that way, and nearby user seeds
 * share no restart. (tests/test-kmeans.c relies on this.) */
#define RESTART_STRIDE G_GUINT64_CONSTANT (0xD1B54A32D192ED03)

#define LANES 8
#define BLAS_MIN_D 32
#define GEMM_ROWS 256
/* Points listed for a full look are scattered: fetch their rows this far ahead. */
#define PREFETCH_AHEAD 32

typedef float v8f __attribute__ ((vector_size (LANES * sizeof (float))));
typedef gint32 v8i __attribute__ ((vector_size (LANES * sizeof (gint32))));

/* The data, laid out for fast distances, with the scratch those need. */
typedef struct
{
  const float *x; /* n x d, row-major */
  gsize n;
  guint d;
  guint k;
  gboolean use_blas;
  float *xb;         /* direct: ceil (n / LANES) blocks of d x LANES, zero-padded */
  float *xsq;        /* BLAS: n squared row norms */
  float *csq;        /* BLAS: max_rows squared centre norms */
  float *gemm;       /* BLAS: GEMM_ROWS x max_rows dot products */
  v8f *bd;           /* direct: max_rows distance vectors of one block */
  gboolean borrowed; /* xb and xsq belong to another Geometry (a restart thread's copy) */
} Geometry;

/* Scratch for seeding and Lloyd iterations, allocated once per cs_kmeans () call. */
typedef struct
{
  guint n_trials;
  v8f *closest;     /* n, padded: squared distance to the nearest chosen seed */
  double *cumsum;   /* n */
  v8f *cand;        /* n x n_trials, blocked as dists_to_rows () writes it */
  float *cand_rows; /* n_trials x d */
  gsize *cand_ids;  /* n_trials */
  double *cand_pot; /* n_trials */
  double *sums;     /* k x d */
  gint64 *counts;   /* k */
  float *far;       /* n: squared distance to the assigned centre, for re-seeding */
  float *upper;     /* n, padded: Hamerly upper bound on the distance to the assigned centre */
  float *lower;     /* n, padded: Hamerly lower bound on the distance to any other centre */
  float *half;      /* k: half the distance from each centre to its nearest other centre */
  double *moves;    /* k: how far each centre moved in the last update */
  float *moves_f;   /* k: the same, rounded up to float */
  guint32 *todo;    /* n: points whose bounds no longer pin their centre */
  float *block;     /* direct: d x LANES, those points gathered */
  float *rows;      /* BLAS: GEMM_ROWS x d, those points gathered */
} Work;

static void
geometry_init (Geometry *g, const float *x, gsize n, guint d, guint k, guint max_rows)
{
  memset (g, 0, sizeof *g);
  g->x = x;
  g->n = n;
  g->d = d;
  g->k = k;
  g->use_blas = d >= BLAS_MIN_D;

  if (g->use_blas)
    {
      g->xsq = g_new (float, n + 1);
      for (gsize i = 0; i < n; i++)
        {
          const float *xi = x + i * d;
          double s = 0.0;

          for (guint j = 0; j < d; j++)
            s += (double) xi[j] * xi[j];
          g->xsq[i] = (float) s;
        }
      g->csq = g_new (float, max_rows);
      g->gemm = g_new (float, (gsize) (GEMM_ROWS * max_rows));
    }
  else
    {
      gsize n_blocks = (n + LANES - 1) / LANES;

      g->xb = g_aligned_alloc0 (MAX (n_blocks * d, 1), LANES * sizeof (float), sizeof (v8f));
      g->bd = g_aligned_alloc (max_rows, sizeof (v8f), sizeof (v8f));
      for (gsize i = 0; i < n; i++)
        {
          float *blk = g->xb + (i / LANES) * d * LANES + i % LANES;

          for (guint j = 0; j < d; j++)
            blk[j * LANES] = x[i * d + j];
        }
    }
}

/* A copy of src for another thread: the same points (xb, xsq, read only), its own scratch. */
static void
geometry_share (Geometry *g, const Geometry *src, guint max_rows)
{
  *g = *src;
  g->borrowed = TRUE;
  g->csq = NULL;
  g->gemm = NULL;
  g->bd = NULL;
  if (g->use_blas)
    {
      g->csq = g_new (float, max_rows);
      g->gemm = g_new (float, (gsize) (GEMM_ROWS * max_rows));
    }
  else
    g->bd = g_aligned_alloc (max_rows, sizeof (v8f), sizeof (v8f));
}

static void
geometry_clear (Geometry *g)
{
  if (g->borrowed)
    g->xb = NULL, g->xsq = NULL;
  g_clear_pointer (&g->xb, g_aligned_free);
  g_clear_pointer (&g->bd, g_aligned_free);
  g_clear_pointer (&g->xsq, g_free);
  g_clear_pointer (&g->csq, g_free);
  g_clear_pointer (&g->gemm, g_free);
}

/* out[c] (c < n_rows): squared distances of the eight points of @blk (d x LANES) to row
 * c of @rows (n_rows x d). Four rows at a time share each load of the points and keep
 * four independent add chains in flight. */
static void
block_dists (v8f *out, const float *blk, const float *rows, guint n_rows, guint d)
{
  guint c = 0;

  for (; c + 4 <= n_rows; c += 4)
    {
      const float *r0 = rows + (gsize) c * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
      v8f a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };

      for (guint j = 0; j < d; j++)
        {
          v8f xv = *(const v8f *) (blk + (gsize) j * LANES);
          v8f d0 = xv - r0[j], d1 = xv - r1[j], d2 = xv - r2[j], d3 = xv - r3[j];

          a0 += d0 * d0;
          a1 += d1 * d1;
          a2 += d2 * d2;
          a3 += d3 * d3;
        }
      out[c] = a0;
      out[c + 1] = a1;
      out[c + 2] = a2;
      out[c + 3] = a3;
    }
  for (; c < n_rows; c++)
    {
      const float *r0 = rows + (gsize) c * d;
      v8f a0 = { 0 };

      for (guint j = 0; j < d; j++)
        {
          v8f d0 = *(const v8f *) (blk + (gsize) j * LANES) - r0[j];
          a0 += d0 * d0;
        }
      out[c] = a0;
    }
}

static inline v8f
v8f_min (v8f a, v8f b)
{
  v8i lt = a < b;

  return (v8f) (((v8i) a & lt) | ((v8i) b & ~lt));
}

/* table[idx[l]] for every lane. */
static inline v8f
v8f_gather (const float *table, v8i idx)
{
  v8f r;

  for (guint l = 0; l < LANES; l++)
    r[l] = table[idx[l]];
  return r;
}

/* Bit l set when lane l of the comparison result is true. */
static inline guint
v8i_mask (v8i m)
{
#ifdef __AVX__
  return (guint) _mm256_movemask_ps ((__m256) m);
#else
  guint r = 0;

  for (guint l = 0; l < LANES; l++)
    r |= (m[l] != 0) << l;
  return r;
#endif
}

static inline v8f
v8f_sqrt (v8f v)
{
#ifdef __AVX__
  return (v8f) _mm256_sqrt_ps ((__m256) v);
#else
  v8f r;

  for (guint l = 0; l < LANES; l++)
    r[l] = sqrtf (v[l]);
  return r;
#endif
}

static double
exact_dist (const float *xi, const float *c, guint d)
{
  double s = 0.0;

  for (guint j = 0; j < d; j++)
    {
      double diff = (double) xi[j] - (double) c[j];
      s += diff * diff;
    }
  return s;
}

static void
centre_norms (float *csq, const float *rows, guint n_rows, guint d)
{
  for (guint c = 0; c < n_rows; c++)
    {
      double s = 0.0;

      for (guint j = 0; j < d; j++)
        s += (double) rows[(gsize) c * d + j] * rows[(gsize) c * d + j];
      csq[c] = (float) s;
    }
}

/* labels (n): index of the nearest of the k centres (k x d); ties go to the lowest. */
static void
nearest (const Geometry *g, const float *centers, gint32 *labels)
{
  gsize n = g->n;
  guint d = g->d, k = g->k;

  if (g->use_blas)
    {
      centre_norms (g->csq, centers, k, d);
      for (gsize r0 = 0; r0 < n; r0 += GEMM_ROWS)
        {
          guint rows = (guint) MIN ((gsize) GEMM_ROWS, n - r0);

          /* gemm (rows x k) = -2 x[r0 .. r0 + rows) centers^T */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) k, (int) d, -2.0f,
                       g->x + r0 * d, (int) d, centers, (int) d, 0.0f, g->gemm, (int) k);
          for (guint r = 0; r < rows; r++)
            {
              const float *dot = g->gemm + (gsize) r * k;
              float best = g->csq[0] + dot[0];
              gint32 best_c = 0;

              for (guint c = 1; c < k; c++)
                {
                  float v = g->csq[c] + dot[c];

                  if (v < best)
                    {
                      best = v;
                      best_c = (gint32) c;
                    }
                }
              labels[r0 + r] = best_c;
            }
        }
    }
  else
    {
      gsize n_blocks = (n + LANES - 1) / LANES;

      for (gsize b = 0; b < n_blocks; b++)
        {
          v8f best;
          v8i best_c = { 0 };
          gsize base = b * LANES;

          block_dists (g->bd, g->xb + b * d * LANES, centers, k, d);
          best = g->bd[0];
          for (guint c = 1; c < k; c++)
            {
              v8i closer = g->bd[c] < best;
              v8i cv = (v8i){ 0 } + (gint32) c;

              best = (v8f) (((v8i) g->bd[c] & closer) | ((v8i) best & ~closer));
              best_c = (cv & closer) | (best_c & ~closer);
            }
          for (guint l = 0; l < LANES && base + l < n; l++)
            labels[base + l] = best_c[l];
        }
    }
}

/* out: squared distances of every point to each of the t rows (t x d), in blocks:
 * block b holds t vectors, vector c the distances of points 8b .. 8b + 7 to row c.
 * Lanes past the last point read 0. */
static void
dists_to_rows (const Geometry *g, const float *rows, guint t, v8f *out)
{
  gsize n = g->n;
  gsize n_blocks = (n + LANES - 1) / LANES;
  guint d = g->d;

  if (g->use_blas)
    {
      float *o = (float *) out;

      memset (out + (n_blocks - 1) * t, 0, t * sizeof (v8f));
      centre_norms (g->csq, rows, t, d);
      for (gsize r0 = 0; r0 < n; r0 += GEMM_ROWS)
        {
          guint m = (guint) MIN ((gsize) GEMM_ROWS, n - r0);

          /* gemm (m x t) = -2 x[r0 .. r0 + m) rows^T */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) t, (int) d, -2.0f,
                       g->x + r0 * d, (int) d, rows, (int) d, 0.0f, g->gemm, (int) t);
          for (guint r = 0; r < m; r++)
            for (guint c = 0; c < t; c++)
              {
                gsize i = r0 + r;
                float v = g->xsq[i] + g->csq[c] + g->gemm[(gsize) r * t + c];

                o[((i / LANES) * t + c) * LANES + i % LANES] = MAX (v, 0.0f);
              }
        }
    }
  else
    {
      for (gsize b = 0; b < n_blocks; b++)
        block_dists (out + b * t, g->xb + b * d * LANES, rows, t, d);
      for (guint l = n - (n_blocks - 1) * LANES; l < LANES; l++)
        for (guint c = 0; c < t; c++)
          out[(n_blocks - 1) * t + c][l] = 0.0f;
    }
}

static double
inertia_exact (const Geometry *g, const float *centers, const gint32 *labels, float *min_dist)
{
  double inertia = 0.0;

  for (gsize i = 0; i < g->n; i++)
    {
      double dist = exact_dist (g->x + i * g->d, centers + (gsize) labels[i] * g->d, g->d);

      if (min_dist != NULL)
        min_dist[i] = (float) dist;
      inertia += dist;
    }
  return inertia;
}

static void
work_init (Work *w, gsize n, guint d, guint k, guint n_trials)
{
  gsize n_blocks = (n + LANES - 1) / LANES;

  memset (w, 0, sizeof *w);
  w->n_trials = n_trials;
  w->closest = g_aligned_alloc (n_blocks, sizeof (v8f), sizeof (v8f));
  w->cumsum = g_new (double, n);
  w->cand = g_aligned_alloc (n_blocks * n_trials, sizeof (v8f), sizeof (v8f));
  w->cand_rows = g_new (float, (gsize) (n_trials * d));
  w->cand_ids = g_new (gsize, n_trials);
  w->cand_pot = g_new (double, n_trials);
  w->sums = g_new (double, (gsize) (k * d));
  w->counts = g_new (gint64, k);
  w->far = g_new (float, n);
  w->upper = g_aligned_alloc0 (n_blocks, LANES * sizeof (float), sizeof (v8f));
  w->lower = g_aligned_alloc0 (n_blocks, LANES * sizeof (float), sizeof (v8f));
  w->half = g_new (float, k);
  w->moves = g_new (double, k);
  w->moves_f = g_new (float, k);
  w->todo = g_new (guint32, n + PREFETCH_AHEAD + LANES);
  w->block = g_aligned_alloc0 (d, LANES * sizeof (float), sizeof (v8f));
  w->rows = g_new (float, (gsize) (GEMM_ROWS * d));
}

static void
work_clear (Work *w)
{
  g_clear_pointer (&w->closest, g_aligned_free);
  g_clear_pointer (&w->cumsum, g_free);
  g_clear_pointer (&w->cand, g_aligned_free);
  g_clear_pointer (&w->cand_rows, g_free);
  g_clear_pointer (&w->cand_ids, g_free);
  g_clear_pointer (&w->cand_pot, g_free);
  g_clear_pointer (&w->sums, g_free);
  g_clear_pointer (&w->counts, g_free);
  g_clear_pointer (&w->far, g_free);
  g_clear_pointer (&w->upper, g_aligned_free);
  g_clear_pointer (&w->lower, g_aligned_free);
  g_clear_pointer (&w->half, g_free);
  g_clear_pointer (&w->moves, g_free);
  g_clear_pointer (&w->moves_f, g_free);
  g_clear_pointer (&w->todo, g_free);
  g_clear_pointer (&w->block, g_aligned_free);
  g_clear_pointer (&w->rows, g_free);
}

/* First index whose cumulative weight exceeds r, so a point of zero weight (one already
 * chosen) is never drawn while the potential is positive. */
static gsize
upper_bound (const double *cumsum, gsize n, double r)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (cumsum[mid] > r)
        hi = mid;
      else
        lo = mid + 1;
    }
  return MIN (lo, n - 1);
}

/* Greedy k-means++ (Arthur and Vassilvitskii; scikit-learn's _kmeans_plusplus): the first
 * seed uniform, then n_trials candidates drawn in proportion to the squared distance to
 * the nearest seed, keeping the one that lowers the potential most. */
static gboolean
kmeans_plusplus (const Geometry *g, Work *w, CsRng *rng, float *centers, GCancellable *cancellable)
{
  gsize n = g->n;
  gsize n_blocks = (n + LANES - 1) / LANES;
  guint d = g->d, k = g->k, t = w->n_trials;
  gsize first = cs_rng_below (rng, n);
  const float *closest = (const float *) w->closest;

  memcpy (centers, g->x + first * d, d * sizeof (float));
  /* One row: the blocked layout is the plain one. */
  dists_to_rows (g, centers, 1, w->closest);

  for (guint c = 1; c < k; c++)
    {
      double pot = 0.0;
      guint best_t = 0;

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;

      for (gsize i = 0; i < n; i++)
        {
          pot += closest[i];
          w->cumsum[i] = pot;
        }
      for (guint tt = 0; tt < t; tt++)
        {
          gsize id = upper_bound (w->cumsum, n, cs_rng_uniform (rng) * pot);

          w->cand_ids[tt] = id;
          memcpy (w->cand_rows + (gsize) tt * d, g->x + id * d, d * sizeof (float));
          w->cand_pot[tt] = 0.0;
        }

      dists_to_rows (g, w->cand_rows, t, w->cand);
      /* Potentials: eight-lane partial sums in float per block, the total in double. */
      for (gsize b = 0; b < n_blocks; b++)
        {
          v8f cl = w->closest[b];

          for (guint tt = 0; tt < t; tt++)
            {
              v8f m = v8f_min (cl, w->cand[b * t + tt]);
              float part = ((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]));

              w->cand_pot[tt] += part;
            }
        }
      for (guint tt = 1; tt < t; tt++)
        if (w->cand_pot[tt] < w->cand_pot[best_t])
          best_t = tt;

      for (gsize b = 0; b < n_blocks; b++)
        w->closest[b] = v8f_min (w->closest[b], w->cand[b * t + best_t]);
      memcpy (centers + (gsize) c * d, g->x + w->cand_ids[best_t] * d, d * sizeof (float));
    }
  return TRUE;
}

/* Gives every empty cluster the point farthest from its assigned centre (taking no
 * cluster's last point), moving that point's contribution in sums / counts. Returns the
 * number of clusters re-seeded. */
static guint
reseed_empty (const Geometry *g, Work *w, const float *centers, gint32 *labels)
{
  gsize n = g->n;
  guint d = g->d, k = g->k, n_empty = 0;

  for (guint c = 0; c < k; c++)
    n_empty += w->counts[c] == 0;
  if (n_empty == 0)
    return 0;

  for (gsize i = 0; i < n; i++)
    w->far[i] = (float) exact_dist (g->x + i * d, centers + (gsize) labels[i] * d, d);

  for (guint c = 0; c < k; c++)
    {
      gsize far_i = G_MAXSIZE;
      float far_d = -1.0f;
      const float *xi;
      gint32 old;

      if (w->counts[c] != 0)
        continue;
      /* n >= k guarantees a cluster with two points or more while one is empty. */
      for (gsize i = 0; i < n; i++)
        if (w->far[i] > far_d && w->counts[labels[i]] > 1)
          {
            far_d = w->far[i];
            far_i = i;
          }
      /* cs_kmeans () refused NaN and scaled the data so that no distance is infinite. */
      g_assert (far_i != G_MAXSIZE);

      xi = g->x + far_i * d;
      old = labels[far_i];
      for (guint j = 0; j < d; j++)
        {
          w->sums[(gsize) old * d + j] -= xi[j];
          w->sums[(gsize) c * d + j] = xi[j];
        }
      w->counts[old]--;
      w->counts[c] = 1;
      labels[far_i] = (gint32) c;
      w->far[far_i] = -1.0f;
      /* Its bounds no longer hold: force a full look next time. */
      w->upper[far_i] = INFINITY;
      w->lower[far_i] = 0.0f;
    }
  return n_empty;
}

/* Records the nearest centre @c of point @i with fresh bounds; when @track, moves the
 * point (coordinates xi[0], xi[stride], ...) between the running sums. Returns whether
 * its label changed. */
static inline gboolean
settle (const Geometry *g,
        Work *w,
        gint32 *labels,
        gsize i,
        const float *xi,
        guint stride,
        gint32 c,
        float upper,
        float lower,
        gboolean track)
{
  gint32 old = labels[i];

  w->upper[i] = upper;
  w->lower[i] = lower;
  labels[i] = c;
  if (!track || old == c)
    return FALSE;

  {
    double *so = w->sums + (gsize) old * g->d;
    double *sc = w->sums + (gsize) c * g->d;

    for (guint j = 0; j < g->d; j++)
      {
        so[j] -= xi[j * stride];
        sc[j] += xi[j * stride];
      }
  }
  w->counts[old]--;
  w->counts[c]++;
  return TRUE;
}

/* Hamerly's bounds ("Making k-means even faster", SDM 2010) skip points whose centre
 * cannot have changed: a point stays put when its upper bound to its centre is below
 * both half the distance from that centre to the next one and its lower bound to every
 * other centre. The bounds are tested eight points at a time; the points that fail are
 * listed and then gathered, eight (or GEMM_ROWS) at a time, for a full look, so the
 * work follows those points rather than the blocks they sit in. Bounds are floats with
 * a little slack against their rounding, so the partition is Lloyd's except, perhaps,
 * for near-ties that float rounding decides anyway.
 *
 * labels, upper and lower are padded to whole blocks. @moves: how far each centre moved
 * since the bounds were set, or NULL on the first call, which assigns every point. Moves
 * points between clusters in w->sums and w->counts (except on the first call) and
 * returns how many labels changed. */
static gsize
assign_hamerly (
    const Geometry *g, Work *w, const float *centers, gint32 *labels, const double *moves)
{
  const float slack = 1.0f - 1e-5f;
  gsize n = g->n, changed = 0, n_todo = 0;
  gsize n_blocks = (n + LANES - 1) / LANES;
  guint d = g->d, k = g->k;
  float max_move = 0.0f, second_move = 0.0f;
  guint max_c = 0;

  for (guint c = 0; c < k; c++)
    {
      double nearest_other = INFINITY;

      for (guint o = 0; o < k; o++)
        if (o != c)
          nearest_other = MIN (nearest_other,
                               exact_dist (centers + (gsize) c * d, centers + (gsize) o * d, d));
      w->half[c] = (float) (0.5 * sqrt (nearest_other));
    }
  if (moves != NULL)
    for (guint c = 0; c < k; c++)
      {
        /* Rounded up so the bounds stay loose rather than tight. */
        float m = (float) moves[c] * (1.0f + 1e-6f);

        w->moves_f[c] = m;
        if (m > max_move)
          {
            second_move = max_move;
            max_move = m;
            max_c = c;
          }
        else if (m > second_move)
          second_move = m;
      }

  /* Pass 1: move the bounds with the centres and list the points they no longer pin. */
  if (moves == NULL)
    {
      for (gsize i = 0; i < n; i++)
        w->todo[i] = (guint32) i;
      n_todo = n;
    }
  else
    {
      v8f max_move_v = (v8f){ 0 } + max_move;
      v8f second_move_v = (v8f){ 0 } + second_move;
      v8i max_c_v = (v8i){ 0 } + (gint32) max_c;

      for (gsize b = 0; b < n_blocks; b++)
        {
          gsize base = b * LANES;
          v8f *up = (v8f *) (w->upper + base);
          v8f *lo = (v8f *) (w->lower + base);
          v8i a, is_max, full;
          guint mask;

          memcpy (&a, labels + base, sizeof a);
          is_max = a == max_c_v;
          *up += v8f_gather (w->moves_f, a);
          *lo -= (v8f) (((v8i) second_move_v & is_max) | ((v8i) max_move_v & ~is_max));
          full = (*up > slack * v8f_gather (w->half, a)) & (*up > slack * *lo);
          for (mask = v8i_mask (full); mask != 0; mask &= mask - 1)
            {
              gsize i = base + (guint) __builtin_ctz (mask);

              if (i < n)
                w->todo[n_todo++] = (guint32) i;
            }
        }
    }
  /* The last group of eight and the prefetches read past the list: repeat its last
   * point. */
  for (guint l = 0; l < PREFETCH_AHEAD + LANES && n_todo > 0; l++)
    w->todo[n_todo + l] = w->todo[n_todo - 1];

  /* Pass 2: the listed points against every centre, so the cost follows the points
   * that need it, not the blocks holding them. */
  if (g->use_blas)
    {
      gsize q = 0;

      centre_norms (g->csq, centers, k, d);
      while (q < n_todo)
        {
          gsize i0 = w->todo[q], q_end = q;
          guint rows;
          gboolean dense;
          const float *xr;

          /* Where the listed points are dense, multiply the rows in place; where they
           * are sparse, copy them together first. Copying costs as much as the
           * product, so it only pays for a few points among many. */
          while (q_end < n_todo && w->todo[q_end] < i0 + GEMM_ROWS)
            q_end++;
          dense = (q_end - q) * 3 >= 2 * GEMM_ROWS;
          if (dense)
            {
              rows = (guint) MIN ((gsize) GEMM_ROWS, n - i0);
              xr = g->x + i0 * d;
            }
          else
            {
              q_end = MIN (q + GEMM_ROWS, n_todo);
              rows = (guint) (q_end - q);
              for (guint r = 0; r < rows; r++)
                memcpy (w->rows + (gsize) r * d, g->x + (gsize) w->todo[q + r] * d,
                        d * sizeof (float));
              xr = w->rows;
            }

          /* gemm (rows x k) = -2 xr centers^T */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) k, (int) d, -2.0f,
                       xr, (int) d, centers, (int) d, 0.0f, g->gemm, (int) k);
          for (; q < q_end; q++)
            {
              gsize i = w->todo[q];
              gsize r = dense ? i - i0 : rows - (q_end - q);
              const float *dot = g->gemm + r * k;
              float best = INFINITY, second = INFINITY;
              gint32 best_c = 0;

              for (guint c = 0; c < k; c++)
                {
                  float v = g->csq[c] + dot[c];

                  if (v < best)
                    {
                      second = best;
                      best = v;
                      best_c = (gint32) c;
                    }
                  else if (v < second)
                    second = v;
                }
              changed += settle (g, w, labels, i, xr + r * d, 1, best_c,
                                 sqrtf (MAX (best + g->xsq[i], 0.0f)),
                                 sqrtf (MAX (second + g->xsq[i], 0.0f)), moves != NULL);
            }
        }
    }
  else
    for (gsize q = 0; q < n_todo; q += LANES)
      {
        guint lanes = (guint) MIN ((gsize) LANES, n_todo - q);
        v8f best, second, ub, lb;
        v8i best_c = { 0 };

        /* From the row-major points, where each one is a single short run of memory: the
         * listed points are scattered, and cache misses are what this loop costs. */
        for (guint l = 0; l < LANES; l++)
          {
            const float *xi = g->x + (gsize) w->todo[q + MIN (l, lanes - 1)] * d;

            __builtin_prefetch (g->x + (gsize) w->todo[q + PREFETCH_AHEAD + l] * d);
            for (guint j = 0; j < d; j++)
              w->block[j * LANES + l] = xi[j];
          }

        block_dists (g->bd, w->block, centers, k, d);
        best = g->bd[0];
        second = (v8f){ 0 } + INFINITY;
        for (guint c = 1; c < k; c++)
          {
            v8f dist = g->bd[c];
            v8i closer = dist < best;
            v8i cv = (v8i){ 0 } + (gint32) c;
            v8i second_closer = dist < second;
            v8f demoted = (v8f) (((v8i) dist & second_closer) | ((v8i) second & ~second_closer));

            second = (v8f) (((v8i) best & closer) | ((v8i) demoted & ~closer));
            best = (v8f) (((v8i) dist & closer) | ((v8i) best & ~closer));
            best_c = (cv & closer) | (best_c & ~closer);
          }
        ub = v8f_sqrt (best);
        lb = v8f_sqrt (second);
        for (guint l = 0; l < lanes; l++)
          changed += settle (g, w, labels, w->todo[q + l], w->block + l, LANES, best_c[l], ub[l],
                             lb[l], moves != NULL);
      }

  return moves == NULL ? n : changed;
}

static void
sums_from_labels (const Geometry *g, Work *w, const gint32 *labels)
{
  guint d = g->d;

  memset (w->sums, 0, (gsize) g->k * d * sizeof (double));
  memset (w->counts, 0, g->k * sizeof (gint64));
  for (gsize i = 0; i < g->n; i++)
    {
      const float *xi = g->x + i * d;
      double *s = w->sums + (gsize) labels[i] * d;

      for (guint j = 0; j < d; j++)
        s[j] += xi[j];
      w->counts[labels[i]]++;
    }
}

/* Lloyd iterations from @centers (updated in place) until no label changes, the squared
 * centre shift falls to @tol_abs, or @max_iter. */
static gboolean
lloyd (const Geometry *g,
       Work *w,
       float *centers,
       gint32 *labels,
       guint max_iter,
       double tol_abs,
       CsKMeansResult *result,
       GCancellable *cancellable)
{
  guint d = g->d, k = g->k;
  gboolean strict = FALSE;

  result->n_iter = 0;
  result->n_empty_reseeded = 0;

  for (guint it = 0; it < max_iter; it++)
    {
      double shift = 0.0;
      gsize changed;
      guint reseeded;

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;

      changed = assign_hamerly (g, w, centers, labels, it == 0 ? NULL : w->moves);
      if (it == 0)
        sums_from_labels (g, w, labels);

      reseeded = reseed_empty (g, w, centers, labels);
      result->n_empty_reseeded += reseeded;

      for (guint c = 0; c < k; c++)
        {
          double inv, move = 0.0;

          w->moves[c] = 0.0;
          if (w->counts[c] == 0)
            continue;
          inv = 1.0 / (double) w->counts[c];
          for (guint j = 0; j < d; j++)
            {
              float v = (float) (w->sums[(gsize) c * d + j] * inv);
              double diff = (double) v - (double) centers[(gsize) c * d + j];

              move += diff * diff;
              centers[(gsize) c * d + j] = v;
            }
          shift += move;
          w->moves[c] = sqrt (move);
        }

      result->n_iter = it + 1;
      if (changed == 0 && reseeded == 0)
        {
          strict = TRUE;
          break;
        }
      if (shift <= tol_abs)
        break;
    }

  /* Unless the partition was stable, the last update moved the centres under the
   * labels: assign again so labels, centres and inertia agree. */
  if (!strict)
    assign_hamerly (g, w, centers, labels, result->n_iter == 0 ? NULL : w->moves);
  result->inertia = inertia_exact (g, centers, labels, NULL);
  return TRUE;
}

/* Distances are computed in float: their squares overflow when |x| nears 1e19, and fall
 * into subnormals and then zero near 1e-19. Data whose largest magnitude is outside
 * [2^-SCALE_EXP, 2^SCALE_EXP] is clustered as x * 2^-e, which brings it near 1: a power of
 * two is exact (short of values 2^126 times smaller than the largest, which become
 * subnormal), gives the same partition, and scales back exactly. */
#define SCALE_EXP 32

/* The largest magnitude in x (count values) into *max_abs, which it only raises; returns
 * the index of the first NaN or infinite value, or G_MAXSIZE. */
static gsize
scan_range (const float *x, gsize count, float *max_abs)
{
  gsize bad = G_MAXSIZE;

  for (gsize i = 0; i < count; i++)
    {
      float a = fabsf (x[i]);

      if (!isfinite (a))
        bad = MIN (bad, i);
      else if (a > *max_abs)
        *max_abs = a;
    }
  return bad;
}

/* The e that brings max_abs near 1, or 0 when its squares are safe as they are. */
static int
scale_exponent (float max_abs)
{
  int e = max_abs > 0.0f ? ilogbf (max_abs) : 0;

  return e > SCALE_EXP || e < -SCALE_EXP ? e : 0;
}

static gboolean
check_finite (const float *x, gsize n, guint d, gboolean centres, float *max_abs, GError **error)
{
  gsize bad = scan_range (x, n * d, max_abs);

  if (bad != G_MAXSIZE)
    {
      if (centres)
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                     _ ("K-means needs finite values, but initial centre %zu has a NaN or "
                        "infinite one (feature %u)"),
                     bad / d, (guint) (bad % d));
      else
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                     _ ("K-means needs finite values, but point %zu has a NaN or infinite one "
                        "(feature %u)"),
                     bad / d, (guint) (bad % d));
      return FALSE;
    }
  return TRUE;
}

/* x * 2^e, newly allocated. */
static float *
scaled_copy (const float *x, gsize count, int e)
{
  float *out = g_new (float, count);

  for (gsize i = 0; i < count; i++)
    out[i] = ldexpf (x[i], e);
  return out;
}

/* Mean over features of the (population) variance of x, as scikit-learn's tolerance. */
static double
mean_variance (const float *x, gsize n, guint d)
{
  g_autofree double *mean = g_new0 (double, d);
  double total = 0.0;

  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      mean[j] += x[i * d + j];
  for (guint j = 0; j < d; j++)
    mean[j] /= (double) n;
  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      {
        double diff = x[i * d + j] - mean[j];
        total += diff * diff;
      }
  return total / ((double) n * d);
}

void
cs_kmeans_options_init (CsKMeansOptions *options, guint k)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->k = k;
  options->n_init = 10;
  options->max_iter = 300;
  options->tol = 1e-4;
  options->seed = 0;
  options->init_centers = NULL;
}

/* The restarts of one cs_kmeans () call, shared by the threads that run them. */
typedef struct
{
  const Geometry *g;
  const CsKMeansOptions *options;
  const float *init_centers;
  guint n_runs, n_trials;
  double tol_abs;
  gboolean want_labels;
  GCancellable *cancellable;
  gint next_run;  /* atomic: the next restart to take */
  gint cancelled; /* atomic */
} Restarts;

/* One thread's restarts: its scratch and the best run it has seen (the lowest inertia, the
 * lower run index among equals, so that the best of all does not depend on who ran what). */
typedef struct
{
  Restarts *job;
  Geometry g;
  Work w;
  float *cur_centers, *best_centers;
  gint32 *cur_labels, *best_labels;
  CsKMeansResult best;
  guint best_run;
  gboolean have_best;
} Restarter;

static gboolean
run_is_better (const CsKMeansResult *a, guint run_a, const CsKMeansResult *b, guint run_b)
{
  return a->inertia < b->inertia || (a->inertia == b->inertia && run_a < run_b);
}

static gpointer
restarter_run (gpointer data)
{
  Restarter *t = data;
  Restarts *job = t->job;
  const Geometry *g = &t->g;
  gsize kd = (gsize) g->k * g->d;

  for (;;)
    {
      guint r = (guint) g_atomic_int_add (&job->next_run, 1);
      CsKMeansResult run = { 0 };

      if (r >= job->n_runs || g_atomic_int_get (&job->cancelled))
        break;
      /* Copied first: init_centers may be the very array the caller wants written. */
      if (job->init_centers != NULL)
        memcpy (t->cur_centers, job->init_centers, kd * sizeof (float));
      else
        {
          CsRng rng;

          cs_rng_init (&rng, job->options->seed + r * RESTART_STRIDE);
          if (!kmeans_plusplus (g, &t->w, &rng, t->cur_centers, job->cancellable))
            {
              g_atomic_int_set (&job->cancelled, 1);
              break;
            }
        }
      if (!lloyd (g, &t->w, t->cur_centers, t->cur_labels, job->options->max_iter, job->tol_abs,
                  &run, job->cancellable))
        {
          g_atomic_int_set (&job->cancelled, 1);
          break;
        }
      if (!t->have_best || run_is_better (&run, r, &t->best, t->best_run))
        {
          t->best = run;
          t->best_run = r;
          t->have_best = TRUE;
          memcpy (t->best_centers, t->cur_centers, kd * sizeof (float));
          if (job->want_labels)
            memcpy (t->best_labels, t->cur_labels, g->n * sizeof (gint32));
        }
    }
  return NULL;
}

/* Restart threads: the cores the machine has, at most one per restart; one when the distances
 * go through BLAS, which has its own threads. CS_KMEANS_THREADS overrides it (benchmarks). */
static guint
restart_threads (const CsKMeansOptions *options, const Geometry *g, guint n_runs)
{
  const char *env = g_getenv ("CS_KMEANS_THREADS");
  guint threads = options->n_threads;

  if (threads == 0 && env != NULL)
    threads = (guint) g_ascii_strtoull (env, NULL, 10);
  if (threads == 0)
    threads = g->use_blas ? 1 : (guint) g_get_num_processors ();
  return CLAMP (threads, 1, MAX (n_runs, 1));
}

gboolean
cs_kmeans (const float *x,
           gsize n,
           guint d,
           const CsKMeansOptions *options,
           float *centers,
           gint32 *labels,
           CsKMeansResult *result,
           GCancellable *cancellable,
           GError **error)
{
  g_autofree float *scaled_x = NULL;
  g_autofree float *scaled_init = NULL;
  const float *init_centers;
  float max_abs = 0.0f;
  int scale_exp;
  CsKMeansResult best = { 0 };
  gboolean ok = TRUE;
  Geometry g;
  guint k, n_runs, n_trials;
  double tol_abs;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (x != NULL || n == 0, FALSE);
  g_return_val_if_fail (centers != NULL, FALSE);
  g_return_val_if_fail (d > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  k = options->k;
  if (n > G_MAXINT32)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("K-means takes at most %d points (%zu given)"), G_MAXINT32, n);
      return FALSE;
    }
  if (k == 0 || n < k)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("K-means needs at least as many points as clusters (K = %u, %zu points)"), k,
                   n);
      return FALSE;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("K-means was cancelled"));
      return FALSE;
    }

  /* A NaN distance would leave no point to re-seed an empty cluster with. */
  if (!check_finite (x, n, d, FALSE, &max_abs, error))
    return FALSE;
  if (options->init_centers != NULL
      && !check_finite (options->init_centers, k, d, TRUE, &max_abs, error))
    return FALSE;
  scale_exp = scale_exponent (max_abs);
  if (scale_exp != 0)
    {
      scaled_x = scaled_copy (x, n * d, -scale_exp);
      x = scaled_x;
      if (options->init_centers != NULL)
        scaled_init = scaled_copy (options->init_centers, (gsize) k * d, -scale_exp);
    }
  init_centers = scaled_init != NULL ? scaled_init : options->init_centers;

  n_trials = 2 + (guint) floor (log ((double) k));
  n_runs = init_centers != NULL ? 1 : MAX (options->n_init, 1);
  tol_abs = options->tol * mean_variance (x, n, d);

  geometry_init (&g, x, n, d, k, MAX (k, n_trials));
  {
    Restarts job = { &g,      options,        init_centers, n_runs, n_trials,
                     tol_abs, labels != NULL, cancellable,  0,      0 };
    guint n_threads = restart_threads (options, &g, n_runs);
    g_autofree Restarter *threads = g_new0 (Restarter, n_threads);
    g_autofree GThread **handles = g_new0 (GThread *, n_threads);
    Restarter *winner = NULL;

    /* Each restart is seeded by its index: which thread runs it changes nothing. */
    for (guint t = 0; t < n_threads; t++)
      {
        Restarter *th = &threads[t];

        th->job = &job;
        geometry_share (&th->g, &g, MAX (k, n_trials));
        work_init (&th->w, n, d, k, n_trials);
        th->cur_centers = g_new (float, (gsize) k *d);
        th->best_centers = g_new (float, (gsize) k *d);
        /* Padded to whole blocks of LANES points for the Hamerly pass. */
        th->cur_labels = g_new0 (gint32, (n + LANES - 1) / LANES * LANES);
        th->best_labels = labels != NULL ? g_new (gint32, n) : NULL;
      }
    for (guint t = 1; t < n_threads; t++)
      handles[t] = g_thread_new ("cs-kmeans", restarter_run, &threads[t]);
    restarter_run (&threads[0]);
    for (guint t = 1; t < n_threads; t++)
      g_thread_join (handles[t]);

    ok = !g_atomic_int_get (&job.cancelled);
    for (guint t = 0; t < n_threads; t++)
      if (threads[t].have_best
          && (winner == NULL
              || run_is_better (&threads[t].best, threads[t].best_run, &winner->best,
                                winner->best_run)))
        winner = &threads[t];
    if (ok && winner != NULL)
      {
        best = winner->best;
        memcpy (centers, winner->best_centers, (gsize) k * d * sizeof (float));
        if (labels != NULL)
          memcpy (labels, winner->best_labels, n * sizeof (gint32));
      }
    for (guint t = 0; t < n_threads; t++)
      {
        work_clear (&threads[t].w);
        geometry_clear (&threads[t].g);
        g_free (threads[t].cur_centers);
        g_free (threads[t].best_centers);
        g_free (threads[t].cur_labels);
        g_free (threads[t].best_labels);
      }
  }
  geometry_clear (&g);

  if (!ok)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("K-means was cancelled"));
      return FALSE;
    }
  if (scale_exp != 0)
    {
      for (gsize i = 0; i < (gsize) k * d; i++)
        centers[i] = ldexpf (centers[i], scale_exp);
      best.inertia = ldexp (best.inertia, 2 * scale_exp);
    }
  if (result != NULL)
    *result = best;
  return TRUE;
}

double
cs_kmeans_assign (const float *x,
                  gsize n,
                  guint d,
                  const float *centers,
                  guint k,
                  gint32 *labels,
                  float *min_dist)
{
  g_autofree float *scaled_x = NULL;
  g_autofree float *scaled_centers = NULL;
  float max_abs = 0.0f;
  int scale_exp;
  Geometry g;
  double inertia;

  g_return_val_if_fail (x != NULL || n == 0, 0.0);
  g_return_val_if_fail (centers != NULL, 0.0);
  g_return_val_if_fail (labels != NULL || n == 0, 0.0);
  g_return_val_if_fail (d > 0 && k > 0, 0.0);

  if (n == 0)
    return 0.0;

  /* Scaled as cs_kmeans () scales; NaN and infinite values just propagate here. */
  scan_range (x, n * d, &max_abs);
  scan_range (centers, (gsize) k * d, &max_abs);
  scale_exp = scale_exponent (max_abs);
  if (scale_exp != 0)
    {
      scaled_x = scaled_copy (x, n * d, -scale_exp);
      scaled_centers = scaled_copy (centers, (gsize) k * d, -scale_exp);
      x = scaled_x;
      centers = scaled_centers;
    }

  geometry_init (&g, x, n, d, k, k);
  nearest (&g, centers, labels);
  inertia = inertia_exact (&g, centers, labels, min_dist);
  geometry_clear (&g);
  if (scale_exp != 0)
    {
      inertia = ldexp (inertia, 2 * scale_exp);
      for (gsize i = 0; min_dist != NULL && i < n; i++)
        min_dist[i] = ldexpf (min_dist[i], 2 * scale_exp);
    }
  return inertia;
}
