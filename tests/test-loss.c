/* test-loss.c: the clustering loss and its gradients (through the softmax, and to centroids).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-loss.h"
#include "cs-rng.h"

static void
fill_normal (float *a, gsize n, double scale, CsRng *rng)
{
  for (gsize i = 0; i < n; i++)
    a[i] = (float) (scale * cs_rng_normal (rng));
}

/* Naive double loss for the same inputs. */
static double
naive_loss (const float *z, guint batch, guint m, const float *r, guint k, double alpha)
{
  double total = 0;

  for (guint i = 0; i < batch; i++)
    {
      double d[16], dmin = INFINITY, sum = 0, f = 0;
      for (guint j = 0; j < k; j++)
        {
          d[j] = 0;
          for (guint c = 0; c < m; c++)
            d[j] += ((double) z[i * m + c] - r[j * m + c]) * ((double) z[i * m + c] - r[j * m + c]);
          dmin = MIN (dmin, d[j]);
        }
      for (guint j = 0; j < k; j++)
        sum += exp (-alpha * (d[j] - dmin));
      for (guint j = 0; j < k; j++)
        f += exp (-alpha * (d[j] - dmin)) / sum * d[j];
      total += f;
    }
  return total / batch;
}

static void
check (double alpha)
{
  const guint batch = 6, m = 4, k = 3;
  const double lambda = 1.5, eps = 1e-3;
  float z[6 * 4], r[3 * 4], dz[6 * 4], dr[3 * 4], work[2 * 6 * 3];
  CsRng rng;
  double loss;
  guint bad = 0;

  cs_rng_init (&rng, (guint64) alpha);
  fill_normal (z, batch * m, 1.0, &rng);
  fill_normal (r, k * m, 1.0, &rng);

  loss = cs_cluster_loss (z, batch, m, r, k, alpha, lambda, dz, dr, work);
  g_assert_cmpfloat_with_epsilon (loss, naive_loss (z, batch, m, r, k, alpha), 1e-5);

  for (guint p = 0; p < batch * m; p++)
    {
      float saved = z[p];
      double num;
      z[p] = saved + (float) eps;
      num = naive_loss (z, batch, m, r, k, alpha);
      z[p] = saved - (float) eps;
      num = (num - naive_loss (z, batch, m, r, k, alpha)) / (2 * eps) * lambda;
      z[p] = saved;
      if (fabs (num - dz[p]) > 1e-3 + 1e-2 * fabs (num))
        bad++, g_test_message ("dz[%u]: analytic %g numeric %g", p, dz[p], num);
    }
  for (guint p = 0; p < k * m; p++)
    {
      float saved = r[p];
      double num;
      r[p] = saved + (float) eps;
      num = naive_loss (z, batch, m, r, k, alpha);
      r[p] = saved - (float) eps;
      num = (num - naive_loss (z, batch, m, r, k, alpha)) / (2 * eps) * lambda;
      r[p] = saved;
      if (fabs (num - dr[p]) > 1e-3 + 1e-2 * fabs (num))
        bad++, g_test_message ("dr[%u]: analytic %g numeric %g", p, dr[p], num);
    }
  g_assert_cmpuint (bad, ==, 0);
}

/* A soft softmax: the gradient through G matters. */
static void
test_soft (void)
{
  check (0.7);
}

static void
test_medium (void)
{
  check (5.0);
}

/* DKM's default alpha: nearly hard assignments, large exponents kept finite by the shift. */
static void
test_sharp_is_finite (void)
{
  float z[2] = { 100.0f, -50.0f }, r[4] = { 0.0f, 0.0f, 100.5f, -50.0f };
  float dz[2], dr[4], work[4], conf;
  float dist[2];
  gint32 nearest;
  double loss = cs_cluster_loss (z, 1, 2, r, 2, 1000.0, 1.0, dz, dr, work);

  g_assert_true (isfinite (loss));
  g_assert_cmpfloat_with_epsilon (loss, 0.25, 1e-4);
  for (guint i = 0; i < 2; i++)
    g_assert_true (isfinite (dz[i]));
  cs_cluster_soft_assign (z, 1, 2, r, 2, 1000.0, dist, NULL, &nearest, &conf);
  g_assert_cmpint (nearest, ==, 1);
  /* 0.5 from its centroid, sqrt (100^2 + 50^2) from the other. */
  g_assert_cmpfloat_with_epsilon (conf, 1.0 - 0.5 / sqrt (12500.0), 1e-6);
}

/* The confidence is the margin to the runner-up centroid: 0 for a point equidistant from two
 * centroids, 1/2 for one twice as close to its own, whatever alpha (the soft assignment G is
 * 1.00 for both of the latter at alpha = 1000) and whatever the scale. */
static void
test_confidence (void)
{
  float z[2] = { 0, 0 }, r[4] = { 1, 0, -1, 0 }, dist[3], g[3], conf[2];
  float z2[4] = { 1, 0, 200, 0 }, r2[6] = { 0, 0, 3, 0, 300, 0 };
  gint32 nearest[2];

  cs_cluster_soft_assign (z, 1, 2, r, 2, 10.0, dist, g, nearest, conf);
  g_assert_cmpfloat_with_epsilon (conf[0], 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (g[0] + g[1], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (dist[0], 1.0, 1e-6);

  /* 1 from its centroid, 2 from the next; then 100 from its centroid, 197 from the next. */
  for (guint a = 0; a < 2; a++)
    {
      double alpha = a ? 1000.0 : 0.01;
      float d6[6];

      cs_cluster_soft_assign (z2, 2, 2, r2, 3, alpha, d6, NULL, nearest, conf);
      g_assert_cmpint (nearest[0], ==, 0);
      g_assert_cmpfloat_with_epsilon (conf[0], 0.5, 1e-6);
      g_assert_cmpint (nearest[1], ==, 2);
      g_assert_cmpfloat_with_epsilon (conf[1], 1.0 - 100.0 / 197.0, 1e-6);
    }
  /* One cluster: nothing to be confused with. */
  cs_cluster_soft_assign (z, 1, 2, r, 1, 10.0, dist, NULL, nearest, conf);
  g_assert_cmpfloat (conf[0], ==, 1.0f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loss/gradient/soft", test_soft);
  g_test_add_func ("/loss/gradient/medium", test_medium);
  g_test_add_func ("/loss/sharp-finite", test_sharp_is_finite);
  g_test_add_func ("/loss/confidence", test_confidence);
  return g_test_run ();
}
