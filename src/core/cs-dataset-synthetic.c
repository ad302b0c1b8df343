/* cs-dataset-synthetic.c: the synthetic datasets (curved interleaved clusters, Gaussian blobs).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cs-dataset.h"
#include "cs-rng.h"

/* How many random candidates each synthetic centre is chosen from: the farthest from the
 * centres already placed wins, which keeps the clusters apart without a costly packing. */
#define SYNTHETIC_CENTRE_CANDIDATES 64

void
cs_synthetic_options_init (CsSyntheticOptions *options)
{
  g_return_if_fail (options != NULL);

  options->n = 3000;
  options->d = 50;
  options->k = 5;
  options->latent_dim = 5;
  options->spread = 0.1;
  options->seed = 0;
}

static void
random_unit_vector (CsRng *rng, double *v, guint dim)
{
  double norm;

  do
    {
      norm = 0.0;
      for (guint j = 0; j < dim; j++)
        {
          v[j] = cs_rng_normal (rng);
          norm += v[j] * v[j];
        }
    }
  while (norm < 1e-12);

  norm = sqrt (norm);
  for (guint j = 0; j < dim; j++)
    v[j] /= norm;
}

static double
squared_distance (const double *a, const double *b, guint dim)
{
  double s = 0.0;

  for (guint j = 0; j < dim; j++)
    s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

/* Places k centres on the unit sphere, each the candidate farthest from those before it.
 * Returns the smallest distance between two centres (1 when k == 1). */
static double
place_centres (CsRng *rng, double *centres, guint k, guint dim)
{
  g_autofree double *candidate = g_new (double, dim);
  double min_separation = G_MAXDOUBLE;

  for (guint c = 0; c < k; c++)
    {
      double best_score = -1.0;

      for (guint t = 0; t < SYNTHETIC_CENTRE_CANDIDATES; t++)
        {
          double score = G_MAXDOUBLE;

          random_unit_vector (rng, candidate, dim);
          for (guint other = 0; other < c; other++)
            score = MIN (score, squared_distance (candidate, centres + (gsize) other * dim, dim));
          if (score > best_score)
            {
              best_score = score;
              memcpy (centres + (gsize) c * dim, candidate, dim * sizeof (double));
            }
          if (c == 0)
            break;
        }
      if (c > 0)
        min_separation = MIN (min_separation, sqrt (best_score));
    }

  /* Two opposite candidates are still at distance 2; fall back to the radius for k == 1. */
  if (k == 1 || min_separation < 1e-6)
    min_separation = 1.0;
  return min_separation;
}

static inline double
softplus (double v)
{
  return v > 30.0 ? v : log1p (exp (v));
}

/* Gaussian blobs in a small latent space, pushed through a random two-layer network
 * (tanh, then softplus) into d dimensions and standardised per feature. The map is smooth
 * and generically injective, so the clusters stay apart but are no longer axis-aligned
 * spheres: K-means already does well, a learned embedding does better. */
CsDataset *
cs_dataset_new_synthetic (const CsSyntheticOptions *options)
{
  CsSyntheticOptions defaults;
  CsRng rng, point_rng;
  guint hidden, dim, k, d;
  gsize n;
  double sigma;
  g_autofree double *centres = NULL;
  g_autofree double *w1 = NULL, *b1 = NULL, *w2 = NULL, *b2 = NULL;
  g_autofree double *z = NULL, *h = NULL, *y = NULL;
  g_autofree double *mean = NULL, *m2 = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree char *count = NULL;
  g_autofree char *name = NULL;
  float *x;
  gint32 *labels;
  gsize n_values;

  if (options == NULL)
    {
      cs_synthetic_options_init (&defaults);
      options = &defaults;
    }

  g_return_val_if_fail (options->n > 0 && options->n <= G_MAXUINT32, NULL);
  g_return_val_if_fail (options->d > 0, NULL);
  g_return_val_if_fail (options->k > 0 && options->k <= G_MAXINT32, NULL);
  g_return_val_if_fail (options->latent_dim > 0, NULL);
  g_return_val_if_fail (options->spread >= 0.0 && isfinite (options->spread), NULL);
  g_return_val_if_fail (g_size_checked_mul (&n_values, options->n, options->d), NULL);

  n = options->n;
  d = options->d;
  k = options->k;
  dim = options->latent_dim;
  hidden = CLAMP (8 * dim, 32, 128);

  /* The centres and the map come from the seed alone, the points from a second stream,
   * so the same seed gives the same geometry whatever n is. */
  cs_rng_init (&rng, options->seed);
  cs_rng_init (&point_rng, options->seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  centres = g_new (double, (gsize) k *dim);
  sigma = options->spread * place_centres (&rng, centres, k, dim);

  /* Gains chosen so that the tanh layer is neither linear nor saturated for points on the
   * unit sphere. */
  w1 = g_new (double, (gsize) hidden *dim);
  b1 = g_new (double, hidden);
  w2 = g_new (double, (gsize) d *hidden);
  b2 = g_new (double, d);
  for (gsize i = 0; i < (gsize) hidden * dim; i++)
    w1[i] = 1.5 * cs_rng_normal (&rng);
  for (guint i = 0; i < hidden; i++)
    b1[i] = 0.5 * cs_rng_normal (&rng);
  for (gsize i = 0; i < (gsize) d * hidden; i++)
    w2[i] = 2.0 / sqrt (hidden) * cs_rng_normal (&rng);
  for (guint i = 0; i < d; i++)
    b2[i] = 0.5 * cs_rng_normal (&rng);

  /* Balanced classes in a shuffled order. */
  order = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    order[i] = (guint32) i;
  cs_rng_shuffle_u32 (&point_rng, order, n);

  x = g_new (float, n_values);
  labels = g_new (gint32, n);
  z = g_new (double, dim);
  h = g_new (double, hidden);
  y = g_new (double, d);
  mean = g_new0 (double, d);
  m2 = g_new0 (double, d);

  for (gsize i = 0; i < n; i++)
    {
      guint c = order[i] % k;
      const double *centre = centres + (gsize) c * dim;

      labels[i] = (gint32) c;
      for (guint j = 0; j < dim; j++)
        z[j] = centre[j] + sigma * cs_rng_normal (&point_rng);

      for (guint u = 0; u < hidden; u++)
        {
          double s = b1[u];
          for (guint j = 0; j < dim; j++)
            s += w1[(gsize) u * dim + j] * z[j];
          h[u] = tanh (s);
        }
      for (guint o = 0; o < d; o++)
        {
          double s = b2[o];
          for (guint u = 0; u < hidden; u++)
            s += w2[(gsize) o * hidden + u] * h[u];
          y[o] = softplus (s);
        }

      /* Welford, so the standardisation below needs no second pass in double. */
      for (guint o = 0; o < d; o++)
        {
          double delta = y[o] - mean[o];
          mean[o] += delta / (double) (i + 1);
          m2[o] += delta * (y[o] - mean[o]);
          x[i * d + o] = (float) y[o];
        }
    }

  for (guint o = 0; o < d; o++)
    {
      double sd = sqrt (m2[o] / (double) n);
      double scale = sd > 1e-12 ? 1.0 / sd : 0.0;

      for (gsize i = 0; i < n; i++)
        x[i * d + o] = (float) ((x[i * d + o] - mean[o]) * scale);
    }

  count = cs_format_count (n, " ");
  /* Translators: samples ("1 000") × dimension, the number of clusters and the random seed */
  name
      = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synthetic (%s × %u, %u cluster, seed %llu)",
                                      "Synthetic (%s × %u, %u clusters, seed %llu)", k),
                         count, d, k, (unsigned long long) options->seed);
  return cs_dataset_new_take (name, "synthetic", x, n, d, labels, k);
}
