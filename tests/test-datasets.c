/* test-datasets.c: the dataset loaders on generated fixtures, their errors, and the generator.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-datasets"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-dataset-load.h"
#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-memory.h"
#include "cs-rng.h"

static char *tmpdir;

/* Fixtures */

static char *
write_file (const char *name, const void *data, gsize length)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
  return path;
}

static char *
write_text (const char *name, const char *text)
{
  return write_file (name, text, strlen (text));
}

static GBytes *
gzip_bytes (const void *data, gsize length)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr (GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) gz = g_converter_output_stream_new (memory, G_CONVERTER (compressor));

  g_output_stream_write_all (gz, data, length, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (gz, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* An IDX file: magic, big-endian dims, then the payload as given. */
static GByteArray *
make_idx (guint8 type, guint ndim, const guint32 *dims, const guint8 *payload, gsize length)
{
  GByteArray *bytes = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, type, (guint8) ndim };

  g_byte_array_append (bytes, magic, 4);
  for (guint i = 0; i < ndim; i++)
    {
      guint32 be = GUINT32_TO_BE (dims[i]);
      g_byte_array_append (bytes, (const guint8 *) &be, 4);
    }
  g_byte_array_append (bytes, payload, (guint) length);
  return bytes;
}

static char *
write_idx (const char *name,
           guint8 type,
           guint ndim,
           const guint32 *dims,
           const guint8 *payload,
           gsize length,
           gboolean gzip)
{
  g_autoptr (GByteArray) bytes = make_idx (type, ndim, dims, payload, length);

  if (gzip)
    {
      g_autoptr (GBytes) gz = gzip_bytes (bytes->data, bytes->len);
      return write_file (name, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
    }
  return write_file (name, bytes->data, bytes->len);
}

/* A .npy file with the given header fields, padded as NumPy pads it. */
static GByteArray *
make_npy (guint major,
          const char *descr,
          gboolean fortran,
          const char *shape,
          const void *data,
          gsize length)
{
  GByteArray *bytes = g_byte_array_new ();
  g_autofree char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                                           descr, fortran ? "True" : "False", shape);
  GString *header = g_string_new (dict);
  guint prefix = major == 1 ? 10 : 12;
  guint8 start[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (guint8) major, 0 };

  while ((prefix + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  start[8] = header->len & 0xff;
  start[9] = (header->len >> 8) & 0xff;
  g_byte_array_append (bytes, start, prefix);
  g_byte_array_append (bytes, (const guint8 *) header->str, header->len);
  g_byte_array_append (bytes, data, (guint) length);
  g_string_free (header, TRUE);
  return bytes;
}

static char *
write_npy (const char *name,
           guint major,
           const char *descr,
           gboolean fortran,
           const char *shape,
           const void *data,
           gsize length)
{
  g_autoptr (GByteArray) bytes = make_npy (major, descr, fortran, shape, data, length);

  return write_file (name, bytes->data, bytes->len);
}

/* Where make_npy() puts the array for these header fields. */
static gsize
npy_data_offset (guint major, const char *descr, const char *shape)
{
  g_autoptr (GByteArray) bytes = make_npy (major, descr, FALSE, shape, NULL, 0);

  return bytes->len;
}

#define assert_message_has(err, text)                                                              \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_test_message ("error: %s", (err)->message);                                                  \
    if (strstr ((err)->message, (text)) == NULL)                                                   \
      g_error ("error message “%s” does not contain “%s”", (err)->message, (text));                \
  }                                                                                                \
  G_STMT_END

/* Dataset object */

static void
test_new_take (void)
{
  float *x = g_new (float, 6);
  gint32 *labels = g_new (gint32, 2);
  CsDataset *dataset;

  for (guint i = 0; i < 6; i++)
    x[i] = (float) i;
  labels[0] = 1;
  labels[1] = 0;
  dataset = cs_dataset_new_take ("two", "memory", x, 2, 3, labels, 2);
  g_assert_nonnull (dataset);
  g_assert_cmpstr (dataset->name, ==, "two");
  g_assert_cmpstr (dataset->source, ==, "memory");
  g_assert_cmpuint (dataset->n, ==, 2);
  g_assert_cmpuint (dataset->d, ==, 3);
  g_assert_true (dataset->x == x);
  g_assert_cmpuint (dataset->n_classes, ==, 2);
  g_assert_null (dataset->class_names);
  g_assert_cmpuint (dataset->image_width, ==, 0);

  g_assert_true (cs_dataset_ref (dataset) == dataset);
  cs_dataset_unref (dataset);
  g_assert_cmpfloat (dataset->x[5], ==, 5.0f);
  cs_dataset_unref (dataset);
}

/* cs_dataset_scan_values: the first NaN or infinity by index, the largest magnitude otherwise,
 * scanned once: a second call answers from the cache even if the values were changed under it
 * (which a dataset never allows; the test does it only to see the cache). */
static void
test_scan_values (void)
{
  const float values[] = { 1.0f, -3.5f, 2.0f, 0.0f, NAN, INFINITY };
  g_autoptr (CsDataset) finite = NULL, bad = NULL, inf = NULL;
  float max_abs = -1.0f;
  gsize first_bad = 0;

  finite = cs_dataset_new_take ("f", "", g_memdup2 (values, 4 * sizeof (float)), 2, 2, NULL, 0);
  g_assert_cmpuint (finite->scanned, ==, 0);
  g_assert_true (cs_dataset_scan_values (finite, &max_abs, &first_bad));
  g_assert_cmpfloat (max_abs, ==, 3.5f);
  g_assert_cmpuint (first_bad, ==, 4);
  finite->x[1] = 100.0f;
  g_assert_true (cs_dataset_scan_values (finite, &max_abs, NULL));
  g_assert_cmpfloat (max_abs, ==, 3.5f);

  bad = cs_dataset_new_take ("b", "", g_memdup2 (values, 6 * sizeof (float)), 3, 2, NULL, 0);
  g_assert_false (cs_dataset_scan_values (bad, NULL, &first_bad));
  g_assert_cmpuint (first_bad, ==, 4);

  inf = cs_dataset_new_take ("i", "", g_memdup2 (values + 5, sizeof (float)), 1, 1, NULL, 0);
  g_assert_false (cs_dataset_scan_values (inf, NULL, &first_bad));
  g_assert_cmpuint (first_bad, ==, 0);
}

/* Synthetic */

static double
best_permutation_accuracy (const gint32 *labels, const guint *clusters, gsize n, guint k)
{
  g_autofree guint *counts = g_new0 (guint, k * k);
  g_autofree guint *perm = g_new (guint, k);
  g_autofree guint *c = g_new0 (guint, k);
  guint best = 0, total;
  guint i;

  for (gsize s = 0; s < n; s++)
    counts[clusters[s] * k + (guint) labels[s]]++;
  for (i = 0; i < k; i++)
    perm[i] = i;

  /* Heap's algorithm over all matchings: fine for the small k used here. */
  total = 0;
  for (i = 0; i < k; i++)
    total += counts[i * k + perm[i]];
  best = total;
  i = 0;
  while (i < k)
    {
      if (c[i] < i)
        {
          guint j = i % 2 == 0 ? 0 : c[i];
          guint t = perm[j];
          perm[j] = perm[i];
          perm[i] = t;
          total = 0;
          for (guint a = 0; a < k; a++)
            total += counts[a * k + perm[a]];
          best = MAX (best, total);
          c[i]++;
          i = 0;
        }
      else
        {
          c[i] = 0;
          i++;
        }
    }
  return (double) best / (double) n;
}

static double
sqdist (const float *a, const double *b, guint d)
{
  double s = 0.0;

  for (guint j = 0; j < d; j++)
    s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

/* A plain K-means (k-means++ seeding, Lloyd, best of a few restarts): the brief says the
 * synthetic data must already cluster well with it. */
static double
kmeans_accuracy (const CsDataset *dataset, guint k, guint64 seed)
{
  gsize n = dataset->n;
  guint d = dataset->d;
  g_autofree double *centres = g_new (double, (gsize) k *d);
  g_autofree double *sums = g_new (double, (gsize) k *d);
  g_autofree guint *counts = g_new (guint, k);
  g_autofree guint *assign = g_new (guint, n);
  g_autofree guint *best_assign = g_new (guint, n);
  g_autofree double *nearest = g_new (double, n);
  double best_inertia = G_MAXDOUBLE;
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (guint restart = 0; restart < 4; restart++)
    {
      double inertia = 0.0;
      gsize first = cs_rng_below (&rng, n);

      for (guint j = 0; j < d; j++)
        centres[j] = dataset->x[first * d + j];
      for (gsize s = 0; s < n; s++)
        nearest[s] = sqdist (dataset->x + s * d, centres, d);
      for (guint c = 1; c < k; c++)
        {
          double total = 0.0, r;
          gsize pick = n - 1;

          for (gsize s = 0; s < n; s++)
            total += nearest[s];
          r = cs_rng_uniform (&rng) * total;
          for (gsize s = 0; s < n; s++)
            {
              r -= nearest[s];
              if (r <= 0)
                {
                  pick = s;
                  break;
                }
            }
          for (guint j = 0; j < d; j++)
            centres[(gsize) c * d + j] = dataset->x[pick * d + j];
          for (gsize s = 0; s < n; s++)
            nearest[s] = MIN (nearest[s], sqdist (dataset->x + s * d, centres + (gsize) c * d, d));
        }

      for (guint iter = 0; iter < 50; iter++)
        {
          inertia = 0.0;
          memset (sums, 0, sizeof (double) * k * d);
          memset (counts, 0, sizeof (guint) * k);
          for (gsize s = 0; s < n; s++)
            {
              double best = G_MAXDOUBLE;
              for (guint c = 0; c < k; c++)
                {
                  double dist = sqdist (dataset->x + s * d, centres + (gsize) c * d, d);
                  if (dist < best)
                    {
                      best = dist;
                      assign[s] = c;
                    }
                }
              inertia += best;
              counts[assign[s]]++;
              for (guint j = 0; j < d; j++)
                sums[(gsize) assign[s] * d + j] += dataset->x[s * d + j];
            }
          for (guint c = 0; c < k; c++)
            if (counts[c] > 0)
              for (guint j = 0; j < d; j++)
                centres[(gsize) c * d + j] = sums[(gsize) c * d + j] / counts[c];
        }
      if (inertia < best_inertia)
        {
          best_inertia = inertia;
          memcpy (best_assign, assign, n * sizeof (guint));
        }
    }
  return best_permutation_accuracy (dataset->labels, best_assign, n, k);
}

/* Share of points nearer to their own class mean than to any other: how separable the
 * classes are, independent of any clustering algorithm. */
static double
nearest_class_mean_accuracy (const CsDataset *dataset)
{
  gsize n = dataset->n;
  guint d = dataset->d, k = dataset->n_classes;
  g_autofree double *means = g_new0 (double, (gsize) k *d);
  g_autofree guint *counts = g_new0 (guint, k);
  gsize correct = 0;

  for (gsize s = 0; s < n; s++)
    {
      counts[dataset->labels[s]]++;
      for (guint j = 0; j < d; j++)
        means[(gsize) dataset->labels[s] * d + j] += dataset->x[s * d + j];
    }
  for (guint c = 0; c < k; c++)
    for (guint j = 0; j < d; j++)
      means[(gsize) c * d + j] /= counts[c];
  for (gsize s = 0; s < n; s++)
    {
      double best = G_MAXDOUBLE;
      guint arg = 0;
      for (guint c = 0; c < k; c++)
        {
          double dist = sqdist (dataset->x + s * d, means + (gsize) c * d, d);
          if (dist < best)
            {
              best = dist;
              arg = c;
            }
        }
      correct += arg == (guint) dataset->labels[s];
    }
  return (double) correct / (double) n;
}

/* The default kind, the demo: pen-stroke glyphs in 12 x 12 images. */
static void
test_synthetic_defaults (void)
{
  CsSyntheticOptions options;
  g_autoptr (CsDataset) dataset = NULL;
  guint counts[5] = { 0 };
  double acc_mean, acc_kmeans;

  cs_synthetic_options_init (&options);
  g_assert_cmpint (options.kind, ==, CS_SYNTHETIC_GLYPHS);
  g_assert_cmpuint (options.n, ==, 3000);
  g_assert_cmpuint (options.d, ==, 0);
  g_assert_cmpuint (options.k, ==, 5);
  g_assert_cmpuint (options.latent_dim, ==, 5);
  g_assert_cmpfloat (options.spread, ==, 0.1);
  g_assert_cmpuint (options.seed, ==, 0);
  g_assert_cmpuint (cs_synthetic_default_d (CS_SYNTHETIC_GLYPHS), ==, 144);
  g_assert_cmpuint (cs_synthetic_default_d (CS_SYNTHETIC_BLOBS), ==, 50);

  dataset = cs_dataset_new_synthetic (&options);
  g_assert_nonnull (dataset);
  g_assert_cmpuint (dataset->n, ==, 3000);
  g_assert_cmpuint (dataset->d, ==, 144);
  g_assert_cmpuint (dataset->image_width, ==, 12);
  g_assert_cmpuint (dataset->image_height, ==, 12);
  g_assert_cmpuint (dataset->n_classes, ==, 5);
  g_assert_nonnull (dataset->labels);
  g_assert_cmpstr (dataset->source, ==, "synthetic");
  g_assert_nonnull (strstr (dataset->name, "glyphs"));
  g_assert_nonnull (strstr (dataset->name, "3 000"));

  for (gsize i = 0; i < dataset->n; i++)
    {
      g_assert_cmpint (dataset->labels[i], >=, 0);
      g_assert_cmpint (dataset->labels[i], <, 5);
      counts[dataset->labels[i]]++;
    }
  for (guint c = 0; c < 5; c++)
    g_assert_cmpuint (counts[c], ==, 600);
  g_assert_false (
      dataset->labels[0] == dataset->labels[1] && dataset->labels[1] == dataset->labels[2]
      && dataset->labels[2] == dataset->labels[3] && dataset->labels[3] == dataset->labels[4]);

  /* Grey pixels in [0, 1], with ink in every image. */
  for (gsize i = 0; i < dataset->n; i++)
    {
      double ink = 0.0;

      for (guint j = 0; j < dataset->d; j++)
        {
          float v = dataset->x[i * dataset->d + j];

          g_assert_true (v >= 0.0f && v <= 1.0f);
          ink += v;
        }
      g_assert_cmpfloat (ink, >, 3.0);
    }

  /* What makes it a demo: the classes are there (nearest class mean), but K-means on the
   * pixels misses them (docs/QUALITY.md: 0.77 with the CLI's K-means, seed 0). */
  acc_mean = nearest_class_mean_accuracy (dataset);
  acc_kmeans = kmeans_accuracy (dataset, 5, 1);
  g_test_message ("glyphs: nearest class mean %.4f, k-means %.4f", acc_mean, acc_kmeans);
  g_assert_cmpfloat (acc_mean, >, 0.98);
  g_assert_cmpfloat (acc_kmeans, <, 0.9);
}

/* The easy kind, as the synthetic data was before the glyphs: K-means finds it. */
static void
test_synthetic_blobs (void)
{
  CsSyntheticOptions options;
  g_autoptr (CsDataset) dataset = NULL;
  guint counts[5] = { 0 };
  double acc_mean, acc_kmeans;

  cs_synthetic_options_init (&options);
  options.kind = CS_SYNTHETIC_BLOBS;
  dataset = cs_dataset_new_synthetic (&options);
  g_assert_nonnull (dataset);
  g_assert_cmpuint (dataset->n, ==, 3000);
  g_assert_cmpuint (dataset->d, ==, 50);
  g_assert_cmpuint (dataset->n_classes, ==, 5);
  g_assert_nonnull (dataset->labels);
  g_assert_cmpuint (dataset->image_width, ==, 0);
  g_assert_cmpstr (dataset->source, ==, "synthetic");
  g_assert_nonnull (strstr (dataset->name, "blobs"));
  g_assert_nonnull (strstr (dataset->name, "3 000"));

  for (gsize i = 0; i < dataset->n; i++)
    {
      g_assert_cmpint (dataset->labels[i], >=, 0);
      g_assert_cmpint (dataset->labels[i], <, 5);
      counts[dataset->labels[i]]++;
    }
  for (guint c = 0; c < 5; c++)
    g_assert_cmpuint (counts[c], ==, 600);

  /* Standardised features: zero mean, unit variance, all finite. */
  for (guint j = 0; j < dataset->d; j++)
    {
      double mean = 0.0, var = 0.0;
      for (gsize i = 0; i < dataset->n; i++)
        {
          g_assert_true (isfinite (dataset->x[i * dataset->d + j]));
          mean += dataset->x[i * dataset->d + j];
        }
      mean /= dataset->n;
      for (gsize i = 0; i < dataset->n; i++)
        var += pow (dataset->x[i * dataset->d + j] - mean, 2);
      var /= dataset->n;
      g_assert_cmpfloat_with_epsilon (mean, 0.0, 1e-4);
      g_assert_cmpfloat_with_epsilon (var, 1.0, 1e-3);
    }

  /* Labels are not sorted: training without a shuffle must not see one class at a time. */
  g_assert_false (
      dataset->labels[0] == dataset->labels[1] && dataset->labels[1] == dataset->labels[2]
      && dataset->labels[2] == dataset->labels[3] && dataset->labels[3] == dataset->labels[4]);

  acc_mean = nearest_class_mean_accuracy (dataset);
  acc_kmeans = kmeans_accuracy (dataset, 5, 1);
  g_test_message ("blobs: nearest class mean %.4f, k-means %.4f", acc_mean, acc_kmeans);
  g_assert_cmpfloat (acc_mean, >, 0.98);
  g_assert_cmpfloat (acc_kmeans, >, 0.9);
}

static void
test_synthetic_seed (void)
{
  CsSyntheticOptions options;
  g_autoptr (CsDataset) a = NULL;
  g_autoptr (CsDataset) b = NULL;
  g_autoptr (CsDataset) c = NULL;
  g_autoptr (CsDataset) small = NULL;
  g_autofree guint *counts = g_new0 (guint, 7);

  for (guint kind = CS_SYNTHETIC_GLYPHS; kind <= CS_SYNTHETIC_BLOBS; kind++)
    {
      cs_synthetic_options_init (&options);
      options.kind = kind;
      options.n = 500;
      options.d = kind == CS_SYNTHETIC_GLYPHS ? 25 : 20;
      options.k = 7;
      options.latent_dim = 3;
      options.seed = 42;

      a = cs_dataset_new_synthetic (&options);
      b = cs_dataset_new_synthetic (&options);
      g_assert_cmpuint (a->n, ==, 500);
      g_assert_cmpuint (a->d, ==, options.d);
      g_assert_cmpuint (a->n_classes, ==, 7);
      g_assert_cmpmem (a->x, a->n * a->d * sizeof (float), b->x, b->n * b->d * sizeof (float));
      g_assert_cmpmem (a->labels, a->n * sizeof (gint32), b->labels, b->n * sizeof (gint32));
      g_assert_cmpstr (a->name, ==, b->name);

      options.seed = 43;
      c = cs_dataset_new_synthetic (&options);
      g_assert_cmpuint (c->n, ==, a->n);
      g_assert_true (memcmp (a->x, c->x, a->n * a->d * sizeof (float)) != 0);
      g_assert_true (memcmp (a->labels, c->labels, a->n * sizeof (gint32)) != 0);

      memset (counts, 0, 7 * sizeof (guint));
      for (gsize i = 0; i < a->n; i++)
        counts[a->labels[i]]++;
      for (guint k = 0; k < 7; k++)
        g_assert_cmpuint (counts[k], >=, 500 / 7);
      g_clear_pointer (&a, cs_dataset_unref);
      g_clear_pointer (&b, cs_dataset_unref);
      g_clear_pointer (&c, cs_dataset_unref);
    }

  /* NULL options are the defaults: glyphs. */
  small = cs_dataset_new_synthetic (NULL);
  g_assert_cmpuint (small->n, ==, 3000);
  g_assert_cmpuint (small->d, ==, 144);
}

/* Glyphs are square images; the check says so, and the blobs take any dimension. */
static void
test_synthetic_check (void)
{
  CsSyntheticOptions options;
  g_autoptr (GError) error = NULL;

  cs_synthetic_options_init (&options);
  g_assert_true (cs_synthetic_options_check (&options, &error));
  g_assert_no_error (error);

  options.d = 50;
  g_assert_false (cs_synthetic_options_check (&options, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "square"));
  g_clear_error (&error);

  options.d = 9; /* 3 x 3: too small to draw a stroke in */
  g_assert_false (cs_synthetic_options_check (&options, &error));
  g_clear_error (&error);

  options.d = 16;
  g_assert_true (cs_synthetic_options_check (&options, NULL));
  options.kind = CS_SYNTHETIC_BLOBS;
  options.d = 7;
  g_assert_true (cs_synthetic_options_check (&options, NULL));
  options.k = 0;
  g_assert_false (cs_synthetic_options_check (&options, NULL));
}

/* IDX */

static const guint8 idx_pixels[18]
    = { 0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180, 195, 210, 225, 240, 255 };
static const guint32 idx_dims3[3] = { 3, 2, 3 };
static const guint8 idx_labels[3] = { 2, 0, 2 };

static void
check_idx_images (const CsDataset *dataset)
{
  g_assert_cmpuint (dataset->n, ==, 3);
  g_assert_cmpuint (dataset->d, ==, 6);
  g_assert_cmpuint (dataset->image_width, ==, 3);
  g_assert_cmpuint (dataset->image_height, ==, 2);
  for (guint i = 0; i < 18; i++)
    g_assert_cmpfloat_with_epsilon (dataset->x[i], idx_pixels[i] / 255.0f, 1e-7);
  g_assert_cmpfloat (dataset->x[0], ==, 0.0f);
  g_assert_cmpfloat (dataset->x[17], ==, 1.0f);
}

static void
test_idx_raw (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *images
      = write_idx ("raw-images-idx3-ubyte", 0x08, 3, idx_dims3, idx_pixels, 18, FALSE);
  g_autofree char *labels
      = write_idx ("raw-labels-idx1-ubyte", 0x08, 1, idx_dims3, idx_labels, 3, FALSE);
  g_autoptr (CsDataset) dataset = NULL;
  g_autoptr (CsDataset) unlabelled = NULL;

  dataset = cs_dataset_load_idx (images, labels, &error);
  g_assert_no_error (error);
  check_idx_images (dataset);
  g_assert_cmpstr (dataset->name, ==, "raw-images-idx3-ubyte");
  g_assert_cmpstr (dataset->source, ==, images);
  g_assert_nonnull (dataset->labels);
  g_assert_cmpint (dataset->labels[0], ==, 2);
  g_assert_cmpint (dataset->labels[1], ==, 0);
  g_assert_cmpint (dataset->labels[2], ==, 2);
  g_assert_cmpuint (dataset->n_classes, ==, 3);
  g_assert_null (dataset->class_names);

  unlabelled = cs_dataset_load_idx (images, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (unlabelled->labels);
  g_assert_cmpuint (unlabelled->n_classes, ==, 0);
}

static void
test_idx_gzip (void)
{
  g_autoptr (GError) error = NULL;
  /* No .gz in the names: the loader must go by the gzip magic. */
  g_autofree char *images = write_idx ("gz-images.idx", 0x08, 3, idx_dims3, idx_pixels, 18, TRUE);
  g_autofree char *labels = write_idx ("gz-labels.idx", 0x08, 1, idx_dims3, idx_labels, 3, TRUE);
  g_autoptr (CsDataset) dataset = NULL;

  dataset = cs_dataset_load_idx (images, labels, &error);
  g_assert_no_error (error);
  check_idx_images (dataset);
  g_assert_cmpint (dataset->labels[0], ==, 2);
  g_assert_cmpint (dataset->labels[1], ==, 0);
  g_assert_cmpuint (dataset->n_classes, ==, 3);
}

static void
test_idx_2d (void)
{
  g_autoptr (GError) error = NULL;
  guint32 dims[2] = { 2, 9 };
  g_autofree char *images = write_idx ("flat.idx2-ubyte.gz", 0x08, 2, dims, idx_pixels, 18, TRUE);
  g_autoptr (CsDataset) dataset = NULL;

  dataset = cs_dataset_load_idx (images, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dataset->n, ==, 2);
  g_assert_cmpuint (dataset->d, ==, 9);
  g_assert_cmpuint (dataset->image_width, ==, 0);
  g_assert_cmpuint (dataset->image_height, ==, 0);
  g_assert_cmpfloat_with_epsilon (dataset->x[9], 135 / 255.0f, 1e-7);
}

static void
expect_idx_error (const char *images, const char *labels, int code, const char *text)
{
  g_autoptr (GError) error = NULL;
  CsDataset *dataset = cs_dataset_load_idx (images, labels, &error);

  g_assert_null (dataset);
  g_assert_error (error, CS_ERROR, code);
  assert_message_has (error, text);
}

static void
test_idx_errors (void)
{
  g_autofree char *good = write_idx ("good-idx3", 0x08, 3, idx_dims3, idx_pixels, 18, FALSE);
  g_autofree char *truncated
      = write_idx ("truncated-idx3", 0x08, 3, idx_dims3, idx_pixels, 10, FALSE);
  g_autofree char *empty = write_file ("empty-idx3", "", 0);
  g_autofree char *magic = write_file ("magic-idx3", "\x01\x02\x08\x03\x00\x00\x00\x01", 8);
  g_autofree char *type = write_idx ("float-idx3", 0x0D, 3, idx_dims3, idx_pixels, 18, FALSE);
  g_autofree char *ndim1 = write_idx ("ndim1-idx", 0x08, 1, idx_dims3, idx_pixels, 3, FALSE);
  g_autofree char *short_header = write_file ("short-header-idx3", "\x00\x00\x08\x03\x00\x00", 6);
  guint32 two[1] = { 2 };
  guint32 zero[3] = { 0, 2, 3 };
  g_autofree char *zero_n = write_idx ("zero-idx3", 0x08, 3, zero, idx_pixels, 0, FALSE);
  g_autofree char *few_labels = write_idx ("few-labels-idx1", 0x08, 1, two, idx_labels, 2, FALSE);
  g_autofree char *labels_3d
      = write_idx ("labels3d-idx1", 0x08, 3, idx_dims3, idx_pixels, 18, FALSE);
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-idx3", NULL);
  g_autofree char *message = NULL;
  g_autoptr (GByteArray) whole = make_idx (0x08, 3, idx_dims3, idx_pixels, 18);
  g_autoptr (GBytes) gz = gzip_bytes (whole->data, whole->len);
  g_autofree char *gz_truncated
      = write_file ("truncated-idx3.gz", g_bytes_get_data (gz, NULL), g_bytes_get_size (gz) / 2);
  g_autofree char *gz_corrupt
      = write_file ("corrupt-idx3.gz", "\x1f\x8b\x08\x00garbage-garbage!", 20);

  /* 16 header bytes + 10 of the 18 pixels. */
  expect_idx_error (truncated, NULL, CS_ERROR_FORMAT, "truncated at byte 26, expected 34 bytes");
  expect_idx_error (truncated, NULL, CS_ERROR_FORMAT, truncated);
  expect_idx_error (gz_truncated, NULL, CS_ERROR_FORMAT, "truncated at byte");
  expect_idx_error (gz_truncated, NULL, CS_ERROR_FORMAT, gz_truncated);
  expect_idx_error (gz_corrupt, NULL, CS_ERROR_FORMAT, "gzip");
  expect_idx_error (empty, NULL, CS_ERROR_FORMAT, "empty file");
  expect_idx_error (magic, NULL, CS_ERROR_FORMAT, "wrong magic");
  expect_idx_error (type, NULL, CS_ERROR_FORMAT,
                    "unsupported IDX element type 0x0d (32-bit float)");
  expect_idx_error (ndim1, NULL, CS_ERROR_FORMAT, "gives 1 dimensions where 2 or 3 are expected");
  expect_idx_error (short_header, NULL, CS_ERROR_FORMAT, "truncated at byte 6, expected 16 bytes");
  expect_idx_error (zero_n, NULL, CS_ERROR_FORMAT, "dimension 0");
  expect_idx_error (missing, NULL, CS_ERROR_IO, missing);

  message = g_strdup_printf ("2 labels for 3 images in %s", good);
  expect_idx_error (good, few_labels, CS_ERROR_FORMAT, message);
  expect_idx_error (good, few_labels, CS_ERROR_FORMAT, few_labels);
  expect_idx_error (good, labels_3d, CS_ERROR_FORMAT, "gives 3 dimensions where 1 is expected");
  expect_idx_error (good, missing, CS_ERROR_IO, missing);
}

/* CSV */

static CsDataset *
load_csv_text (
    const char *name, const char *text, const char *label, gboolean standardize, GError **error)
{
  g_autofree char *path = write_text (name, text);
  CsCsvOptions options = { label, -1, standardize };

  return cs_dataset_load_csv (path, &options, error);
}

static void
test_csv_header_string_labels (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) dataset = NULL;

  dataset = load_csv_text ("iris.csv", "x,y,species\n1,2,cat\n3,4.5,dog\n-5e-1,6,cat\n7,8,bird\n",
                           "species", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dataset->n, ==, 4);
  g_assert_cmpuint (dataset->d, ==, 2);
  g_assert_cmpfloat (dataset->x[0], ==, 1.0f);
  g_assert_cmpfloat (dataset->x[3], ==, 4.5f);
  g_assert_cmpfloat (dataset->x[4], ==, -0.5f);
  g_assert_cmpfloat (dataset->x[7], ==, 8.0f);
  g_assert_cmpuint (dataset->n_classes, ==, 3);
  g_assert_cmpint (dataset->labels[0], ==, 0);
  g_assert_cmpint (dataset->labels[1], ==, 1);
  g_assert_cmpint (dataset->labels[2], ==, 0);
  g_assert_cmpint (dataset->labels[3], ==, 2);
  g_assert_nonnull (dataset->class_names);
  g_assert_cmpuint (g_strv_length (dataset->class_names), ==, 3);
  g_assert_cmpstr (dataset->class_names[0], ==, "cat");
  g_assert_cmpstr (dataset->class_names[1], ==, "dog");
  g_assert_cmpstr (dataset->class_names[2], ==, "bird");
  g_assert_cmpstr (dataset->name, ==, "iris.csv");
  g_assert_nonnull (strstr (dataset->source, "iris.csv"));
}

static void
test_csv_integer_labels (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) dataset = NULL;
  g_autoptr (CsDataset) middle = NULL;
  g_autoptr (CsDataset) savetxt = NULL;
  g_autoptr (CsDataset) unlabelled = NULL;

  /* No header (all numeric), label is the last column. */
  dataset = load_csv_text ("ints.csv", "1.5,2,1\n3,4,0\n5,6,3\n", "-1", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dataset->n, ==, 3);
  g_assert_cmpuint (dataset->d, ==, 2);
  g_assert_cmpfloat (dataset->x[0], ==, 1.5f);
  g_assert_cmpfloat (dataset->x[5], ==, 6.0f);
  g_assert_cmpint (dataset->labels[0], ==, 1);
  g_assert_cmpint (dataset->labels[1], ==, 0);
  g_assert_cmpint (dataset->labels[2], ==, 3);
  g_assert_cmpuint (dataset->n_classes, ==, 4);
  g_assert_null (dataset->class_names);

  /* A label in the middle, by index, with a header. */
  middle = load_csv_text ("middle.csv", "a,class,b\n1,2,3\n4,0,6\n", "1", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (middle->n, ==, 2);
  g_assert_cmpuint (middle->d, ==, 2);
  g_assert_cmpfloat (middle->x[1], ==, 3.0f);
  g_assert_cmpfloat (middle->x[2], ==, 4.0f);
  g_assert_cmpint (middle->labels[0], ==, 2);
  g_assert_cmpuint (middle->n_classes, ==, 3);

  /* np.savetxt writes labels as floats. */
  savetxt = load_csv_text ("savetxt.csv",
                           "5.000000000000000000e-01,1.000000000000000000e+00\n"
                           "2.500000000000000000e-01,0.000000000000000000e+00\n",
                           "1", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (savetxt->labels[0], ==, 1);
  g_assert_cmpint (savetxt->labels[1], ==, 0);
  g_assert_cmpuint (savetxt->n_classes, ==, 2);
  g_assert_null (savetxt->class_names);

  unlabelled = load_csv_text ("unlabelled.csv", "1,2\n3,4\n", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unlabelled->n, ==, 2);
  g_assert_cmpuint (unlabelled->d, ==, 2);
  g_assert_null (unlabelled->labels);
  g_assert_cmpuint (unlabelled->n_classes, ==, 0);
}

static void
test_csv_dialects (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) semicolon = NULL;
  g_autoptr (CsDataset) tab = NULL;
  g_autoptr (CsDataset) quoted = NULL;
  g_autoptr (CsDataset) string_no_header = NULL;
  g_autoptr (CsDataset) forced = NULL;
  g_autofree char *forced_path = NULL;
  CsCsvOptions forced_options = { NULL, FALSE, FALSE };

  /* BOM, semicolons, CRLF, blank trailing lines, no trailing newline handled alike. */
  semicolon = load_csv_text ("semicolon.csv",
                             "\xef\xbb\xbf"
                             "a;b\r\n1;2\r\n\r\n3;4\r\n\r\n\r\n",
                             NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (semicolon->n, ==, 2);
  g_assert_cmpuint (semicolon->d, ==, 2);
  g_assert_cmpfloat (semicolon->x[3], ==, 4.0f);

  tab = load_csv_text ("tab.tsv.csv", "1\t2\t3\n4\t5\t6", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tab->n, ==, 2);
  g_assert_cmpuint (tab->d, ==, 3);
  g_assert_cmpfloat (tab->x[5], ==, 6.0f);

  quoted = load_csv_text ("quoted.csv",
                          "\"x\",\"y\",\"label\"\n\"1.0\", 2 ,\"a, b\"\n3,4,\"say \"\"hi\"\"\"\n",
                          "label", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (quoted->n, ==, 2);
  g_assert_cmpuint (quoted->d, ==, 2);
  g_assert_cmpfloat (quoted->x[0], ==, 1.0f);
  g_assert_cmpfloat (quoted->x[1], ==, 2.0f);
  g_assert_cmpstr (quoted->class_names[0], ==, "a, b");
  g_assert_cmpstr (quoted->class_names[1], ==, "say \"hi\"");

  /* A non-numeric field only in the label column is a label, not a header. */
  string_no_header = load_csv_text ("strings.csv", "1,2,cat\n3,4,dog\n", "2", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (string_no_header->n, ==, 2);
  g_assert_cmpstr (string_no_header->class_names[0], ==, "cat");

  /* An explicit has_header = FALSE makes a named first row an error, not a header. */
  forced_path = write_text ("forced.csv", "a,b\n1,2\n");
  forced = cs_dataset_load_csv (forced_path, &forced_options, &error);
  g_assert_null (forced);
  g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
  assert_message_has (error, "line 1, column 1: 'a' is not a number");
}

static void
test_csv_standardize (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) dataset = NULL;
  double s = sqrt (1.5);

  dataset = load_csv_text ("standardize.csv", "1,10,5\n2,20,5\n3,30,5\n", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dataset->d, ==, 3);
  g_assert_cmpfloat_with_epsilon (dataset->x[0], -s, 1e-6);
  g_assert_cmpfloat_with_epsilon (dataset->x[3], 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (dataset->x[6], s, 1e-6);
  g_assert_cmpfloat_with_epsilon (dataset->x[1], -s, 1e-6);
  g_assert_cmpfloat_with_epsilon (dataset->x[7], s, 1e-6);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (dataset->x[i * 3 + 2], ==, 0.0f);
}

static void
expect_csv_error (const char *text, const char *label, int code, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_text ("bad.csv", text);
  CsCsvOptions options = { label, -1, FALSE };
  CsDataset *dataset = cs_dataset_load_csv (path, &options, &error);

  g_assert_null (dataset);
  g_assert_error (error, CS_ERROR, code);
  assert_message_has (error, message);
  assert_message_has (error, path);
}

/* scikit-learn ships its datasets as .csv.gz; spreadsheets export .tsv. Each goes through the
 * same dispatcher as a plain .csv and gives the same matrix and labels. */
static void
test_csv_compressed_and_tab (void)
{
  const char *text = "x,y,class\n1,2,a\n3,4.5,b\n-5e-1,6,a\n";
  const char *tsv_text = "x\ty\tclass\n1\t2\ta\n3\t4.5\tb\n-5e-1\t6\ta\n";
  g_autoptr (GBytes) gz = gzip_bytes (text, strlen (text));
  g_autoptr (GBytes) tsv_gz = gzip_bytes (tsv_text, strlen (tsv_text));
  g_autoptr (GBytes) cut = NULL;
  g_autofree char *plain_path = write_text ("plain.csv", text);
  g_autofree char *gz_path
      = write_file ("digits.csv.gz", g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  g_autofree char *tsv_path = write_text ("sheet.tsv", tsv_text);
  g_autofree char *tsv_gz_path
      = write_file ("sheet.tsv.gz", g_bytes_get_data (tsv_gz, NULL), g_bytes_get_size (tsv_gz));
  g_autofree char *cut_path = NULL;
  const char *paths[] = { gz_path, tsv_path, tsv_gz_path };
  g_autoptr (CsDataset) plain = NULL;
  g_autoptr (GError) error = NULL;
  CsLoadOptions options;

  cs_load_options_init (&options);
  options.label_column = "class";
  plain = cs_dataset_load (plain_path, &options, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (CsDataset) other = cs_dataset_load (paths[i], &options, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (other->n, ==, plain->n);
      g_assert_cmpuint (other->d, ==, plain->d);
      g_assert_cmpmem (other->x, other->n * other->d * sizeof (float), plain->x,
                       plain->n * plain->d * sizeof (float));
      g_assert_cmpmem (other->labels, other->n * sizeof (gint32), plain->labels,
                       plain->n * sizeof (gint32));
      g_assert_cmpuint (other->n_classes, ==, 2);
    }

  /* A gzip stream cut short is an error naming the file, not a half-loaded dataset. */
  cut = g_bytes_new_from_bytes (gz, 0, g_bytes_get_size (gz) - 12);
  cut_path = write_file ("cut.csv.gz", g_bytes_get_data (cut, NULL), g_bytes_get_size (cut));
  g_assert_null (cs_dataset_load (cut_path, &options, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, cut_path));
  g_assert_nonnull (strstr (error->message, "gzip"));
}

static void
test_csv_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "missing.csv", NULL);

  expect_csv_error ("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n",
                    NULL, CS_ERROR_FORMAT, "line 7: expected 5 fields, found 4");
  expect_csv_error ("1,2\n3,4,5\n", NULL, CS_ERROR_FORMAT, "line 2: expected 2 fields, found 3");
  expect_csv_error ("a,b\n1,2\n3,abc\n", NULL, CS_ERROR_FORMAT,
                    "line 3, column 2: 'abc' is not a number");
  expect_csv_error ("a,b\n1,2\n3,\n", NULL, CS_ERROR_FORMAT,
                    "line 3, column 2: '' is not a number");
  expect_csv_error ("1,nan\n", NULL, CS_ERROR_FORMAT, "line 1, column 2: 'nan' is not a finite");
  expect_csv_error ("1,2\n3,-inf\n", NULL, CS_ERROR_FORMAT, "line 2, column 2: '-inf'");
  expect_csv_error ("1,2\n3,1e999\n", NULL, CS_ERROR_FORMAT, "not a finite number");
  /* Finite, but past float: its own message, not "infinite". */
  expect_csv_error ("1,2\n-1e39,3\n", NULL, CS_ERROR_FORMAT,
                    "line 2, column 1: '-1e39' is beyond the single-precision range");
  expect_csv_error ("", NULL, CS_ERROR_FORMAT, "empty file");
  expect_csv_error ("\n  \r\n\n", NULL, CS_ERROR_FORMAT, "empty file");
  expect_csv_error ("a,b\n\n", NULL, CS_ERROR_FORMAT, "no data rows");
  expect_csv_error ("a,b\n1,2\n", "c", CS_ERROR_INVALID, "no column named “c”");
  expect_csv_error ("1,2\n3,4\n", "label", CS_ERROR_INVALID, "no column named “label”");
  expect_csv_error ("a,b\n1,2\n", "5", CS_ERROR_INVALID, "label column 5 is out of range");
  expect_csv_error ("a,b\n1,2\n", "-3", CS_ERROR_INVALID, "out of range");
  expect_csv_error ("1,0\n2,-1\n", "-1", CS_ERROR_FORMAT, "line 2, column 2: label -1 is negative");
  expect_csv_error ("1,0\n2,7000000\n", "1", CS_ERROR_FORMAT, "line 2, column 2: label 7000000");
  expect_csv_error ("x,y\n1,cat\n2,\n", "y", CS_ERROR_FORMAT, "line 3, column 2: empty label");
  expect_csv_error ("1\n2\n", "0", CS_ERROR_FORMAT, "no feature columns");
  expect_csv_error ("a,b\n\"1,2\n", NULL, CS_ERROR_FORMAT, "line 2, column 1: unterminated");
  expect_csv_error ("a,b\n\"1\"x,2\n", NULL, CS_ERROR_FORMAT, "line 2, column 1: unexpected text");
  {
    g_autofree char *path = write_file ("binary.csv", "1,2\n\0\0", 6);
    CsDataset *dataset = cs_dataset_load_csv (path, NULL, &error);
    g_assert_null (dataset);
    g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
    assert_message_has (error, "NUL byte at byte 4");
    g_clear_error (&error);
  }

  g_assert_null (cs_dataset_load_csv (missing, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, missing);
}

/* NPY */

static void
test_npy_valid (void)
{
  g_autoptr (GError) error = NULL;
  const float f4[6] = { 1.0f, -2.5f, 3.25f, 0.0f, 1e-3f, 42.0f };
  const double f8[4] = { 0.5, -0.25, 1e10, 3.0 };
  const guint8 u1[12] = { 0, 51, 102, 153, 204, 255, 255, 204, 153, 102, 51, 0 };
  const gint32 i4[2] = { 1, 0 };
  const gint64 i8[2] = { 0, 4 };
  const guint8 lu1[2] = { 2, 2 };
  g_autofree char *f4_path = write_npy ("f4.npy", 1, "<f4", FALSE, "(2, 3)", f4, sizeof f4);
  g_autofree char *f8_path = write_npy ("f8.npy", 2, "<f8", FALSE, "(2, 2)", f8, sizeof f8);
  g_autofree char *u1_path = write_npy ("u1.npy", 3, "|u1", FALSE, "(2, 2, 3)", u1, sizeof u1);
  g_autofree char *i4_path = write_npy ("i4.npy", 1, "<i4", FALSE, "(2,)", i4, sizeof i4);
  g_autofree char *i8_path = write_npy ("i8.npy", 1, "<i8", FALSE, "(2, 1)", i8, sizeof i8);
  g_autofree char *lu1_path = write_npy ("lu1.npy", 1, "|u1", FALSE, "(2,)", lu1, sizeof lu1);
  g_autoptr (CsDataset) a = NULL;
  g_autoptr (CsDataset) b = NULL;
  g_autoptr (CsDataset) c = NULL;

  a = cs_dataset_load_npy (f4_path, i4_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->n, ==, 2);
  g_assert_cmpuint (a->d, ==, 3);
  g_assert_cmpmem (a->x, 6 * sizeof (float), f4, sizeof f4);
  g_assert_cmpint (a->labels[0], ==, 1);
  g_assert_cmpint (a->labels[1], ==, 0);
  g_assert_cmpuint (a->n_classes, ==, 2);
  g_assert_cmpuint (a->image_width, ==, 0);
  g_assert_cmpstr (a->name, ==, "f4.npy");

  b = cs_dataset_load_npy (f8_path, i8_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->n, ==, 2);
  g_assert_cmpuint (b->d, ==, 2);
  g_assert_cmpfloat (b->x[0], ==, 0.5f);
  g_assert_cmpfloat (b->x[1], ==, -0.25f);
  g_assert_cmpfloat (b->x[2], ==, 1e10f);
  g_assert_cmpint (b->labels[1], ==, 4);
  g_assert_cmpuint (b->n_classes, ==, 5);

  /* Big-endian float32, as written by numpy's astype('>f4'). */
  {
    guint32 be[6];
    g_autofree char *be_path = NULL;
    g_autoptr (CsDataset) big = NULL;

    for (guint i = 0; i < 6; i++)
      {
        guint32 bits;
        memcpy (&bits, &f4[i], 4);
        be[i] = GUINT32_TO_BE (bits);
      }
    be_path = write_npy ("be.npy", 1, ">f4", FALSE, "(3, 2)", be, sizeof be);
    big = cs_dataset_load_npy (be_path, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (big->n, ==, 3);
    g_assert_cmpuint (big->d, ==, 2);
    g_assert_cmpmem (big->x, 6 * sizeof (float), f4, sizeof f4);
    g_assert_null (big->labels);
  }

  c = cs_dataset_load_npy (u1_path, lu1_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->n, ==, 2);
  g_assert_cmpuint (c->d, ==, 6);
  g_assert_cmpuint (c->image_height, ==, 2);
  g_assert_cmpuint (c->image_width, ==, 3);
  g_assert_cmpfloat (c->x[0], ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (c->x[1], 0.2f, 1e-7);
  g_assert_cmpfloat (c->x[5], ==, 1.0f);
  g_assert_cmpuint (c->n_classes, ==, 3);
  g_assert_cmpint (c->labels[0], ==, 2);
}

static void
expect_npy_error (const char *data_path, const char *labels_path, int code, const char *message)
{
  g_autoptr (GError) error = NULL;
  CsDataset *dataset = cs_dataset_load_npy (data_path, labels_path, &error);

  g_assert_null (dataset);
  g_assert_error (error, CS_ERROR, code);
  assert_message_has (error, message);
}

static void
test_npy_errors (void)
{
  const float f4[6] = { 1, 2, 3, 4, 5, 6 };
  const float with_nan[6] = { 1, 2, 3, 4, NAN, 6 };
  const double with_inf[4] = { 1, 2, 3, -INFINITY };
  const gint32 neg[2] = { 0, -1 };
  const gint32 three[3] = { 0, 1, 2 };
  const float floats[2] = { 0, 1 };
  g_autofree char *good = write_npy ("good.npy", 1, "<f4", FALSE, "(2, 3)", f4, sizeof f4);
  g_autofree char *bad_magic = write_file ("magic.npy", "\x93NUMPX\x01\x00\x10\x00", 10);
  g_autofree char *empty = write_file ("empty.npy", "", 0);
  g_autofree char *i2 = write_npy ("i2.npy", 1, "<i2", FALSE, "(2, 3)", f4, 12);
  g_autofree char *c8 = write_npy ("c8.npy", 1, "<c8", FALSE, "(2, 3)", f4, sizeof f4);
  g_autofree char *fortran = write_npy ("fortran.npy", 1, "<f4", TRUE, "(2, 3)", f4, sizeof f4);
  g_autofree char *truncated = write_npy ("truncated.npy", 1, "<f4", FALSE, "(2, 3)", f4, 20);
  g_autofree char *nan
      = write_npy ("nan.npy", 1, "<f4", FALSE, "(2, 3)", with_nan, sizeof with_nan);
  g_autofree char *inf
      = write_npy ("inf.npy", 2, "<f8", FALSE, "(2, 2)", with_inf, sizeof with_inf);
  g_autofree char *one_d = write_npy ("oned.npy", 1, "<f4", FALSE, "(6,)", f4, sizeof f4);
  g_autofree char *version = write_npy ("version.npy", 4, "<f4", FALSE, "(2, 3)", f4, sizeof f4);
  g_autofree char *negative = write_npy ("neg.npy", 1, "<i4", FALSE, "(2,)", neg, sizeof neg);
  g_autofree char *count = write_npy ("count.npy", 1, "<i4", FALSE, "(3,)", three, sizeof three);
  g_autofree char *float_labels
      = write_npy ("fl.npy", 1, "<f4", FALSE, "(2,)", floats, sizeof floats);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.npy", NULL);
  g_autofree char *expected = g_strdup_printf (
      "truncated at byte %" G_GSIZE_FORMAT ", expected %" G_GSIZE_FORMAT " bytes",
      npy_data_offset (1, "<f4", "(2, 3)") + 20, npy_data_offset (1, "<f4", "(2, 3)") + 24);
  g_autofree char *inf_message
      = g_strdup_printf ("(sample 1, feature 1) at byte %" G_GSIZE_FORMAT " is infinite",
                         npy_data_offset (2, "<f8", "(2, 2)") + 24);
  g_autofree char *short_header = NULL;
  g_autoptr (GByteArray) whole = make_npy (1, "<f4", FALSE, "(2, 3)", f4, sizeof f4);

  short_header = write_file ("short-header.npy", whole->data, 30);

  expect_npy_error (bad_magic, NULL, CS_ERROR_FORMAT, "bad magic");
  expect_npy_error (empty, NULL, CS_ERROR_FORMAT, "empty file");
  expect_npy_error (i2, NULL, CS_ERROR_FORMAT, "unsupported dtype '<i2'");
  expect_npy_error (c8, NULL, CS_ERROR_FORMAT, "unsupported dtype '<c8'");
  expect_npy_error (fortran, NULL, CS_ERROR_FORMAT,
                    "Fortran-order arrays are not supported; save with np.ascontiguousarray");
  expect_npy_error (truncated, NULL, CS_ERROR_FORMAT, expected);
  expect_npy_error (truncated, NULL, CS_ERROR_FORMAT, truncated);
  expect_npy_error (short_header, NULL, CS_ERROR_FORMAT, "truncated at byte 30");
  expect_npy_error (nan, NULL, CS_ERROR_FORMAT, "(sample 1, feature 1)");
  expect_npy_error (nan, NULL, CS_ERROR_FORMAT, "is NaN");
  expect_npy_error (inf, NULL, CS_ERROR_FORMAT, inf_message);
  {
    /* Finite in float64, past float32: its own message. */
    const double beyond[4] = { 1, 2, -1e300, 4 };
    g_autofree char *path
        = write_npy ("beyond.npy", 1, "<f8", FALSE, "(2, 2)", beyond, sizeof beyond);

    expect_npy_error (path, NULL, CS_ERROR_FORMAT,
                      "(sample 1, feature 0) at byte 144 is beyond the single-precision range");
  }
  expect_npy_error (one_d, NULL, CS_ERROR_FORMAT, "found shape (6,)");
  expect_npy_error (version, NULL, CS_ERROR_FORMAT, "unsupported .npy format version 4.0");
  expect_npy_error (missing, NULL, CS_ERROR_IO, missing);
  expect_npy_error (good, negative, CS_ERROR_FORMAT, "label -1 at index 1 is negative");
  expect_npy_error (good, count, CS_ERROR_FORMAT, "3 labels for 2 samples");
  expect_npy_error (good, float_labels, CS_ERROR_FORMAT, "labels must be integers");
  expect_npy_error (good, missing, CS_ERROR_IO, missing);
}

/* Dispatcher */

static void
test_load_dispatch (void)
{
  g_autoptr (GError) error = NULL;
  CsLoadOptions options;
  const float f4[4] = { 1, 2, 3, 4 };
  const gint32 i4[2] = { 0, 1 };
  g_autofree char *csv = write_text ("Dispatch.CSV", "a,b,label\n1,2,x\n3,4,y\n");
  g_autofree char *npy = write_npy ("dispatch.npy", 1, "<f4", FALSE, "(2, 2)", f4, sizeof f4);
  g_autofree char *npy_labels
      = write_npy ("dispatch-labels.npy", 1, "<i4", FALSE, "(2,)", i4, sizeof i4);
  g_autofree char *idx
      = write_idx ("d-images-idx3-ubyte.gz", 0x08, 3, idx_dims3, idx_pixels, 18, TRUE);
  g_autofree char *idx_labels_path
      = write_idx ("d-labels-idx1-ubyte.gz", 0x08, 1, idx_dims3, idx_labels, 3, TRUE);
  g_autofree char *txt = write_text ("data.txt", "1,2\n");
  g_autofree char *missing = g_build_filename (tmpdir, "nowhere.csv", NULL);
  g_autoptr (CsDataset) synthetic = NULL;
  g_autoptr (CsDataset) from_csv = NULL;
  g_autoptr (CsDataset) from_npy = NULL;
  g_autoptr (CsDataset) from_idx = NULL;

  cs_load_options_init (&options);
  g_assert_null (options.labels_path);
  g_assert_null (options.label_column);
  g_assert_false (options.standardize);
  g_assert_null (options.fashion_dir);
  g_assert_cmpuint (options.synthetic.n, ==, 3000);
  g_assert_cmpuint (options.synthetic.k, ==, 5);

  options.synthetic.n = 100;
  options.synthetic.d = 8;
  synthetic = cs_dataset_load ("synthetic-blobs", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (synthetic->n, ==, 100);
  g_assert_cmpuint (synthetic->d, ==, 8);
  g_assert_cmpuint (synthetic->image_width, ==, 0);
  g_clear_pointer (&synthetic, cs_dataset_unref);
  /* The spec picks the kind, whatever options.synthetic.kind says; glyphs are square. */
  options.synthetic.kind = CS_SYNTHETIC_BLOBS;
  g_assert_null (cs_dataset_load ("synthetic", &options, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);
  options.synthetic.d = 0;
  synthetic = cs_dataset_load ("synthetic", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (synthetic->d, ==, 144);
  g_assert_cmpuint (synthetic->image_width, ==, 12);
  options.synthetic.d = 8;

  options.label_column = "label";
  options.standardize = TRUE;
  from_csv = cs_dataset_load (csv, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (from_csv->n, ==, 2);
  g_assert_cmpuint (from_csv->n_classes, ==, 2);
  g_assert_cmpfloat (from_csv->x[0], ==, -1.0f);
  g_assert_cmpfloat (from_csv->x[3], ==, 1.0f);

  options.labels_path = npy_labels;
  from_npy = cs_dataset_load (npy, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (from_npy->n, ==, 2);
  g_assert_cmpint (from_npy->labels[1], ==, 1);

  /* The labels file beside an IDX images file is found by its name. */
  options.labels_path = NULL;
  from_idx = cs_dataset_load (idx, &options, &error);
  g_assert_no_error (error);
  check_idx_images (from_idx);
  g_assert_nonnull (from_idx->labels);
  g_assert_cmpint (from_idx->labels[0], ==, 2);

  g_assert_null (cs_dataset_load (txt, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
  assert_message_has (error, txt);
  assert_message_has (error, ".csv");
  assert_message_has (error, ".npy");
  assert_message_has (error, "IDX");
  g_clear_error (&error);

  g_assert_null (cs_dataset_load (missing, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, missing);
  g_clear_error (&error);

  g_assert_null (cs_dataset_load ("fashion-mnist-tset", NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, "fashion-mnist-test");
  g_clear_error (&error);

  g_assert_null (cs_dataset_load (tmpdir, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, "directory");
}

static void
load_done (GObject *object, GAsyncResult *result, gpointer data)
{
  GAsyncResult **out = data;

  g_assert_null (object);
  *out = g_object_ref (result);
}

/* cs_dataset_load on a worker: the options' strings are copied, the answer comes through the
 * main context and names the spec it was asked for. */
static GAsyncResult *
load_async (const char *spec, const CsLoadOptions *options)
{
  GAsyncResult *result = NULL;

  cs_dataset_load_async (spec, options, NULL, load_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (cs_dataset_load_get_spec (result), ==, spec);
  return result;
}

static void
test_load_async (void)
{
  g_autofree char *csv = write_text ("async.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
  g_autofree char *missing = g_build_filename (tmpdir, "nowhere.npy", NULL);
  g_autofree char *column = g_strdup ("label");
  g_autoptr (GAsyncResult) r1 = NULL, r2 = NULL, r3 = NULL;
  g_autoptr (CsDataset) synthetic = NULL, from_csv = NULL, none = NULL;
  CsLoadOptions options;
  GError *error = NULL;

  cs_load_options_init (&options);
  options.synthetic.n = 50;
  options.synthetic.d = 4;
  r1 = load_async ("synthetic-blobs", &options);
  synthetic = cs_dataset_load_finish (r1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (synthetic->n, ==, 50);
  g_assert_cmpuint (synthetic->d, ==, 4);
  /* Scanned on the worker, so that Start does not scan on the main thread. */
  g_assert_cmpuint (synthetic->scanned, !=, 0);

  options.label_column = column;
  cs_dataset_load_async (csv, &options, NULL, load_done, &r2);
  /* The job has its own copy: the caller's string may go at once. */
  memset (column, 'z', strlen (column));
  while (r2 == NULL)
    g_main_context_iteration (NULL, TRUE);
  from_csv = cs_dataset_load_finish (r2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (from_csv->n, ==, 3);
  g_assert_cmpuint (from_csv->d, ==, 2);
  g_assert_cmpuint (from_csv->n_classes, ==, 2);

  r3 = load_async (missing, NULL);
  none = cs_dataset_load_finish (r3, &error);
  g_assert_null (none);
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "nowhere.npy"));
  g_clear_error (&error);
}

/* Fashion-MNIST */

static const char *
fashion_dir (void)
{
  const char *dir = g_getenv ("CS_FASHION_MNIST_DIR");

  return dir != NULL && *dir != '\0' ? dir : FASHION_MNIST_DIR;
}

static void
test_fashion_test_split (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) dataset = NULL;
  g_autoptr (CsDataset) again = NULL;
  guint counts[10] = { 0 };
  float max = 0.0f, min = 1.0f;
  CsLoadOptions options;

  if (!g_file_test (fashion_dir (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
      return;
    }

  dataset = cs_dataset_load_fashion_mnist (NULL, CS_FASHION_TEST, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dataset->n, ==, 10000);
  g_assert_cmpuint (dataset->d, ==, 784);
  g_assert_cmpuint (dataset->image_width, ==, 28);
  g_assert_cmpuint (dataset->image_height, ==, 28);
  g_assert_cmpuint (dataset->n_classes, ==, 10);
  g_assert_cmpstr (dataset->name, ==, "Fashion-MNIST (test, 10 000)");
  g_assert_cmpstr (dataset->source, ==, "fashion-mnist-test");
  g_assert_nonnull (dataset->class_names);
  g_assert_cmpuint (g_strv_length (dataset->class_names), ==, 10);
  g_assert_cmpstr (dataset->class_names[0], ==, "T-shirt/top");
  g_assert_cmpstr (dataset->class_names[9], ==, "Ankle boot");
  g_assert_cmpint (dataset->labels[0], ==, 9);

  for (gsize i = 0; i < dataset->n; i++)
    counts[dataset->labels[i]]++;
  for (guint c = 0; c < 10; c++)
    g_assert_cmpuint (counts[c], ==, 1000);
  for (gsize i = 0; i < dataset->n * dataset->d; i++)
    {
      max = MAX (max, dataset->x[i]);
      min = MIN (min, dataset->x[i]);
    }
  g_assert_cmpfloat (min, ==, 0.0f);
  g_assert_cmpfloat (max, ==, 1.0f);

  cs_load_options_init (&options);
  options.fashion_dir = fashion_dir ();
  again = cs_dataset_load ("fashion-mnist-test", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (again->x, again->n * again->d * sizeof (float), dataset->x,
                   dataset->n * dataset->d * sizeof (float));
}

static void
test_fashion_all (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) all = NULL;
  g_autoptr (CsDataset) test = NULL;
  gint64 start;

  if (!g_test_thorough ())
    {
      g_test_skip ("loads 70 000 images; run with -m thorough");
      return;
    }
  if (!g_file_test (fashion_dir (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
      return;
    }

  start = g_get_monotonic_time ();
  all = cs_dataset_load_fashion_mnist (NULL, CS_FASHION_ALL, &error);
  g_assert_no_error (error);
  g_test_message ("train + test loaded in %.3f s", (g_get_monotonic_time () - start) / 1e6);
  test = cs_dataset_load_fashion_mnist (NULL, CS_FASHION_TEST, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (all->n, ==, 70000);
  g_assert_cmpstr (all->name, ==, "Fashion-MNIST (train + test, 70 000)");
  g_assert_cmpstr (all->source, ==, "fashion-mnist");
  g_assert_cmpmem (all->x + 60000 * 784, 10000 * 784 * sizeof (float), test->x,
                   10000 * 784 * sizeof (float));
  g_assert_cmpmem (all->labels + 60000, 10000 * sizeof (gint32), test->labels,
                   10000 * sizeof (gint32));
}

static void
test_fashion_missing (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *nowhere = g_build_filename (tmpdir, "no-fashion-here", NULL);
  g_autofree char *empty_dir = g_build_filename (tmpdir, "empty-fashion", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("CS_FASHION_MNIST_DIR"));

  g_assert_null (cs_dataset_load_fashion_mnist (nowhere, CS_FASHION_TEST, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, "dataset-fashion-mnist");
  assert_message_has (error, nowhere);
  g_clear_error (&error);

  /* The directory exists but lacks the files. */
  g_assert_cmpint (g_mkdir (empty_dir, 0700), ==, 0);
  g_assert_null (cs_dataset_load_fashion_mnist (empty_dir, CS_FASHION_TRAIN, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, "train-images-idx3-ubyte.gz");
  assert_message_has (error, "dataset-fashion-mnist");
  g_clear_error (&error);
  g_rmdir (empty_dir);

  /* With no directory given, the environment variable decides. */
  g_setenv ("CS_FASHION_MNIST_DIR", nowhere, TRUE);
  g_assert_null (cs_dataset_load ("fashion-mnist", NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  assert_message_has (error, nowhere);
  g_clear_error (&error);
  if (saved != NULL)
    g_setenv ("CS_FASHION_MNIST_DIR", saved, TRUE);
  else
    g_unsetenv ("CS_FASHION_MNIST_DIR");
}

static void
remove_tmpdir (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmpdir);
}

/* Under a memory limit (CS_MEMORY_LIMIT stands for the machine's free memory) every loader
 * refuses a dataset whose floats would not fit, before allocating them, with a message that
 * names the size; under a larger one the same files load. */
static void
test_memory_limit (void)
{
  g_autofree guint8 *pixels = g_malloc0 (2000 * 64);
  g_autofree float *values = g_new0 (float, 4000 * 10);
  g_autoptr (GString) csv = g_string_new (NULL);
  const guint32 idx_dims[] = { 2000, 8, 8 };
  g_autofree char *idx = NULL, *npy = NULL, *csv_path = NULL;
  const char *paths[3];
  CsLoadOptions options;

  idx = write_idx ("big.idx", 0x08, 3, idx_dims, pixels, 2000 * 64, TRUE);
  npy = write_npy ("big.npy", 1, "<f4", FALSE, "(4000, 10)", values, 4000 * 10 * sizeof (float));
  for (guint i = 0; i < 4000; i++)
    g_string_append (csv, "0.123456,1.234567,2.345678,3.456789\n");
  csv_path = write_text ("big.csv", csv->str);
  paths[0] = idx;
  paths[1] = npy;
  paths[2] = csv_path;
  cs_load_options_init (&options);

  g_setenv ("CS_MEMORY_LIMIT", "16k", TRUE);
  g_assert_cmpuint (cs_memory_available (), ==, 16384);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (CsDataset) ds = cs_dataset_load (paths[i], &options, &error);

      g_assert_null (ds);
      g_assert_error (error, CS_ERROR, CS_ERROR_NO_MEMORY);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, paths[i]));
      g_assert_nonnull (strstr (error->message, "needs about"));
      g_assert_nonnull (strstr (error->message, "but only 16.4"));
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (CsDataset) ds = cs_dataset_load ("synthetic", &options, &error);

    g_assert_error (error, CS_ERROR, CS_ERROR_NO_MEMORY);
  }

  g_setenv ("CS_MEMORY_LIMIT", "1G", TRUE);
  g_assert_cmpuint (cs_memory_available (), ==, G_GUINT64_CONSTANT (1) << 30);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (CsDataset) ds = cs_dataset_load (paths[i], &options, &error);

      g_assert_no_error (error);
      g_assert_nonnull (ds);
    }
  g_unsetenv ("CS_MEMORY_LIMIT");
  /* The machine's own figure is some positive number of bytes. */
  g_assert_cmpuint (cs_memory_available (), >, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("cs-test-datasets-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/dataset/new-take", test_new_take);
  g_test_add_func ("/dataset/scan-values", test_scan_values);
  g_test_add_func ("/dataset/synthetic/defaults", test_synthetic_defaults);
  g_test_add_func ("/dataset/synthetic/blobs", test_synthetic_blobs);
  g_test_add_func ("/dataset/synthetic/check", test_synthetic_check);
  g_test_add_func ("/dataset/synthetic/seed", test_synthetic_seed);
  g_test_add_func ("/dataset/idx/raw", test_idx_raw);
  g_test_add_func ("/dataset/idx/gzip", test_idx_gzip);
  g_test_add_func ("/dataset/idx/2d", test_idx_2d);
  g_test_add_func ("/dataset/idx/errors", test_idx_errors);
  g_test_add_func ("/dataset/csv/header-string-labels", test_csv_header_string_labels);
  g_test_add_func ("/dataset/csv/integer-labels", test_csv_integer_labels);
  g_test_add_func ("/dataset/csv/dialects", test_csv_dialects);
  g_test_add_func ("/dataset/csv/standardize", test_csv_standardize);
  g_test_add_func ("/dataset/csv/errors", test_csv_errors);
  g_test_add_func ("/dataset/csv/gzip-and-tsv", test_csv_compressed_and_tab);
  g_test_add_func ("/dataset/npy/valid", test_npy_valid);
  g_test_add_func ("/dataset/npy/errors", test_npy_errors);
  g_test_add_func ("/dataset/load/dispatch", test_load_dispatch);
  g_test_add_func ("/dataset/load/async", test_load_async);
  g_test_add_func ("/dataset/memory-limit", test_memory_limit);
  g_test_add_func ("/dataset/fashion/test-split", test_fashion_test_split);
  g_test_add_func ("/dataset/fashion/all", test_fashion_all);
  g_test_add_func ("/dataset/fashion/missing", test_fashion_missing);

  status = g_test_run ();
  remove_tmpdir ();
  g_free (tmpdir);
  return status;
}
