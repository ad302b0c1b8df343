/* test-kchoice.c: the sweep over K on well-separated blobs, and its silhouette against a naive
 * one.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-error.h"
#include "cs-kchoice.h"
#include "cs-rng.h"

/* n points in d dimensions around 4 centres 10 apart, unit spread. */
static float *
blobs (gsize n, guint d, guint64 seed)
{
  float *x = g_new (float, n *d);
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < d; c++)
      x[i * d + c] = (float) ((c == i % 4 ? 10.0 : 0.0) + cs_rng_normal (&rng));
  return x;
}

static void
count_calls (guint k, double inertia, double silhouette, gpointer user_data)
{
  guint *calls = user_data;

  g_assert_true (isfinite (inertia));
  g_assert_true (isfinite (silhouette));
  (*calls)++;
}

static void
test_blobs (void)
{
  const gsize n = 3000;
  const guint d = 5;
  g_autofree float *x = blobs (n, d, 1);
  CsKChoiceOptions opt;
  double inertia[9], sil[9], inertia2[9], sil2[9];
  GError *error = NULL;
  guint calls = 0, best = 0;

  cs_kchoice_options_init (&opt);
  opt.k_min = 2;
  opt.k_max = 10;
  opt.sample = 1000;
  opt.seed = 7;
  g_assert_true (cs_kchoice_run (x, n, d, &opt, count_calls, &calls, inertia, sil, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 9);
  for (guint i = 0; i < 9; i++)
    {
      g_test_message ("K = %u: inertia %.1f, silhouette %.3f", i + 2, inertia[i], sil[i]);
      if (i > 0)
        g_assert_cmpfloat (inertia[i], <, inertia[i - 1]);
      if (sil[i] > sil[best])
        best = i;
    }
  g_assert_cmpuint (best + 2, ==, 4);
  g_assert_cmpfloat (sil[2], >, 0.7);

  /* The same bytes for the same seed. */
  g_assert_true (cs_kchoice_run (x, n, d, &opt, NULL, NULL, inertia2, sil2, NULL, &error));
  g_assert_cmpmem (inertia, sizeof inertia, inertia2, sizeof inertia2);
  g_assert_cmpmem (sil, sizeof sil, sil2, sizeof sil2);
}

/* The BLAS distances and the silhouette against a double-precision loop. */
static void
test_silhouette_naive (void)
{
  const gsize n = 150;
  const guint d = 3, k = 3;
  g_autofree float *x = blobs (n, d, 2);
  g_autofree float *dist = g_new (float, n *n);
  g_autofree guint32 *sample = g_new (guint32, n);
  g_autofree gint32 *labels = g_new (gint32, n);
  double total = 0;
  CsRng rng;

  cs_rng_init (&rng, 3);
  for (gsize i = 0; i < n; i++)
    {
      sample[i] = (guint32) i;
      /* Mostly the true blob (folded to 3 clusters), some at random. */
      labels[i]
          = cs_rng_uniform (&rng) < 0.2 ? (gint32) cs_rng_below (&rng, k) : (gint32) (i % 4 % k);
    }
  cs_kchoice_distances (dist, x, n, d);
  for (gsize i = 0; i < n; i++)
    {
      double sum[3] = { 0 }, cnt[3] = { 0 }, a, b = INFINITY;

      for (gsize j = 0; j < n; j++)
        {
          double s = 0;

          for (guint c = 0; c < d; c++)
            s += ((double) x[i * d + c] - x[j * d + c]) * ((double) x[i * d + c] - x[j * d + c]);
          g_assert_cmpfloat_with_epsilon (dist[i * n + j], sqrt (s), 1e-3);
          if (j != i)
            sum[labels[j]] += sqrt (s);
          cnt[labels[j]]++;
        }
      if (cnt[labels[i]] < 2)
        continue;
      a = sum[labels[i]] / (cnt[labels[i]] - 1);
      for (guint c = 0; c < k; c++)
        if (c != (guint) labels[i] && cnt[c] > 0)
          b = MIN (b, sum[c] / cnt[c]);
      total += (b - a) / MAX (a, b);
    }
  g_assert_cmpfloat_with_epsilon (cs_kchoice_silhouette (dist, sample, n, labels, k), total / n,
                                  1e-4);
}

static void
cancel_after_first (guint k, double inertia, double silhouette, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (void)
{
  const gsize n = 800;
  g_autofree float *x = blobs (n, 4, 4);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CsKChoiceOptions opt;
  double inertia[29], sil[29];
  GError *error = NULL;

  cs_kchoice_options_init (&opt);
  g_assert_false (cs_kchoice_run (x, n, 4, &opt, cancel_after_first, cancellable, inertia, sil,
                                  cancellable, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (isfinite (inertia[0]) && isfinite (sil[0]));
  g_assert_true (isnan (inertia[1]) && isnan (sil[28]));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kchoice/blobs", test_blobs);
  g_test_add_func ("/kchoice/silhouette-naive", test_silhouette_naive);
  g_test_add_func ("/kchoice/cancel", test_cancel);
  return g_test_run ();
}
