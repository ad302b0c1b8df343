/* test-tsne.c: the kNN search, the t-SNE gradient against its naive twin and finite
 * differences, and what the layouts must show (neighbours kept, warm frames stable, same bytes).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-projection.h"
#include "cs-rng.h"
#include "cs-tsne.h"

/* k well-separated Gaussian blobs in m dimensions, n points, labels in order i % k. */
static float *
make_blobs (gsize n, guint m, guint k, double spread, guint64 seed)
{
  float *z = g_new (float, n *m);
  g_autofree double *centres = g_new (double, (gsize) k *m);
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (gsize i = 0; i < (gsize) k * m; i++)
    centres[i] = 10.0 * cs_rng_normal (&rng);
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < m; c++)
      z[i * m + c] = (float) (centres[(i % k) * m + c] + spread * cs_rng_normal (&rng));
  return z;
}

static void
test_knn_naive (void)
{
  const gsize n = 700;
  const guint m = 7, k = 12;
  g_autofree float *x = make_blobs (n, m, 4, 3.0, 3);
  g_autofree guint32 *idx = g_new (guint32, n * k);
  g_autofree float *dist = g_new (float, n *k);

  cs_knn (x, n, m, k, idx, dist);
  for (gsize i = 0; i < n; i++)
    {
      /* The naive twin: every distance in double, the k smallest by selection. */
      g_autofree double *d = g_new (double, n);
      gboolean taken[700] = { FALSE };

      for (gsize j = 0; j < n; j++)
        {
          double s = 0.0;
          for (guint c = 0; c < m; c++)
            s += ((double) x[i * m + c] - x[j * m + c]) * ((double) x[i * m + c] - x[j * m + c]);
          d[j] = s;
        }
      taken[i] = TRUE;
      for (guint s = 0; s < k; s++)
        {
          gsize best = G_MAXSIZE;
          for (gsize j = 0; j < n; j++)
            if (!taken[j] && (best == G_MAXSIZE || d[j] < d[best]))
              best = j;
          taken[best] = TRUE;
          g_assert_cmpuint (idx[i * k + s], ==, best);
          g_assert_cmpfloat_with_epsilon (dist[i * k + s], d[best], 1e-3 * (1.0 + d[best]));
        }
    }
}

/* A small symmetric P over every pair (dense, as CSR), sum 1. */
static void
make_p (gsize n, guint64 seed, guint32 **row_start, guint32 **col, double **val)
{
  CsRng rng;
  double total = 0.0;
  gsize e = 0;

  cs_rng_init (&rng, seed);
  *row_start = g_new (guint32, n + 1);
  *col = g_new (guint32, n * (n - 1));
  *val = g_new (double, n *(n - 1));
  for (gsize i = 0; i < n; i++)
    {
      (*row_start)[i] = (guint32) e;
      for (gsize j = 0; j < n; j++)
        if (j != i)
          {
            (*col)[e] = (guint32) j;
            /* symmetric: a function of the unordered pair */
            (*val)[e] = 1.0 + sin (3.0 * (double) (MIN (i, j) * 31 + MAX (i, j)));
            total += (*val)[e];
            e++;
          }
    }
  (*row_start)[n] = (guint32) e;
  for (gsize i = 0; i < e; i++)
    (*val)[i] /= total;
}

/* KL (P || Q) with exaggeration ex on the P side (what the gradient descends). */
static double
kl (const double *y,
    gsize n,
    const guint32 *row_start,
    const guint32 *col,
    const double *val,
    double ex)
{
  double z = 0.0, c = 0.0;

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      if (i != j)
        {
          double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
          z += 1.0 / (1.0 + dx * dx + dy * dy);
        }
  for (gsize i = 0; i < n; i++)
    for (guint32 e = row_start[i]; e < row_start[i + 1]; e++)
      {
        gsize j = col[e];
        double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
        double q = 1.0 / (1.0 + dx * dx + dy * dy) / z;
        c += ex * val[e] * log (val[e] / q);
      }
  return c;
}

static void
test_gradient (void)
{
  const gsize n = 40;
  g_autofree guint32 *row_start = NULL, *col = NULL;
  g_autofree double *val = NULL;
  double y[2 * 40], grad[2 * 40], bh[2 * 40];
  CsRng rng;

  cs_rng_init (&rng, 5);
  for (gsize i = 0; i < 2 * n; i++)
    y[i] = 2.0 * cs_rng_normal (&rng);
  make_p (n, 6, &row_start, &col, &val);

  /* theta = 0: every pair, exactly; against central differences of KL. */
  cs_tsne_gradient (y, n, row_start, col, val, 1.0, 0.0, grad);
  for (gsize i = 0; i < 2 * n; i++)
    {
      const double h = 1e-5;
      double keep = y[i], up, down, fd;

      y[i] = keep + h;
      up = kl (y, n, row_start, col, val, 1.0);
      y[i] = keep - h;
      down = kl (y, n, row_start, col, val, 1.0);
      y[i] = keep;
      fd = (up - down) / (2.0 * h);
      g_assert_cmpfloat_with_epsilon (grad[i], fd, 1e-6 + 1e-4 * fabs (fd));
    }

  /* Barnes-Hut at theta 0.5 stays close to the exact gradient. */
  cs_tsne_gradient (y, n, row_start, col, val, 1.0, 0.5, bh);
  {
    double err = 0.0, norm = 0.0;
    for (gsize i = 0; i < 2 * n; i++)
      {
        err += (bh[i] - grad[i]) * (bh[i] - grad[i]);
        norm += grad[i] * grad[i];
      }
    g_assert_cmpfloat (sqrt (err / norm), <, 0.05);
  }
}

static void
test_blobs_recall (void)
{
  const gsize n = 1500;
  const guint m = 10;
  g_autofree float *z = make_blobs (n, m, 6, 1.5, 7);
  g_autofree float *xy = g_new (float, 2 * n);
  g_autofree float *pca_xy = g_new (float, 2 * n);
  g_autoptr (CsTsne) tsne = cs_tsne_new (NULL);
  g_autoptr (CsProjection) pca = cs_projection_new (m);
  double recall, pca_recall;

  g_assert_true (cs_tsne_update (tsne, z, n, m, xy, NULL));
  cs_projection_update (pca, z, n, FALSE);
  cs_projection_apply (pca, z, n, pca_xy);
  recall = cs_knn_recall (z, m, xy, n, 10);
  pca_recall = cs_knn_recall (z, m, pca_xy, n, 10);
  g_test_message ("10-NN recall: t-SNE %.3f, PCA %.3f", recall, pca_recall);
  g_assert_cmpfloat (recall, >, 0.3);
  g_assert_cmpfloat (recall, >, 2.0 * pca_recall);

  /* Each blob is its own island: a point's nearest neighbour in 2-D is of its own blob. */
  {
    g_autofree guint32 *idx = g_new (guint32, n);
    g_autofree float *dist = g_new (float, n);
    gsize same = 0;

    cs_knn (xy, n, 2, 1, idx, dist);
    for (gsize i = 0; i < n; i++)
      same += idx[i] % 6 == i % 6;
    g_assert_cmpfloat ((double) same / n, >, 0.99);
  }
}

static double
mean_shift (const float *a, const float *b, gsize n)
{
  double s = 0.0;

  for (gsize i = 0; i < n; i++)
    s += hypot (a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
  return s / n;
}

static void
test_warm_is_stable (void)
{
  const gsize n = 1200;
  const guint m = 10;
  g_autofree float *z1 = make_blobs (n, m, 5, 2.0, 11);
  g_autofree float *z2 = g_memdup2 (z1, n * m * sizeof (float));
  g_autofree float *first = g_new (float, 2 * n);
  g_autofree float *warm = g_new (float, 2 * n);
  g_autofree float *cold = g_new (float, 2 * n);
  g_autoptr (CsTsne) live = cs_tsne_new (NULL);
  g_autoptr (CsTsne) fresh = cs_tsne_new (NULL);
  double warm_shift, cold_shift;
  CsRng rng;

  /* The next epoch's codes: the same points, moved a little. */
  cs_rng_init (&rng, 12);
  for (gsize i = 0; i < n * m; i++)
    z2[i] += (float) (0.3 * cs_rng_normal (&rng));

  g_assert_true (cs_tsne_update (live, z1, n, m, first, NULL));
  g_assert_true (cs_tsne_update (live, z2, n, m, warm, NULL));
  g_assert_true (cs_tsne_update (fresh, z2, n, m, cold, NULL));
  warm_shift = mean_shift (first, warm, n);
  cold_shift = mean_shift (first, cold, n);
  g_test_message ("mean shift from the previous frame: warm %.3f, cold %.3f", warm_shift,
                  cold_shift);
  g_assert_cmpfloat (warm_shift, <, 0.5 * cold_shift);
  /* And the warm frame still shows the blobs as well as the cold one does. */
  g_assert_cmpfloat (cs_knn_recall (z2, m, warm, n, 10), >,
                     0.8 * cs_knn_recall (z2, m, cold, n, 10));
}

/* Codes whose neighbourhoods all changed (the points dealt out to other blobs, as the first
 * epochs of a run reshuffle them): the frame is laid out again from the last one and shows the
 * new blobs as well as a cold layout does, where a plain warm frame stays near the old map. */
static void
test_relayout (void)
{
  const gsize n = 1200;
  const guint m = 10;
  g_autofree float *z1 = make_blobs (n, m, 5, 2.0, 11);
  g_autofree float *blobs = make_blobs (n, m, 5, 2.0, 12);
  g_autofree float *z2 = g_new (float, n *m);
  g_autofree guint32 *deal = g_new (guint32, n);
  g_autofree float *xy = g_new (float, 2 * n), *stuck = g_new (float, 2 * n);
  g_autofree float *cold = g_new (float, 2 * n);
  g_autoptr (CsTsne) live = cs_tsne_new (NULL), plain = NULL, fresh = cs_tsne_new (NULL);
  CsTsneOptions options;
  double cold_recall, relaid, warm_recall;
  CsRng rng;

  /* Each point takes the place of a random one of new blobs: every neighbourhood is new. */
  for (gsize i = 0; i < n; i++)
    deal[i] = (guint32) i;
  cs_rng_init (&rng, 13);
  cs_rng_shuffle_u32 (&rng, deal, n);
  for (gsize i = 0; i < n; i++)
    memcpy (z2 + i * m, blobs + (gsize) deal[i] * m, m * sizeof (float));
  cs_tsne_options_init (&options);
  options.relayout_below = 0.0;
  plain = cs_tsne_new (&options);

  g_assert_true (cs_tsne_update (live, z1, n, m, xy, NULL));
  g_assert_true (cs_tsne_update (plain, z1, n, m, stuck, NULL));
  g_assert_true (cs_tsne_update (live, z2, n, m, xy, NULL));
  g_assert_true (cs_tsne_update (plain, z2, n, m, stuck, NULL));
  g_assert_true (cs_tsne_update (fresh, z2, n, m, cold, NULL));
  cold_recall = cs_knn_recall (z2, m, cold, n, 10);
  relaid = cs_knn_recall (z2, m, xy, n, 10);
  warm_recall = cs_knn_recall (z2, m, stuck, n, 10);
  g_test_message ("10-NN recall of the new codes: cold %.3f, laid out again %.3f, warm %.3f",
                  cold_recall, relaid, warm_recall);
  g_assert_cmpfloat (relaid, >, 0.8 * cold_recall);
  g_assert_cmpfloat (warm_recall, <, 0.6 * relaid);
}

static void
test_deterministic (void)
{
  const gsize n = 600;
  const guint m = 6;
  g_autofree float *z = make_blobs (n, m, 3, 2.0, 21);
  g_autofree float *a = g_new (float, 2 * n);
  g_autofree float *b = g_new (float, 2 * n);
  g_autoptr (CsTsne) ta = NULL;
  g_autoptr (CsTsne) tb = NULL;
  CsTsneOptions options;

  /* One thread and three: the same bytes. */
  cs_tsne_options_init (&options);
  ta = cs_tsne_new (&options);
  options.n_threads = 3;
  tb = cs_tsne_new (&options);

  g_assert_true (cs_tsne_update (ta, z, n, m, a, NULL));
  g_assert_true (cs_tsne_update (tb, z, n, m, b, NULL));
  g_assert_cmpmem (a, 2 * n * sizeof (float), b, 2 * n * sizeof (float));
  g_assert_true (cs_tsne_update (ta, z, n, m, a, NULL));
  g_assert_true (cs_tsne_update (tb, z, n, m, b, NULL));
  g_assert_cmpmem (a, 2 * n * sizeof (float), b, 2 * n * sizeof (float));
}

/* Above max_points a sample is laid out and the rest follow their nearest sampled code: the
 * blobs stay islands. */
static void
test_sampled (void)
{
  const gsize n = 1600;
  const guint m = 8;
  g_autofree float *z = make_blobs (n, m, 4, 1.5, 31);
  g_autofree float *xy = g_new (float, 2 * n);
  g_autofree guint32 *idx = g_new (guint32, n);
  g_autofree float *dist = g_new (float, n);
  g_autoptr (CsTsne) tsne = NULL;
  CsTsneOptions options;
  gsize same = 0;

  cs_tsne_options_init (&options);
  options.max_points = 400;
  tsne = cs_tsne_new (&options);
  g_assert_true (cs_tsne_update (tsne, z, n, m, xy, NULL));
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (xy[i]));
  cs_knn (xy, n, 2, 1, idx, dist);
  for (gsize i = 0; i < n; i++)
    same += idx[i] % 4 == i % 4;
  g_assert_cmpfloat ((double) same / n, >, 0.98);
  /* A second frame continues the same sample's layout. */
  g_assert_true (cs_tsne_update (tsne, z, n, m, xy, NULL));
}

static void
test_cancel_and_degenerate (void)
{
  const gsize n = 300;
  const guint m = 4;
  g_autofree float *z = g_new0 (float, n *m); /* every point the same */
  g_autofree float *xy = g_new (float, 2 * n);
  g_autoptr (CsTsne) tsne = cs_tsne_new (NULL);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();

  /* Identical points: no NaN, no hang. */
  g_assert_true (cs_tsne_update (tsne, z, n, m, xy, NULL));
  for (gsize i = 0; i < 2 * n; i++)
    g_assert_true (isfinite (xy[i]));

  g_cancellable_cancel (cancel);
  cs_tsne_reset (tsne);
  g_assert_false (cs_tsne_update (tsne, z, n, m, xy, cancel));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tsne/knn-naive", test_knn_naive);
  g_test_add_func ("/tsne/gradient", test_gradient);
  g_test_add_func ("/tsne/blobs-recall", test_blobs_recall);
  g_test_add_func ("/tsne/warm-is-stable", test_warm_is_stable);
  g_test_add_func ("/tsne/relayout", test_relayout);
  g_test_add_func ("/tsne/deterministic", test_deterministic);
  g_test_add_func ("/tsne/sampled", test_sampled);
  g_test_add_func ("/tsne/cancel-and-degenerate", test_cancel_and_degenerate);
  return g_test_run ();
}
