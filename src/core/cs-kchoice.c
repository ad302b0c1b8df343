/* cs-kchoice.c: a sweep of K-means over K with inertia and a sampled silhouette.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <cblas.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-error.h"
#include "cs-kchoice.h"
#include "cs-kmeans.h"
#include "cs-rng.h"

void
cs_kchoice_options_init (CsKChoiceOptions *options)
{
  g_return_if_fail (options != NULL);

  options->k_min = 2;
  options->k_max = 30;
  options->n_init = 3;
  options->sample = 2000;
  options->seed = 0;
}

void
cs_kchoice_distances (float *dist, const float *y, gsize n, guint d)
{
  g_autofree float *norm = g_new (float, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    {
      double s = 0;

      for (guint c = 0; c < d; c++)
        s += (double) y[i * d + c] * y[i * d + c];
      norm[i] = (float) s;
    }
  /* dist = -2 Y Y^T, then |a|^2 + |b|^2 added; rounding can leave a tiny negative. */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n, (int) n, (int) d, -2.0f, y,
               (int) d, y, (int) d, 0.0f, dist, (int) n);
  for (gsize i = 0; i < n; i++)
    {
      for (gsize j = 0; j < n; j++)
        dist[i * n + j] = sqrtf (MAX (dist[i * n + j] + norm[i] + norm[j], 0.0f));
      dist[i * n + i] = 0.0f;
    }
}

double
cs_kchoice_silhouette (
    const float *dist, const guint32 *sample, gsize n_sample, const gint32 *labels, guint k)
{
  g_autofree double *sum = g_new (double, k);
  g_autofree gsize *count = g_new0 (gsize, k);
  guint present = 0;
  double total = 0;

  for (gsize i = 0; i < n_sample; i++)
    count[labels[sample[i]]]++;
  for (guint c = 0; c < k; c++)
    present += count[c] > 0;
  if (present < 2)
    return NAN;

  for (gsize i = 0; i < n_sample; i++)
    {
      guint own = (guint) labels[sample[i]];
      const float *row = dist + i * n_sample;
      double a, b = INFINITY;

      if (count[own] < 2)
        continue; /* a point alone in its cluster: 0 */
      memset (sum, 0, k * sizeof (double));
      for (gsize j = 0; j < n_sample; j++)
        sum[labels[sample[j]]] += row[j];
      a = sum[own] / (count[own] - 1);
      for (guint c = 0; c < k; c++)
        if (c != own && count[c] > 0)
          b = MIN (b, sum[c] / count[c]);
      if (MAX (a, b) > 0)
        total += (b - a) / MAX (a, b);
    }
  return total / n_sample;
}

static int
compare_u32 (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

gboolean
cs_kchoice_run (const float *x,
                gsize n,
                guint d,
                const CsKChoiceOptions *options,
                CsKChoiceFunc func,
                gpointer user_data,
                double *inertia,
                double *silhouette,
                GCancellable *cancellable,
                GError **error)
{
  guint n_k;
  gsize n_sample;
  g_autofree guint32 *sample = NULL;
  g_autofree float *y = NULL;
  g_autofree float *dist = NULL;
  g_autofree gint32 *labels = NULL;
  g_autofree float *centers = NULL;
  CsRng rng;

  g_return_val_if_fail (x != NULL || n == 0, FALSE);
  g_return_val_if_fail (options != NULL && options->k_min >= 2, FALSE);
  g_return_val_if_fail (options->k_max >= options->k_min, FALSE);
  g_return_val_if_fail (inertia != NULL && silhouette != NULL, FALSE);

  n_k = options->k_max - options->k_min + 1;
  for (guint i = 0; i < n_k; i++)
    inertia[i] = silhouette[i] = NAN;

  /* The sample: a partial Fisher-Yates shuffle of the indices, in increasing order so that the
   * distance matrix reads x forward. */
  n_sample = MIN (options->sample > 0 ? options->sample : n, n);
  cs_rng_init (&rng, options->seed ^ 0x6b63686f696365ull);
  {
    g_autofree guint32 *perm = g_new (guint32, MAX (n, 1));

    for (gsize i = 0; i < n; i++)
      perm[i] = (guint32) i;
    for (gsize i = 0; i < n_sample; i++)
      {
        gsize j = i + cs_rng_below (&rng, n - i);
        guint32 t = perm[i];

        perm[i] = perm[j];
        perm[j] = t;
      }
    sample = g_memdup2 (perm, MAX (n_sample, 1) * sizeof (guint32));
  }
  qsort (sample, n_sample, sizeof (guint32), compare_u32);
  y = g_new (float, MAX (n_sample * d, 1));
  for (gsize i = 0; i < n_sample; i++)
    memcpy (y + i * d, x + (gsize) sample[i] * d, d * sizeof (float));
  dist = g_new (float, MAX (n_sample * n_sample, 1));
  cs_kchoice_distances (dist, y, n_sample, d);

  labels = g_new (gint32, MAX (n, 1));
  centers = g_new (float, (gsize) options->k_max *MAX (d, 1));
  for (guint k = options->k_min; k <= options->k_max; k++)
    {
      CsKMeansOptions km;
      CsKMeansResult result;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("K-means was cancelled"));
          return FALSE;
        }
      if (k > n)
        continue;
      cs_kmeans_options_init (&km, k);
      km.n_init = MAX (options->n_init, 1);
      km.seed = options->seed + k;
      if (!cs_kmeans (x, n, d, &km, centers, labels, &result, cancellable, error))
        return FALSE;
      inertia[k - options->k_min] = result.inertia;
      silhouette[k - options->k_min] = cs_kchoice_silhouette (dist, sample, n_sample, labels, k);
      if (func != NULL)
        func (k, inertia[k - options->k_min], silhouette[k - options->k_min], user_data);
    }
  return TRUE;
}
