/* test-export.c: every export from snapshots and a view-state record, with no widget.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-error.h"
#include "cs-export.h"
#include "cs-run.h"
#include "cs-trainer.h"

typedef struct
{
  char *dir;
  CsDataset *dataset;
  CsTrainer *trainer;
  GPtrArray *history; /* CsSnapshot */
  CsSettings settings;
} Fixture;

static void
collect (CsSnapshot *snapshot, gpointer data)
{
  g_ptr_array_add (data, cs_snapshot_ref (snapshot));
}

/* A short real run: 2 pretraining and 2 clustering epochs of a small network. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  CsSyntheticOptions opt;
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("cs-export-XXXXXX", &error);
  g_assert_no_error (error);
  cs_synthetic_options_init (&opt);
  opt.kind = CS_SYNTHETIC_BLOBS;
  opt.n = 600;
  opt.k = 4;
  f->dataset = cs_dataset_new_synthetic (&opt);
  cs_settings_init_default (&f->settings);
  f->settings.k = 4;
  f->settings.n_hidden = 1;
  f->settings.hidden[0] = 32;
  f->settings.embedding_dim = 3;
  f->settings.pretrain_epochs = 2;
  f->settings.epochs = 2;
  f->settings.batch_size = 128;
  f->settings.kmeans_n_init = 2;
  f->trainer = cs_trainer_new (f->dataset, &f->settings, &error);
  g_assert_no_error (error);
  f->history = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  cs_trainer_set_snapshot_func (f->trainer, collect, f->history);
  g_assert_true (cs_trainer_run (f->trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->history->len, ==, 4);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_ptr_array_unref (f->history);
  cs_trainer_unref (f->trainer);
  cs_dataset_unref (f->dataset);
}

/* What a window showing the last epoch would pass. */
static void
fill_source (Fixture *f, CsExportSource *source)
{
  guint n = f->history->len;

  cs_export_source_init (source);
  source->dataset = f->dataset;
  source->shown = g_ptr_array_index (f->history, n - 1);
  source->trail = (CsSnapshot *const *) f->history->pdata;
  source->n_trail = n - 1;
  source->history = (CsSnapshot *const *) f->history->pdata;
  source->n_history = n;
  source->view.cursor = (gint) n - 1;
  source->view.width = 640;
  source->view.height = 400;
  source->settings = f->settings;
  source->dataset_spec = "synthetic-blobs";
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  CsExportKind kind;
  char *path;
  GBytes *model;
} Wait;

static void
export_done (GObject *object, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  g_assert_null (object);
  w->ok = cs_export_finish (result, &w->error);
  w->kind = cs_export_get_kind (result);
  w->path = g_strdup (cs_export_get_path (result));
  w->done = TRUE;
}

/* cs_export_async, waited for on the main context; FALSE with error as it finished. */
static gboolean export(CsExportKind kind,
                       const char *path,
                       const CsExportSource *source,
                       GError **error)
{
  Wait w = { 0 };

  cs_export_async (kind, path, source, NULL, export_done, &w);
  /* Never at once: the answer comes through the main context. */
  g_assert_false (w.done);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (w.kind, ==, kind);
  g_assert_cmpstr (w.path, ==, path);
  g_free (w.path);
  if (w.error != NULL)
    g_propagate_error (error, w.error);
  return w.ok;
}

static GBytes *
read_bytes (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static void
test_plots (Fixture *f, gconstpointer data)
{
  static const char png[] = "\x89PNG\r\n\x1a\n";
  const struct
  {
    CsExportKind kind;
    const char *name;
    const char *magic;
  } plots[] = {
    { CS_EXPORT_SCATTER, "scatter.png", png },
    { CS_EXPORT_CURVES, "curves.svg", "<?xml" },
    { CS_EXPORT_CONFUSION, "confusion.pdf", "%PDF-1." },
    { CS_EXPORT_DASHBOARD, "dashboard.pdf", "%PDF-1." },
    { CS_EXPORT_DASHBOARD, "dashboard.png", png },
  };
  CsExportSource source;
  GError *error = NULL;

  fill_source (f, &source);
  for (guint i = 0; i < G_N_ELEMENTS (plots); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, plots[i].name, NULL);
      g_autoptr (GBytes) bytes = NULL;
      const guint8 *p;
      gsize len;

      g_assert_true (export(plots[i].kind, path, &source, &error));
      g_assert_no_error (error);
      bytes = read_bytes (path);
      p = g_bytes_get_data (bytes, &len);
      g_assert_cmpuint (len, >, 500);
      g_assert_cmpmem (p, strlen (plots[i].magic), plots[i].magic, strlen (plots[i].magic));
      if (plots[i].magic == png)
        {
          /* The size of the view-state record: IHDR's width and height, big-endian. */
          g_assert_cmpuint (GUINT32_FROM_BE (*(const guint32 *) (p + 16)), ==, 640);
          g_assert_cmpuint (GUINT32_FROM_BE (*(const guint32 *) (p + 20)), ==, 400);
        }
    }
}

/* The view-state record is what decides the picture: zoom and colouring change it, the same
 * record gives the same bytes. */
static void
test_view_state (Fixture *f, gconstpointer data)
{
  g_autofree char *fit = g_build_filename (f->dir, "fit.png", NULL);
  g_autofree char *again = g_build_filename (f->dir, "again.png", NULL);
  g_autofree char *zoomed = g_build_filename (f->dir, "zoomed.png", NULL);
  g_autofree char *by_label = g_build_filename (f->dir, "by-label.png", NULL);
  g_autoptr (GBytes) b_fit = NULL, b_again = NULL, b_zoomed = NULL, b_label = NULL;
  CsExportSource source;
  GError *error = NULL;

  fill_source (f, &source);
  g_assert_true (export(CS_EXPORT_SCATTER, fit, &source, &error));
  g_assert_true (export(CS_EXPORT_SCATTER, again, &source, &error));
  cs_plot_scatter_fit (source.shown, &source.view.zoom);
  source.view.zoom.x1 = (source.view.zoom.x0 + source.view.zoom.x1) / 2;
  g_assert_true (export(CS_EXPORT_SCATTER, zoomed, &source, &error));
  fill_source (f, &source);
  source.view.color_by = CS_COLOR_BY_LABEL;
  g_assert_true (export(CS_EXPORT_SCATTER, by_label, &source, &error));
  g_assert_no_error (error);

  b_fit = read_bytes (fit);
  b_again = read_bytes (again);
  b_zoomed = read_bytes (zoomed);
  b_label = read_bytes (by_label);
  g_assert_true (g_bytes_equal (b_fit, b_again));
  g_assert_false (g_bytes_equal (b_fit, b_zoomed));
  g_assert_false (g_bytes_equal (b_fit, b_label));
}

/* The CSVs are the run module's, byte for byte. */
static void
test_csv (Fixture *f, gconstpointer data)
{
  g_autofree char *labels = g_build_filename (f->dir, "labels.csv", NULL);
  g_autofree char *labels_ref = g_build_filename (f->dir, "labels-ref.csv", NULL);
  g_autofree char *metrics = g_build_filename (f->dir, "metrics.csv", NULL);
  g_autofree char *metrics_ref = g_build_filename (f->dir, "metrics-ref.csv", NULL);
  g_autoptr (GBytes) a = NULL, b = NULL, c = NULL, d = NULL;
  CsExportSource source;
  GError *error = NULL;

  fill_source (f, &source);
  g_assert_true (export(CS_EXPORT_LABELS, labels, &source, &error));
  g_assert_true (export(CS_EXPORT_METRICS, metrics, &source, &error));
  g_assert_no_error (error);
  g_assert_true (cs_run_write_labels_csv (labels_ref, f->dataset, source.shown, &error));
  g_assert_true (cs_run_write_metrics_csv (metrics_ref, source.history, source.n_history, &error));
  g_assert_no_error (error);
  a = read_bytes (labels);
  b = read_bytes (labels_ref);
  c = read_bytes (metrics);
  d = read_bytes (metrics_ref);
  g_assert_true (g_bytes_equal (a, b));
  g_assert_true (g_bytes_equal (c, d));
  g_assert_true (g_str_has_prefix (g_bytes_get_data (a, NULL), "id,label,cluster,confidence,x,y"));
}

static void
model_ready (GObject *object, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  w->model = cs_trainer_dup_model_finish (result, &w->error);
  w->done = TRUE;
}

/* Save Run from the bytes the trainer publishes: the folder has every file, model.bin is
 * those bytes, and the folder loads back. */
static void
test_run_folder (Fixture *f, gconstpointer data)
{
  g_autofree char *run = g_build_filename (f->dir, "run", NULL);
  g_autofree char *model_path = g_build_filename (run, "model.bin", NULL);
  g_autofree char *config = g_build_filename (run, "config.json", NULL);
  g_autofree char *spec = NULL;
  const char *files[] = { "config.json", "metrics.csv", "labels.csv", "model.bin" };
  g_autoptr (GBytes) written = NULL;
  CsExportSource source;
  CsSettings back;
  Wait w = { 0 };
  GError *error = NULL;

  cs_trainer_dup_model_async (f->trainer, NULL, model_ready, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  g_assert_nonnull (w.model);

  fill_source (f, &source);
  source.model = w.model;
  g_assert_true (export(CS_EXPORT_RUN, run, &source, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (run, files[i], NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  written = read_bytes (model_path);
  g_assert_true (g_bytes_equal (written, w.model));
  cs_settings_init_default (&back);
  g_assert_true (cs_run_read_config (config, &back, &spec, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (spec, ==, "synthetic-blobs");
  g_assert_cmpuint (back.k, ==, f->settings.k);
  g_bytes_unref (w.model);
}

/* Errors say what to do, and a failed export leaves nothing behind. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *no_ext = g_build_filename (f->dir, "scatter.txt", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "scatter.png", NULL);
  g_autofree char *labels = g_build_filename (f->dir, "labels.csv", NULL);
  CsExportKind kind;
  CsExportSource source;
  GError *error = NULL;

  g_assert_true (cs_export_kind_from_string ("dashboard", &kind));
  g_assert_cmpint (kind, ==, CS_EXPORT_DASHBOARD);
  g_assert_false (cs_export_kind_from_string ("movie", &kind));

  fill_source (f, &source);
  g_assert_false (export(CS_EXPORT_SCATTER, no_ext, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "scatter.txt"));
  g_clear_error (&error);
  g_assert_false (g_file_test (no_ext, G_FILE_TEST_EXISTS));

  g_assert_false (export(CS_EXPORT_SCATTER, missing, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "scatter.png"));
  g_clear_error (&error);

  /* Cancelled before the worker begins: nothing written. */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    Wait w = { 0 };

    g_cancellable_cancel (cancellable);
    cs_export_async (CS_EXPORT_LABELS, labels, &source, cancellable, export_done, &w);
    while (!w.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (w.ok);
    g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&w.error);
    g_free (w.path);
    g_assert_false (g_file_test (labels, G_FILE_TEST_EXISTS));
  }

  /* Nothing shown yet: nothing to export, blocking or not. */
  source.shown = NULL;
  source.n_history = 0;
  g_assert_false (export(CS_EXPORT_LABELS, labels, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cs_export_write (CS_EXPORT_METRICS, labels, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (g_file_test (labels, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/export/plots", test_plots);
  ADD ("/export/view-state", test_view_state);
  ADD ("/export/csv", test_csv);
  ADD ("/export/run-folder", test_run_folder);
  ADD ("/export/errors", test_errors);
#undef ADD
  return g_test_run ();
}
