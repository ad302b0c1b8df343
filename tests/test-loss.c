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

/* The inputs of a loss evaluated in double by a test's own definition of it. */
typedef struct
{
  const float *z, *r, *p; /* p: DEC's target, or NULL */
  guint batch, m, k;
  double alpha;
  double (*loss) (
      const float *z, guint batch, guint m, const float *r, guint k, double alpha, const float *p);
} Loss;

/* Central differences of the loss over each of the n values of x (z or r, which the loss
 * reads), times scale, against the analytic gradient; returns how many disagree. */
static guint
count_mismatches (const Loss *l,
                  float *x,
                  guint n,
                  const float *analytic,
                  double scale,
                  double tolerance,
                  const char *name)
{
  const double eps = 1e-3;
  guint bad = 0;

  for (guint a = 0; a < n; a++)
    {
      float saved = x[a];
      double num;

      x[a] = saved + (float) eps;
      num = l->loss (l->z, l->batch, l->m, l->r, l->k, l->alpha, l->p);
      x[a] = saved - (float) eps;
      num = (num - l->loss (l->z, l->batch, l->m, l->r, l->k, l->alpha, l->p)) / (2 * eps) * scale;
      x[a] = saved;
      if (fabs (num - analytic[a]) > tolerance + 1e-2 * fabs (num))
        bad++, g_test_message ("%s[%u]: analytic %g numeric %g", name, a, analytic[a], num);
    }
  return bad;
}

static double
naive_dkm (
    const float *z, guint batch, guint m, const float *r, guint k, double alpha, const float *p)
{
  return naive_loss (z, batch, m, r, k, alpha);
}

static void
check (double alpha)
{
  const guint batch = 6, m = 4, k = 3;
  const double lambda = 1.5;
  float z[6 * 4], r[3 * 4], dz[6 * 4], dr[3 * 4], work[2 * 6 * 3];
  CsRng rng;
  double loss;
  guint bad = 0;

  cs_rng_init (&rng, (guint64) alpha);
  fill_normal (z, batch * m, 1.0, &rng);
  fill_normal (r, k * m, 1.0, &rng);

  loss = cs_cluster_loss (z, batch, m, r, k, alpha, lambda, dz, dr, work);
  g_assert_cmpfloat_with_epsilon (loss, naive_loss (z, batch, m, r, k, alpha), 1e-5);

  {
    Loss l = { z, r, NULL, batch, m, k, alpha, naive_dkm };

    bad += count_mismatches (&l, z, batch * m, dz, lambda, 1e-3, "dz");
    bad += count_mismatches (&l, r, k * m, dr, lambda, 1e-3, "dr");
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

/* KL (P || Q) in double from the definition, P fixed. */
static double
naive_dec_loss (const float *z, guint batch, guint m, const float *r, guint k, const float *p)
{
  double total = 0;

  for (guint i = 0; i < batch; i++)
    {
      double kern[16], sum = 0;

      for (guint j = 0; j < k; j++)
        {
          double d = 0;
          for (guint c = 0; c < m; c++)
            d += ((double) z[i * m + c] - r[j * m + c]) * ((double) z[i * m + c] - r[j * m + c]);
          kern[j] = 1.0 / (1.0 + d);
          sum += kern[j];
        }
      for (guint j = 0; j < k; j++)
        total += p[i * k + j] * log (p[i * k + j] / (kern[j] / sum));
    }
  return total / batch;
}

static double
naive_dec (
    const float *z, guint batch, guint m, const float *r, guint k, double alpha, const float *p)
{
  return naive_dec_loss (z, batch, m, r, k, p);
}

/* DEC's KL loss: its value against the definition and both gradients against central
 * differences, with the target made from the batch's own soft assignment as DEC makes it. */
static void
test_dec_gradient (void)
{
  const guint batch = 7, m = 3, k = 4;
  const double weight = 1.7;
  float z[7 * 3], r[4 * 3], q[7 * 4], p[7 * 4], dz[7 * 3], dr[4 * 3];
  CsRng rng;
  guint bad = 0;
  double loss;

  cs_rng_init (&rng, 11);
  fill_normal (z, batch * m, 1.0, &rng);
  fill_normal (r, k * m, 1.0, &rng);
  cs_dec_soft_assign (z, batch, m, r, k, q);
  for (guint i = 0; i < batch; i++)
    {
      double sum = 0;
      for (guint j = 0; j < k; j++)
        sum += q[i * k + j];
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }
  cs_dec_target (q, batch, k, p);
  /* The target is sharper than Q: each row's largest share grows. */
  for (guint i = 0; i < batch; i++)
    {
      float qmax = 0, pmax = 0;
      for (guint j = 0; j < k; j++)
        qmax = MAX (qmax, q[i * k + j]), pmax = MAX (pmax, p[i * k + j]);
      g_assert_cmpfloat (pmax, >=, qmax - 1e-6);
    }

  loss = cs_dec_loss (z, batch, m, r, k, p, weight, dz, dr, NULL);
  g_assert_cmpfloat_with_epsilon (loss, naive_dec_loss (z, batch, m, r, k, p), 1e-6);
  g_assert_cmpfloat (loss, >, 0.0);
  {
    Loss l = { z, r, p, batch, m, k, 0.0, naive_dec };

    bad += count_mismatches (&l, z, batch * m, dz, weight, 1e-4, "dz");
    bad += count_mismatches (&l, r, k * m, dr, weight, 1e-4, "dr");
  }
  g_assert_cmpuint (bad, ==, 0);
  /* With P = Q there is nothing to learn: zero loss, zero gradient. */
  g_assert_cmpfloat (fabs (cs_dec_loss (z, batch, m, r, k, q, weight, dz, dr, NULL)), <, 1e-6);
  for (guint a = 0; a < batch * m; a++)
    g_assert_cmpfloat (fabs (dz[a]), <, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loss/gradient/soft", test_soft);
  g_test_add_func ("/loss/gradient/medium", test_medium);
  g_test_add_func ("/loss/sharp-finite", test_sharp_is_finite);
  g_test_add_func ("/loss/confidence", test_confidence);
  g_test_add_func ("/loss/dec/gradient", test_dec_gradient);
  return g_test_run ();
}
