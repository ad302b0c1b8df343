/* test-kmeans.c: K-means against brute force, a naive Lloyd and its own contract.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-kmeans"

#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "cs-error.h"
#include "cs-kmeans.h"
#include "cs-metrics.h"
#include "cs-rng.h"

/* cs-kmeans.c seeds restart r of a run with seed s from s + r * RESTART_STRIDE. */
#define RESTART_STRIDE G_GUINT64_CONSTANT (0xD1B54A32D192ED03)

/* n_per points around each of k centres drawn in [-scale, scale]^d, spread sd. */
static float *
make_blobs (guint n_per, guint k, guint d, double scale, double sd, guint64 seed, gint32 **truth)
{
  g_autofree double *mu = g_new (double, (gsize) (k * d));
  float *x = g_new (float, (gsize) (n_per * k * d));
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (guint i = 0; i < k * d; i++)
    mu[i] = scale * (2.0 * cs_rng_uniform (&rng) - 1.0);
  if (truth != NULL)
    *truth = g_new (gint32, (gsize) n_per * k);
  for (gsize i = 0; i < (gsize) n_per * k; i++)
    {
      guint c = i % k;

      for (guint j = 0; j < d; j++)
        x[i * d + j] = (float) (mu[c * d + j] + sd * cs_rng_normal (&rng));
      if (truth != NULL)
        (*truth)[i] = (gint32) c;
    }
  return x;
}

static float *
make_uniform (gsize n, guint d, guint64 seed)
{
  float *x = g_new (float, (gsize) (n * d));
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (gsize i = 0; i < n * d; i++)
    x[i] = (float) cs_rng_uniform (&rng);
  return x;
}

static double
dist2 (const float *a, const float *b, guint d)
{
  double s = 0.0;

  for (guint j = 0; j < d; j++)
    {
      double t = (double) a[j] - b[j];
      s += t * t;
    }
  return s;
}

/* Every label names a nearest centre (up to float rounding) and the inertia is the sum
 * of the distances to the assigned centres. */
static void
check_consistent (
    const float *x, gsize n, guint d, const float *c, guint k, const gint32 *labels, double inertia)
{
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double own, best = INFINITY;

      g_assert_cmpint (labels[i], >=, 0);
      g_assert_cmpint (labels[i], <, (gint) k);
      own = dist2 (x + i * d, c + (gsize) labels[i] * d, d);
      for (guint q = 0; q < k; q++)
        best = MIN (best, dist2 (x + i * d, c + (gsize) q * d, d));
      g_assert_cmpfloat (own, <=, best + 1e-5 * (1.0 + best));
      sum += own;
    }
  g_assert_cmpfloat_with_epsilon (inertia, sum, 1e-9 * (1.0 + sum));
}

/* Centres are the means of their points (true after a strict convergence). */
static void
check_means (const float *x, gsize n, guint d, const float *c, guint k, const gint32 *labels)
{
  g_autofree double *sums = g_new0 (double, (gsize) (k * d));
  g_autofree gsize *counts = g_new0 (gsize, k);

  for (gsize i = 0; i < n; i++)
    {
      counts[labels[i]]++;
      for (guint j = 0; j < d; j++)
        sums[(gsize) labels[i] * d + j] += x[i * d + j];
    }
  for (guint q = 0; q < k; q++)
    {
      g_assert_cmpuint (counts[q], >, 0);
      for (guint j = 0; j < d; j++)
        g_assert_cmpfloat_with_epsilon (c[q * d + j], sums[q * d + j] / counts[q],
                                        1e-5 * (1.0 + fabs (c[q * d + j])));
    }
}

static void
test_options_init (void)
{
  CsKMeansOptions o;

  memset (&o, 0xff, sizeof o);
  cs_kmeans_options_init (&o, 7);
  g_assert_cmpuint (o.k, ==, 7);
  g_assert_cmpuint (o.n_init, ==, 10);
  g_assert_cmpuint (o.max_iter, ==, 300);
  g_assert_cmpfloat (o.tol, ==, 1e-4);
  g_assert_cmpuint (o.seed, ==, 0);
  g_assert_null (o.init_centers);
}

static void
run_blobs (guint d)
{
  const guint k = 4, n_per = 100;
  gsize n = (gsize) k * n_per;
  g_autofree gint32 *truth = NULL;
  g_autofree float *x = make_blobs (n_per, k, d, 10.0, 0.5, 11 + d, &truth);
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree gint *map = g_new (gint, k);
  g_autoptr (CsContingency) cont = NULL;
  g_autoptr (GError) error = NULL;
  CsKMeansOptions o;
  CsKMeansResult r;

  cs_kmeans_options_init (&o, k);
  o.seed = 5;
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, &error));
  g_assert_no_error (error);

  cont = cs_contingency_new (truth, k, labels, k, n);
  g_assert_cmpfloat_with_epsilon (cs_metric_ari (cont), 1.0, 1e-12);
  g_assert_cmpint (cs_contingency_match (cont, map), ==, (gint64) n);
  check_consistent (x, n, d, c, k, labels, r.inertia);
  check_means (x, n, d, c, k, labels);
  g_assert_cmpuint (r.n_iter, >=, 1);
  g_assert_cmpuint (r.n_iter, <, 20);
  g_assert_cmpuint (r.n_empty_reseeded, ==, 0);
  /* About d * sd^2 per point. */
  g_assert_cmpfloat (r.inertia / n, >, 0.5 * d * 0.25);
  g_assert_cmpfloat (r.inertia / n, <, 1.5 * d * 0.25);
}

static void
test_blobs (void)
{
  run_blobs (3);
}

static void
test_blobs_blas (void)
{
  /* d >= 32 takes the sgemm path for Lloyd and for the seeding. */
  run_blobs (40);
}

/* The optimum over every assignment of 9 points to 3 non-empty clusters (3^9). */
static double
brute_force_inertia (const float *x, guint n, guint d, guint k)
{
  double best = INFINITY;
  guint total = 1;
  gint32 lab[16];

  for (guint i = 0; i < n; i++)
    total *= k;
  for (guint code = 0; code < total; code++)
    {
      double sums[16 * 4] = { 0 }, sq = 0.0, inertia = 0.0;
      guint counts[16] = { 0 }, v = code;
      gboolean all = TRUE;

      for (guint i = 0; i < n; i++, v /= k)
        {
          lab[i] = (gint32) (v % k);
          counts[lab[i]]++;
          for (guint j = 0; j < d; j++)
            {
              sums[lab[i] * d + j] += x[i * d + j];
              sq += (double) x[i * d + j] * x[i * d + j];
            }
        }
      /* Within-cluster SS = sum ||x||^2 - sum_c ||S_c||^2 / n_c. */
      inertia = sq;
      for (guint q = 0; q < k; q++)
        {
          double s2 = 0.0;

          all = all && counts[q] > 0;
          for (guint j = 0; j < d; j++)
            s2 += sums[q * d + j] * sums[q * d + j];
          if (counts[q] > 0)
            inertia -= s2 / counts[q];
        }
      if (all)
        best = MIN (best, inertia);
    }
  return best;
}

static void
test_brute_force (void)
{
  /* Three loose groups whose best split is not obvious from any single point. */
  const float x[9 * 2] = {
    0.0f, 0.0f, 1.0f, 0.2f, 0.3f, 1.1f, 3.0f, 3.2f, 4.1f,
    2.9f, 3.3f, 4.0f, 7.0f, 0.5f, 8.1f, 0.0f, 7.4f, 1.3f,
  };
  float c[3 * 2];
  gint32 labels[9];
  CsKMeansOptions o;
  CsKMeansResult r;
  double best = brute_force_inertia (x, 9, 2, 3);

  cs_kmeans_options_init (&o, 3);
  o.seed = 1;
  g_assert_true (cs_kmeans (x, 9, 2, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpfloat_with_epsilon (r.inertia, best, 1e-6 * best);
  check_consistent (x, 9, 2, c, 3, labels, r.inertia);
  /* Groups of three: points 0-2, 3-5, 6-8. */
  for (guint g = 0; g < 3; g++)
    {
      g_assert_cmpint (labels[3 * g], ==, labels[3 * g + 1]);
      g_assert_cmpint (labels[3 * g], ==, labels[3 * g + 2]);
    }
}

static void
test_single_cluster (void)
{
  const guint d = 5;
  gsize n = 1001;
  g_autofree float *x = make_uniform (n, d, 4);
  float c[5];
  double mean[5] = { 0 }, ss = 0.0;
  CsKMeansOptions o;
  CsKMeansResult r;

  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      mean[j] += x[i * d + j] / (double) n;
  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < d; j++)
      ss += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]);

  cs_kmeans_options_init (&o, 1);
  g_assert_true (cs_kmeans (x, n, d, &o, c, NULL, &r, NULL, NULL));
  for (guint j = 0; j < d; j++)
    g_assert_cmpfloat_with_epsilon (c[j], mean[j], 1e-6);
  g_assert_cmpfloat_with_epsilon (r.inertia, ss, 1e-6 * ss);
}

static void
test_empty_reseed (void)
{
  const guint k = 4, d = 3, n_per = 50;
  gsize n = 3 * n_per;
  g_autofree float *x = make_blobs (n_per, 3, d, 5.0, 0.3, 21, NULL);
  float init[4 * 3];
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autofree gint32 *labels = g_new (gint32, n);
  guint counts[4] = { 0 };
  CsKMeansOptions o;
  CsKMeansResult r;

  /* Three centres on the blobs (the first point of each), one far from everything: it
   * gets no point on the first assignment. */
  memcpy (init, x, 3 * d * sizeof (float));
  init[9] = init[10] = init[11] = 1000.0f;

  cs_kmeans_options_init (&o, k);
  o.init_centers = init;
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpuint (r.n_empty_reseeded, >, 0);
  for (gsize i = 0; i < n; i++)
    counts[labels[i]]++;
  for (guint q = 0; q < k; q++)
    g_assert_cmpuint (counts[q], >, 0);
  /* The far centre came back among the data. */
  for (guint j = 0; j < d; j++)
    g_assert_cmpfloat (fabsf (c[3 * d + j]), <, 20.0f);
  check_consistent (x, n, d, c, k, labels, r.inertia);
}

static void
test_duplicates (void)
{
  /* Fewer distinct points than clusters: every seed and re-seed lands on the same spot. */
  float x[10 * 2];
  float c[3 * 2];
  gint32 labels[10];
  CsKMeansOptions o;
  CsKMeansResult r;

  for (guint i = 0; i < 20; i++)
    x[i] = i % 2 ? 2.0f : -1.0f;
  cs_kmeans_options_init (&o, 3);
  g_assert_true (cs_kmeans (x, 10, 2, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpfloat (r.inertia, ==, 0.0);
  for (guint q = 0; q < 3; q++)
    {
      g_assert_cmpfloat (c[q * 2], ==, -1.0f);
      g_assert_cmpfloat (c[q * 2 + 1], ==, 2.0f);
    }
}

static void
test_n_init_best (void)
{
  const guint k = 6, d = 4;
  gsize n = 600;
  g_autofree float *x = make_uniform (n, d, 8);
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autofree float *c_best = g_new (float, (gsize) (k * d));
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree gint32 *labels_best = g_new (gint32, n);
  const guint64 seed = 1234;
  double min_inertia = INFINITY, max_inertia = 0.0;
  CsKMeansOptions o;
  CsKMeansResult r;

  cs_kmeans_options_init (&o, k);
  o.n_init = 1;
  for (guint t = 0; t < 5; t++)
    {
      o.seed = seed + t * RESTART_STRIDE;
      g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
      check_consistent (x, n, d, c, k, labels, r.inertia);
      if (r.inertia < min_inertia)
        {
          min_inertia = r.inertia;
          memcpy (c_best, c, k * d * sizeof (float));
          memcpy (labels_best, labels, n * sizeof (gint32));
        }
      max_inertia = MAX (max_inertia, r.inertia);
    }
  /* The seeds reach different local optima, so the choice matters. */
  g_assert_cmpfloat (max_inertia, >, min_inertia * (1.0 + 1e-6));

  o.n_init = 5;
  o.seed = seed;
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpfloat (r.inertia, ==, min_inertia);
  g_assert_cmpmem (c, k * d * sizeof (float), c_best, k * d * sizeof (float));
  g_assert_cmpmem (labels, n * sizeof (gint32), labels_best, n * sizeof (gint32));

  /* More restarts never do worse. */
  o.n_init = 12;
  g_assert_true (cs_kmeans (x, n, d, &o, c, NULL, &r, NULL, NULL));
  g_assert_cmpfloat (r.inertia, <=, min_inertia);
}

static void
test_warm_start (void)
{
  const guint k = 5, d = 6;
  gsize n = 2000;
  g_autofree float *x = make_blobs (400, k, d, 3.0, 1.0, 31, NULL);
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autofree float *c2 = g_new (float, (gsize) (k * d));
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree gint32 *labels2 = g_new (gint32, n);
  CsKMeansOptions o;
  CsKMeansResult r, r2;

  cs_kmeans_options_init (&o, k);
  o.tol = 0.0; /* run to a fixed point */
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpuint (r.n_iter, >, 1);

  /* Back to the default tolerance: recomputed means may differ in the last bit. */
  o.tol = 1e-4;
  o.init_centers = c;
  g_assert_true (cs_kmeans (x, n, d, &o, c2, labels2, &r2, NULL, NULL));
  g_assert_cmpuint (r2.n_iter, ==, 1);
  g_assert_cmpuint (r2.n_empty_reseeded, ==, 0);
  g_assert_cmpmem (labels2, n * sizeof (gint32), labels, n * sizeof (gint32));
  for (guint i = 0; i < k * d; i++)
    g_assert_cmpfloat_with_epsilon (c2[i], c[i], 1e-6);
  g_assert_cmpfloat_with_epsilon (r2.inertia, r.inertia, 1e-9 * r.inertia);

  /* In place: the output array is the warm start itself. */
  memcpy (c2, c, k * d * sizeof (float));
  o.init_centers = c2;
  g_assert_true (cs_kmeans (x, n, d, &o, c2, labels2, &r2, NULL, NULL));
  g_assert_cmpuint (r2.n_iter, ==, 1);
  g_assert_cmpmem (labels2, n * sizeof (gint32), labels, n * sizeof (gint32));
}

static void
test_deterministic (void)
{
  const guint k = 8, d = 10;
  gsize n = 5000;
  g_autofree float *x = make_blobs (625, k, d, 2.0, 1.0, 41, NULL);
  g_autofree float *c1 = g_new (float, (gsize) (k * d));
  g_autofree float *c2 = g_new (float, (gsize) (k * d));
  g_autofree gint32 *l1 = g_new (gint32, n);
  g_autofree gint32 *l2 = g_new (gint32, n);
  CsKMeansOptions o;
  CsKMeansResult r1, r2;

  cs_kmeans_options_init (&o, k);
  o.seed = 99;
  g_assert_true (cs_kmeans (x, n, d, &o, c1, l1, &r1, NULL, NULL));
  g_assert_true (cs_kmeans (x, n, d, &o, c2, l2, &r2, NULL, NULL));
  g_assert_cmpmem (c1, k * d * sizeof (float), c2, k * d * sizeof (float));
  g_assert_cmpmem (l1, n * sizeof (gint32), l2, n * sizeof (gint32));
  g_assert_cmpfloat (r1.inertia, ==, r2.inertia);
  g_assert_cmpuint (r1.n_iter, ==, r2.n_iter);
  check_consistent (x, n, d, c1, k, l1, r1.inertia);

  /* A different seed starts elsewhere. */
  o.seed = 100;
  o.n_init = 1;
  g_assert_true (cs_kmeans (x, n, d, &o, c2, l2, &r2, NULL, NULL));
  g_assert_true (memcmp (c1, c2, k * d * sizeof (float)) != 0);
}

/* The restarts run on threads; which thread runs which changes nothing: one, two, three and
 * eleven threads give the same bytes, and the same as n_init separate single runs picked by
 * the lowest inertia. Overlapping blobs, so that the restarts end in different places. */
static void
test_threads (void)
{
  const guint k = 9, d = 6, n_init = 7;
  gsize n = 9 * 400;
  g_autofree float *x = make_blobs (400, k, d, 0.6, 1.0, 57, NULL);
  g_autofree float *c0 = g_new (float, (gsize) k *d);
  g_autofree float *c = g_new (float, (gsize) k *d);
  g_autofree gint32 *l0 = g_new (gint32, n);
  g_autofree gint32 *l = g_new (gint32, n);
  const guint counts[] = { 2, 3, 11 };
  CsKMeansOptions o;
  CsKMeansResult r0, r;
  double best = G_MAXDOUBLE;
  gboolean differ = FALSE;

  cs_kmeans_options_init (&o, k);
  o.seed = 5;
  o.n_init = n_init;
  o.n_threads = 1;
  g_assert_true (cs_kmeans (x, n, d, &o, c0, l0, &r0, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      o.n_threads = counts[i];
      g_assert_true (cs_kmeans (x, n, d, &o, c, l, &r, NULL, NULL));
      g_assert_cmpmem (c, k * d * sizeof (float), c0, k * d * sizeof (float));
      g_assert_cmpmem (l, n * sizeof (gint32), l0, n * sizeof (gint32));
      g_assert_cmpfloat (r.inertia, ==, r0.inertia);
    }
  /* Restart r is seeded seed + r * stride: the same as a single run with that seed. */
  for (guint run = 0; run < n_init; run++)
    {
      CsKMeansOptions one = o;

      one.n_init = 1;
      one.n_threads = 1;
      one.seed = o.seed + run * G_GUINT64_CONSTANT (0xD1B54A32D192ED03);
      g_assert_true (cs_kmeans (x, n, d, &one, c, NULL, &r, NULL, NULL));
      differ |= r.inertia != r0.inertia;
      best = MIN (best, r.inertia);
    }
  g_assert_true (differ);
  g_assert_cmpfloat (best, ==, r0.inertia);
}

/* A plain Lloyd in double, scikit-learn's loop: the reference for the pruned one. */
static guint
naive_lloyd (const float *x, gsize n, guint d, double *c, guint k, gint32 *labels, double tol)
{
  g_autofree double *sums = g_new (double, (gsize) (k * d));
  g_autofree gsize *counts = g_new (gsize, k);
  g_autofree gint32 *old = g_new (gint32, n);
  double mean_var = 0.0;
  gboolean strict = FALSE;
  guint it;

  for (guint j = 0; j < d; j++)
    {
      double m = 0.0, v = 0.0;

      for (gsize i = 0; i < n; i++)
        m += x[i * d + j];
      m /= n;
      for (gsize i = 0; i < n; i++)
        v += (x[i * d + j] - m) * (x[i * d + j] - m);
      mean_var += v / n / d;
    }
  for (gsize i = 0; i < n; i++)
    old[i] = -1;

  for (it = 0; it < 300; it++)
    {
      double shift = 0.0;

      memset (sums, 0, k * d * sizeof (double));
      memset (counts, 0, k * sizeof (gsize));
      for (gsize i = 0; i < n; i++)
        {
          double best = INFINITY;

          for (guint q = 0; q < k; q++)
            {
              double s = 0.0;

              for (guint j = 0; j < d; j++)
                s += (x[i * d + j] - c[q * d + j]) * (x[i * d + j] - c[q * d + j]);
              if (s < best)
                {
                  best = s;
                  labels[i] = (gint32) q;
                }
            }
          counts[labels[i]]++;
          for (guint j = 0; j < d; j++)
            sums[labels[i] * d + j] += x[i * d + j];
        }
      for (guint q = 0; q < k; q++)
        for (guint j = 0; j < d; j++)
          {
            double v = sums[q * d + j] / counts[q];

            shift += (v - c[q * d + j]) * (v - c[q * d + j]);
            c[q * d + j] = v;
          }
      if (memcmp (labels, old, n * sizeof (gint32)) == 0)
        {
          strict = TRUE;
          break;
        }
      if (shift <= tol * mean_var)
        break;
      memcpy (old, labels, n * sizeof (gint32));
    }
  /* As scikit-learn: unless the partition was stable, labels follow the last centres. */
  if (!strict)
    for (gsize i = 0; i < n; i++)
      {
        double best = INFINITY;

        for (guint q = 0; q < k; q++)
          {
            double s = 0.0;

            for (guint j = 0; j < d; j++)
              s += (x[i * d + j] - c[q * d + j]) * (x[i * d + j] - c[q * d + j]);
            if (s < best)
              {
                best = s;
                labels[i] = (gint32) q;
              }
          }
      }
  return MIN (it + 1, 300);
}

static void
run_against_naive (guint d, guint k, guint d_spread)
{
  gsize n = (4000 / k) * k;
  g_autofree float *x = make_blobs (n / k, k, d, 1.0, 1.0, 51 + d, NULL);
  g_autofree float *init = g_new (float, (gsize) (k * d));
  g_autofree double *cd = g_new (double, (gsize) (k * d));
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree gint32 *ref = g_new (gint32, n);
  gsize differ = 0;
  guint ref_iter;
  CsKMeansOptions o;
  CsKMeansResult r;

  /* Heavily overlapping clusters: many iterations, many points near a boundary. With
   * d_spread < d the data lie near a d_spread-dimensional subspace, which keeps the
   * iterations many in high d (late ones then re-check only a few scattered points). */
  for (gsize i = 0; i < n * d; i++)
    if (i % d >= d_spread)
      x[i] *= 0.01f;
  for (guint i = 0; i < k * d; i++)
    cd[i] = init[i] = x[(i / d) * 13 * d + i % d];

  cs_kmeans_options_init (&o, k);
  o.init_centers = init;
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
  ref_iter = naive_lloyd (x, n, d, cd, k, ref, o.tol);

  for (gsize i = 0; i < n; i++)
    differ += labels[i] != ref[i];
  g_test_message ("d %u: %u iterations (naive %u), %" G_GSIZE_FORMAT " labels differ", d, r.n_iter,
                  ref_iter, differ);
  g_assert_cmpuint (r.n_iter, >, 5);
  g_assert_cmpuint (differ, <=, n / 2000);
  g_assert_cmpuint (r.n_iter, <=, ref_iter + 2);
  g_assert_cmpuint (r.n_iter + 2, >=, ref_iter);
  for (guint i = 0; i < k * d; i++)
    g_assert_cmpfloat_with_epsilon (c[i], cd[i], 1e-3);
  check_consistent (x, n, d, c, k, labels, r.inertia);
}

static void
test_naive_direct (void)
{
  run_against_naive (5, 7, 5);
  run_against_naive (3, 12, 3);
  run_against_naive (10, 10, 10);
}

static void
test_naive_blas (void)
{
  run_against_naive (36, 7, 36);
  run_against_naive (32, 12, 3);
}

/* cs_kmeans_assign against a double loop, on both distance paths. */
static void
run_assign (guint d)
{
  const guint k = 7;
  gsize n = 1003;
  g_autofree float *x = make_blobs (1, n, d, 4.0, 0.0, 61 + d, NULL);
  g_autofree float *c = make_uniform (k, d, 62 + d);
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree float *min_dist = g_new (float, n);
  double inertia, sum = 0.0;

  for (guint i = 0; i < k * d; i++)
    c[i] = 8.0f * c[i] - 4.0f;
  inertia = cs_kmeans_assign (x, n, d, c, k, labels, min_dist);

  for (gsize i = 0; i < n; i++)
    {
      double best = INFINITY, second = INFINITY;
      gint32 best_q = -1;

      for (guint q = 0; q < k; q++)
        {
          double v = dist2 (x + i * d, c + (gsize) q * d, d);

          if (v < best)
            {
              second = best;
              best = v;
              best_q = (gint32) q;
            }
          else if (v < second)
            second = v;
        }
      /* Labels agree except on near-ties, which float arithmetic may decide either way. */
      if (second > best * (1.0 + 1e-4))
        g_assert_cmpint (labels[i], ==, best_q);
      g_assert_cmpfloat_with_epsilon (min_dist[i], best, 1e-4 * best + 1e-6);
      sum += best;
    }
  g_assert_cmpfloat_with_epsilon (inertia, sum, 1e-4 * sum);

  /* min_dist is optional. */
  g_assert_cmpfloat (cs_kmeans_assign (x, n, d, c, k, labels, NULL), ==, inertia);
}

static void
test_assign_direct (void)
{
  run_assign (3);
  run_assign (31);
}

static void
test_assign_blas (void)
{
  run_assign (32);
  run_assign (70);
}

static void
test_max_iter (void)
{
  const guint k = 5, d = 4;
  gsize n = 1500;
  g_autofree float *x = make_uniform (n, d, 71);
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autofree gint32 *labels = g_new (gint32, n);
  CsKMeansOptions o;
  CsKMeansResult r;

  cs_kmeans_options_init (&o, k);
  o.max_iter = 1;
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpuint (r.n_iter, ==, 1);
  /* Labels follow the returned centres even when stopped early. */
  check_consistent (x, n, d, c, k, labels, r.inertia);

  o.max_iter = 300;
  o.tol = 1e6; /* any shift is small enough */
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpuint (r.n_iter, ==, 1);
  check_consistent (x, n, d, c, k, labels, r.inertia);
}

static void
test_too_few_points (void)
{
  const float x[3 * 2] = { 0, 0, 1, 1, 2, 2 };
  float c[5 * 2];
  g_autoptr (GError) error = NULL;
  CsKMeansOptions o;
  CsKMeansResult r;

  cs_kmeans_options_init (&o, 5);
  g_assert_false (cs_kmeans (x, 3, 2, &o, c, NULL, &r, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  cs_kmeans_options_init (&o, 0);
  g_assert_false (cs_kmeans (x, 3, 2, &o, c, NULL, &r, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  /* n == k is fine: every point its own centre. */
  cs_kmeans_options_init (&o, 3);
  g_assert_true (cs_kmeans (x, 3, 2, &o, c, NULL, &r, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (r.inertia, ==, 0.0);
}

/* Data scaled by 2^e clusters exactly as the original: same labels, centres and inertia
 * scaled back, whether e takes the values near the float range (squares overflow) or into
 * the subnormals (squares underflow). */
static void
check_scaled (guint d, int e)
{
  const guint n_per = 40, k = 4;
  gsize n = (gsize) n_per * k;
  g_autofree float *x = make_blobs (n_per, k, d, 5.0, 0.3, 11, NULL);
  g_autofree float *xs = g_new (float, n *d);
  g_autofree float *c = g_new (float, (gsize) k *d);
  g_autofree float *cs = g_new (float, (gsize) k *d);
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree gint32 *labels_s = g_new (gint32, n);
  g_autofree gint32 *assigned = g_new (gint32, n);
  g_autofree float *min_dist = g_new (float, n);
  g_autofree float *min_dist_ref = g_new (float, n);
  g_autoptr (GError) error = NULL;
  CsKMeansOptions o;
  CsKMeansResult r, rs;
  double inertia;

  for (gsize i = 0; i < n * d; i++)
    xs[i] = ldexpf (x[i], e);
  cs_kmeans_options_init (&o, k);
  o.seed = 3;
  g_assert_true (cs_kmeans (x, n, d, &o, c, labels, &r, NULL, &error));
  g_assert_true (cs_kmeans (xs, n, d, &o, cs, labels_s, &rs, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (labels, n * sizeof (gint32), labels_s, n * sizeof (gint32));
  for (gsize i = 0; i < (gsize) k * d; i++)
    g_assert_cmpfloat (cs[i], ==, ldexpf (c[i], e));
  g_assert_cmpfloat_with_epsilon (rs.inertia / ldexp (r.inertia, 2 * e), 1.0, 1e-9);

  /* The same labels from cs_kmeans_assign, whose distances are scaled back too. */
  inertia = cs_kmeans_assign (xs, n, d, cs, k, assigned, min_dist);
  g_assert_cmpmem (labels, n * sizeof (gint32), assigned, n * sizeof (gint32));
  g_assert_cmpfloat_with_epsilon (inertia / rs.inertia, 1.0, 1e-9);
  /* Past the float range a distance is infinite, below it zero: what float can say. */
  cs_kmeans_assign (x, n, d, c, k, assigned, min_dist_ref);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (min_dist[i], ==, ldexpf (min_dist_ref[i], 2 * e));
}

static void
test_extreme_huge (void)
{
  /* Values near 1e35: their squares (1e70) are far past FLT_MAX. */
  check_scaled (3, 114);
  check_scaled (40, 114);
}

static void
test_extreme_tiny (void)
{
  /* Values near 1e-30: their squares (1e-60) are below the smallest subnormal. */
  check_scaled (3, -100);
  check_scaled (40, -100);
}

/* The file: 1e38, 1e38, -1e38 on every row, which aborted in reseed_empty. */
static void
test_extreme_float_range (void)
{
  float x[50 * 3];
  float c[3 * 3];
  gint32 labels[50];
  CsKMeansOptions o;
  CsKMeansResult r;

  for (guint i = 0; i < 50; i++)
    {
      x[i * 3] = 1e38f;
      x[i * 3 + 1] = 1e38f;
      x[i * 3 + 2] = i % 7 == 0 ? FLT_MAX : -1e38f;
    }
  for (guint k = 1; k <= 3; k++)
    {
      cs_kmeans_options_init (&o, k);
      g_assert_true (cs_kmeans (x, 50, 3, &o, c, labels, &r, NULL, NULL));
      g_assert_true (isfinite (r.inertia));
      for (guint j = 0; j < k * 3; j++)
        g_assert_true (isfinite (c[j]));
    }
  /* Two distinct rows: K = 2 separates them exactly. */
  g_assert_cmpfloat (r.inertia, ==, 0.0);
}

static void
test_extreme_subnormal (void)
{
  /* Two groups of subnormal points (1e-42 and 4e-42, 1.4e-45 apart at most). */
  float x[40 * 2];
  float c[2 * 2];
  gint32 labels[40];
  CsKMeansOptions o;
  CsKMeansResult r;

  for (guint i = 0; i < 40; i++)
    for (guint j = 0; j < 2; j++)
      x[i * 2 + j] = (i % 2 ? 4e-42f : 1e-42f) + (float) (i % 3) * 1.4e-45f;
  cs_kmeans_options_init (&o, 2);
  g_assert_true (cs_kmeans (x, 40, 2, &o, c, labels, &r, NULL, NULL));
  for (guint i = 2; i < 40; i++)
    g_assert_cmpint (labels[i], ==, labels[i % 2]);
  g_assert_cmpint (labels[0], !=, labels[1]);
}

static void
test_extreme_constant (void)
{
  /* Every row the same, more clusters than distinct points: no assertion, inertia 0. */
  float x[30 * 4];
  float c[5 * 4];
  gint32 labels[30];
  CsKMeansOptions o;
  CsKMeansResult r;

  for (guint i = 0; i < 30 * 4; i++)
    x[i] = i % 4 == 1 ? 0.0f : 3.5f;
  cs_kmeans_options_init (&o, 5);
  g_assert_true (cs_kmeans (x, 30, 4, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpfloat (r.inertia, ==, 0.0);
  for (guint i = 0; i < 5 * 4; i++)
    g_assert_cmpfloat (c[i], ==, i % 4 == 1 ? 0.0f : 3.5f);

  /* K equal to the number of distinct points: each gets its own cluster. */
  for (guint i = 0; i < 30; i++)
    x[i * 4] = (float) (i % 5);
  g_assert_true (cs_kmeans (x, 30, 4, &o, c, labels, &r, NULL, NULL));
  g_assert_cmpfloat (r.inertia, ==, 0.0);
  for (guint i = 5; i < 30; i++)
    g_assert_cmpint (labels[i], ==, labels[i % 5]);
}

/* NaN and infinity are refused with an error, never an assertion. */
static void
test_extreme_non_finite (void)
{
  float x[20 * 2];
  float c[2 * 2];
  float init[2 * 2] = { 0, 0, 1, 1 };
  g_autoptr (GError) error = NULL;
  CsKMeansOptions o;

  for (guint i = 0; i < 40; i++)
    x[i] = (float) i;
  cs_kmeans_options_init (&o, 2);
  x[13] = NAN;
  g_assert_false (cs_kmeans (x, 20, 2, &o, c, NULL, NULL, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "point 6 has a NaN or infinite"));
  g_clear_error (&error);

  x[13] = -INFINITY;
  g_assert_false (cs_kmeans (x, 20, 2, &o, c, NULL, NULL, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  x[13] = 13.0f;
  init[3] = NAN;
  o.init_centers = init;
  g_assert_false (cs_kmeans (x, 20, 2, &o, c, NULL, NULL, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "initial centre 1"));
}

static void
test_cancel (void)
{
  const guint k = 4, d = 3;
  gsize n = 400;
  g_autofree float *x = make_blobs (100, k, d, 10.0, 0.5, 81, NULL);
  g_autofree float *c = g_new (float, (gsize) (k * d));
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  CsKMeansOptions o;
  CsKMeansResult r;

  cs_kmeans_options_init (&o, k);
  g_cancellable_cancel (cancellable);
  g_assert_false (cs_kmeans (x, n, d, &o, c, NULL, &r, cancellable, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Warm start takes the same way out. */
  memcpy (c, x, k * d * sizeof (float));
  o.init_centers = c;
  g_assert_false (cs_kmeans (x, n, d, &o, c, NULL, &r, cancellable, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
}

typedef struct
{
  GCancellable *cancellable;
  GMutex lock;
  GCond cond;
  gboolean started;
} CancelData;

static gpointer
cancel_soon (gpointer user_data)
{
  CancelData *data = user_data;

  g_mutex_lock (&data->lock);
  while (!data->started)
    g_cond_wait (&data->cond, &data->lock);
  g_mutex_unlock (&data->lock);
  g_usleep (20 * 1000);
  g_cancellable_cancel (data->cancellable);
  return NULL;
}

/* Runs @o on uniform data (warm-started from its first points when @warm) while
 * another thread cancels 20 ms in: the run must stop, with the cancelled error, long
 * before it would have finished. */
static void
run_cancelled (CsKMeansOptions *o, gsize n, guint d, gboolean warm)
{
  g_autofree float *x = make_uniform (n, d, 91);
  g_autofree float *c = g_new (float, (gsize) (o->k * d));
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  CancelData data = { .cancellable = cancellable };
  GThread *thread;
  CsKMeansResult r;
  gint64 start;

  if (warm)
    o->init_centers = x;
  g_mutex_init (&data.lock);
  g_cond_init (&data.cond);
  thread = g_thread_new ("cancel", cancel_soon, &data);

  g_mutex_lock (&data.lock);
  data.started = TRUE;
  g_cond_signal (&data.cond);
  g_mutex_unlock (&data.lock);
  start = g_get_monotonic_time ();
  g_assert_false (cs_kmeans (x, n, d, o, c, NULL, &r, cancellable, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
  /* Noticed within a few iterations, not at the end of the run. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  g_thread_join (thread);
  g_mutex_clear (&data.lock);
  g_cond_clear (&data.cond);
}

static void
test_cancel_running (void)
{
  CsKMeansOptions o;

  /* Seeding: 1000 restarts of k-means++ with 50 centres. */
  cs_kmeans_options_init (&o, 50);
  o.n_init = 1000;
  o.tol = 0.0;
  run_cancelled (&o, 100000, 8, FALSE);

  /* Lloyd: one warm-started run on 200 000 uniform points, which takes hundreds of
   * iterations to settle. */
  cs_kmeans_options_init (&o, 50);
  o.tol = 0.0;
  o.max_iter = 1000000;
  run_cancelled (&o, 200000, 8, TRUE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kmeans/options-init", test_options_init);
  g_test_add_func ("/kmeans/blobs", test_blobs);
  g_test_add_func ("/kmeans/blobs-blas", test_blobs_blas);
  g_test_add_func ("/kmeans/brute-force", test_brute_force);
  g_test_add_func ("/kmeans/single-cluster", test_single_cluster);
  g_test_add_func ("/kmeans/empty-reseed", test_empty_reseed);
  g_test_add_func ("/kmeans/duplicates", test_duplicates);
  g_test_add_func ("/kmeans/n-init-best", test_n_init_best);
  g_test_add_func ("/kmeans/warm-start", test_warm_start);
  g_test_add_func ("/kmeans/deterministic", test_deterministic);
  g_test_add_func ("/kmeans/threads", test_threads);
  g_test_add_func ("/kmeans/naive-lloyd-direct", test_naive_direct);
  g_test_add_func ("/kmeans/naive-lloyd-blas", test_naive_blas);
  g_test_add_func ("/kmeans/assign-direct", test_assign_direct);
  g_test_add_func ("/kmeans/assign-blas", test_assign_blas);
  g_test_add_func ("/kmeans/max-iter", test_max_iter);
  g_test_add_func ("/kmeans/too-few-points", test_too_few_points);
  g_test_add_func ("/kmeans/extreme/huge", test_extreme_huge);
  g_test_add_func ("/kmeans/extreme/tiny", test_extreme_tiny);
  g_test_add_func ("/kmeans/extreme/float-range", test_extreme_float_range);
  g_test_add_func ("/kmeans/extreme/subnormal", test_extreme_subnormal);
  g_test_add_func ("/kmeans/extreme/constant", test_extreme_constant);
  g_test_add_func ("/kmeans/extreme/non-finite", test_extreme_non_finite);
  g_test_add_func ("/kmeans/cancel", test_cancel);
  g_test_add_func ("/kmeans/cancel-running", test_cancel_running);

  return g_test_run ();
}
