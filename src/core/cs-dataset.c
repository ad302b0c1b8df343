/* cs-dataset.c: the dataset object, the synthetic generator and the loader dispatcher.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-rng.h"

/* How many random candidates each synthetic centre is chosen from: the farthest from the
 * centres already placed wins, which keeps the clusters apart without a costly packing. */
#define SYNTHETIC_CENTRE_CANDIDATES 64

CsDataset *
cs_dataset_ref (CsDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_dataset_unref (CsDataset *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->source);
  g_free (self->x);
  g_free (self->labels);
  g_strfreev (self->class_names);
  g_free (self);
}

/* x and labels must come from g_malloc(); the dataset frees them with g_free(). */
CsDataset *
cs_dataset_new_take (const char *name,
                     const char *source,
                     float *x,
                     gsize n,
                     guint d,
                     gint32 *labels,
                     guint n_classes)
{
  CsDataset *self;

  g_return_val_if_fail (x != NULL, NULL);
  g_return_val_if_fail (n > 0 && d > 0, NULL);
  g_return_val_if_fail (labels == NULL || n_classes > 0, NULL);

  if (labels != NULL)
    {
      for (gsize i = 0; i < n; i++)
        if (labels[i] < 0 || (guint) labels[i] >= n_classes)
          {
            g_critical ("%s: label %d of sample %" G_GSIZE_FORMAT " is outside [0, %u)", G_STRFUNC,
                        labels[i], i, n_classes);
            g_free (x);
            g_free (labels);
            return NULL;
          }
    }

  self = g_new0 (CsDataset, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name != NULL ? name : "Untitled");
  self->source = g_strdup (source != NULL ? source : "");
  self->x = x;
  self->n = n;
  self->d = d;
  self->labels = labels;
  self->n_classes = labels != NULL ? n_classes : 0;
  return self;
}

/* "70000" -> "70 000": digits grouped by threes with separator between groups. */
char *
cs_format_count (gsize n, const char *separator)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GSIZE_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

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
  name = g_strdup_printf ("Synthetic (%s × %u, %u clusters, seed %" G_GUINT64_FORMAT ")", count, d,
                          k, options->seed);
  return cs_dataset_new_take (name, "synthetic", x, n, d, labels, k);
}

void
cs_load_options_init (CsLoadOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  cs_synthetic_options_init (&options->synthetic);
}

static gboolean
looks_like_idx (const char *lower_name)
{
  return strstr (lower_name, "idx") != NULL || g_str_has_suffix (lower_name, "-ubyte")
         || g_str_has_suffix (lower_name, "-ubyte.gz");
}

/* "t10k-images-idx3-ubyte.gz" -> "t10k-labels-idx1-ubyte.gz" beside it, when it exists. */
static char *
find_idx_labels (const char *images_path)
{
  g_autofree char *dir = g_path_get_dirname (images_path);
  g_autofree char *base = g_path_get_basename (images_path);
  g_autofree char *labels_base = NULL;
  g_autofree char *labels_path = NULL;
  GString *s;

  if (strstr (base, "images") == NULL || strstr (base, "idx3") == NULL)
    return NULL;

  s = g_string_new (base);
  g_string_replace (s, "images", "labels", 1);
  g_string_replace (s, "idx3", "idx1", 1);
  labels_base = g_string_free (s, FALSE);
  labels_path = g_build_filename (dir, labels_base, NULL);
  if (!g_file_test (labels_path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&labels_path);
}

CsDataset *
cs_dataset_load (const char *spec, const CsLoadOptions *options, GError **error)
{
  CsLoadOptions defaults;
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    {
      cs_load_options_init (&defaults);
      options = &defaults;
    }

  if (g_str_equal (spec, "synthetic"))
    return cs_dataset_new_synthetic (&options->synthetic);
  if (g_str_equal (spec, "fashion-mnist-test"))
    return cs_dataset_load_fashion_mnist (options->fashion_dir, CS_FASHION_TEST, error);
  if (g_str_equal (spec, "fashion-mnist-train"))
    return cs_dataset_load_fashion_mnist (options->fashion_dir, CS_FASHION_TRAIN, error);
  if (g_str_equal (spec, "fashion-mnist"))
    return cs_dataset_load_fashion_mnist (options->fashion_dir, CS_FASHION_ALL, error);

  if (!g_file_test (spec, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO,
                   "%s: no such file (nor a built-in dataset: synthetic, fashion-mnist-test, "
                   "fashion-mnist-train, fashion-mnist)",
                   spec);
      return NULL;
    }
  if (g_file_test (spec, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO, "%s: is a directory, not a data file", spec);
      return NULL;
    }

  base = g_path_get_basename (spec);
  lower = g_ascii_strdown (base, -1);

  if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".csv.gz")
      || g_str_has_suffix (lower, ".tsv") || g_str_has_suffix (lower, ".tsv.gz"))
    {
      CsCsvOptions csv = {
        .label_column = options->label_column,
        .has_header = -1,
        .standardize = options->standardize,
      };
      return cs_dataset_load_csv (spec, &csv, error);
    }
  if (g_str_has_suffix (lower, ".npy"))
    return cs_dataset_load_npy (spec, options->labels_path, error);
  if (looks_like_idx (lower))
    {
      g_autofree char *labels = NULL;

      if (options->labels_path == NULL)
        labels = find_idx_labels (spec);
      return cs_dataset_load_idx (
          spec, options->labels_path != NULL ? options->labels_path : labels, error);
    }

  g_set_error (error, CS_ERROR, CS_ERROR_FORMAT,
               "%s: unknown file type; supported formats are CSV or TSV (.csv, .tsv, optionally "
               "gzip-compressed “.gz”), NumPy (.npy) and IDX "
               "(names containing “idx” or ending in “-ubyte”, optionally gzip-compressed “.gz”)",
               spec);
  return NULL;
}
