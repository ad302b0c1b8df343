/* cs-dataset-load.c: one entry point that picks the loader for a spec, blocking or async.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-dataset-load.h"
#include "cs-error.h"
#include "cs-memory.h"

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

  /* The spec names the kind, so that a run's config.json (which keeps the spec) brings
   * the same kind back. */
  if (g_str_equal (spec, "synthetic") || g_str_equal (spec, "synthetic-blobs"))
    {
      CsSyntheticOptions synthetic = options->synthetic;

      synthetic.kind = g_str_equal (spec, "synthetic") ? CS_SYNTHETIC_GLYPHS : CS_SYNTHETIC_BLOBS;
      if (!cs_synthetic_options_check (&synthetic, error))
        return NULL;
      {
        /* The points as floats, and as doubles while they are made. */
        guint d = synthetic.d ? synthetic.d : synthetic.kind == CS_SYNTHETIC_GLYPHS ? 144 : 50;
        guint64 need = (guint64) synthetic.n * d * (4 + 2 * 8);

        if (!cs_memory_check (need, _ ("Making the synthetic dataset"), NULL, error))
          return NULL;
      }
      return cs_dataset_new_synthetic (&synthetic);
    }
  if (g_str_equal (spec, "fashion-mnist-test"))
    return cs_dataset_load_fashion_mnist (options->fashion_dir, CS_FASHION_TEST, error);
  if (g_str_equal (spec, "fashion-mnist-train"))
    return cs_dataset_load_fashion_mnist (options->fashion_dir, CS_FASHION_TRAIN, error);
  if (g_str_equal (spec, "fashion-mnist"))
    return cs_dataset_load_fashion_mnist (options->fashion_dir, CS_FASHION_ALL, error);

  if (!g_file_test (spec, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO,
                   _ ("%s: no such file (nor a built-in dataset: synthetic, synthetic-blobs, "
                      "fashion-mnist-test, fashion-mnist-train, fashion-mnist)"),
                   spec);
      return NULL;
    }
  if (g_file_test (spec, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("%s: is a directory, not a data file"), spec);
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

  g_set_error (
      error, CS_ERROR, CS_ERROR_FORMAT,
      _ ("%s: unknown file type; supported formats are CSV or TSV (.csv, .tsv, optionally "
         "gzip-compressed “.gz”), NumPy (.npy) and IDX "
         "(names containing “idx” or ending in “-ubyte”, optionally gzip-compressed “.gz”)"),
      spec);
  return NULL;
}

/* The job's own copy of what it loads. */
typedef struct
{
  char *spec;
  CsLoadOptions options;
  char *labels_path, *label_column, *fashion_dir;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_free (job->spec);
  g_free (job->labels_path);
  g_free (job->label_column);
  g_free (job->fashion_dir);
  g_free (job);
}

static void
load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  LoadJob *job = task_data;
  GError *error = NULL;
  CsDataset *dataset = cs_dataset_load (job->spec, &job->options, &error);

  /* Here, off the main thread, rather than when the user presses Start. */
  if (dataset != NULL)
    cs_dataset_scan_values (dataset, NULL, NULL);
  if (dataset == NULL)
    g_task_return_error (task, error);
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, dataset, (GDestroyNotify) cs_dataset_unref);
  else
    cs_dataset_unref (dataset);
}

void
cs_dataset_load_async (const char *spec,
                       const CsLoadOptions *options,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  LoadJob *job;

  g_return_if_fail (spec != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (LoadJob, 1);
  job->spec = g_strdup (spec);
  if (options != NULL)
    job->options = *options;
  else
    cs_load_options_init (&job->options);
  job->options.labels_path = job->labels_path = g_strdup (job->options.labels_path);
  job->options.label_column = job->label_column = g_strdup (job->options.label_column);
  job->options.fashion_dir = job->fashion_dir = g_strdup (job->options.fashion_dir);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_dataset_load_async);
  g_task_set_name (task, "[clusterscope] load dataset");
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_thread);
}

CsDataset *
cs_dataset_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_dataset_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
cs_dataset_load_get_spec (GAsyncResult *result)
{
  LoadJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  job = g_task_get_task_data (G_TASK (result));
  return job->spec;
}
