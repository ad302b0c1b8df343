/* test-export.c: every export from snapshots and a view-state record, with no widget.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gif_lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <string.h>

#include "cs-test-tree.h"
#include "cs-animation.h"
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
fixture_tear_down (Fixture *f, gconstpointer data)
{
  cs_test_remove_tree (f->dir);
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

static guint
count_in (GBytes *bytes, const char *needle)
{
  gsize len;
  const char *p = g_bytes_get_data (bytes, &len), *end = p + len;
  guint n = 0;

  while ((p = g_strstr_len (p, end - p, needle)) != NULL)
    {
      n++;
      p += strlen (needle);
    }
  return n;
}

/* When the points are images, the scatter's PNG and SVG carry the legend's prototype pictures
 * (the same renderer as the window) and the run folder a prototypes.png; otherwise neither. */
static void
test_prototypes (Fixture *f, gconstpointer data)
{
  CsExportSource source;
  GError *error = NULL;
  cairo_surface_t *png[2];
  int width, height, stride, differ = 0;
  guint n_images[2];

  g_assert_cmpuint (f->dataset->d, ==, 50);
  fill_source (f, &source);
  for (guint images = 0; images < 2; images++)
    {
      g_autofree char *png_path = g_strdup_printf ("%s/scatter-%u.png", f->dir, images);
      g_autofree char *svg_path = g_strdup_printf ("%s/scatter-%u.svg", f->dir, images);
      g_autofree char *run_path = g_strdup_printf ("%s/run-%u", f->dir, images);
      g_autofree char *prototypes = g_build_filename (run_path, "prototypes.png", NULL);
      g_autoptr (GBytes) svg = NULL;

      /* The blobs' 50 values drawn as 5 x 10 pictures. */
      f->dataset->image_width = images ? 5 : 0;
      f->dataset->image_height = images ? 10 : 0;
      g_assert_true (export(CS_EXPORT_SCATTER, png_path, &source, &error));
      g_assert_true (export(CS_EXPORT_SCATTER, svg_path, &source, &error));
      g_assert_true (export(CS_EXPORT_RUN, run_path, &source, &error));
      g_assert_no_error (error);
      png[images] = cairo_image_surface_create_from_png (png_path);
      g_assert_cmpint (cairo_surface_status (png[images]), ==, CAIRO_STATUS_SUCCESS);
      svg = read_bytes (svg_path);
      n_images[images] = count_in (svg, "<image");
      g_assert_cmpint (g_file_test (prototypes, G_FILE_TEST_EXISTS), ==, (gboolean) images);
    }
  f->dataset->image_width = f->dataset->image_height = 0;
  /* The point raster is a picture too; each cluster's prototype adds one. */
  g_test_message ("SVG pictures: %u without prototypes, %u with", n_images[0], n_images[1]);
  g_assert_cmpuint (n_images[1], >=, n_images[0] + f->settings.k);

  /* The two PNGs differ in the legend column (the right quarter) only. */
  width = cairo_image_surface_get_width (png[0]);
  height = cairo_image_surface_get_height (png[0]);
  stride = cairo_image_surface_get_stride (png[0]);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        gsize at = (gsize) y * stride + 4 * x;

        if (memcmp (cairo_image_surface_get_data (png[0]) + at,
                    cairo_image_surface_get_data (png[1]) + at, 4)
            != 0)
          {
            g_assert_cmpint (x, >, width * 3 / 4);
            differ++;
          }
      }
  g_assert_cmpint (differ, >, 4 * 12 * 12);
  cairo_surface_destroy (png[0]);
  cairo_surface_destroy (png[1]);
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

/* The selection: its CSV holds the labelled CSV's header and exactly its rows, the scatter
 * draws it (emphasised: other bytes than without), and with nothing selected the export says
 * what to do. */
static void
test_selection (Fixture *f, gconstpointer data)
{
  g_autofree char *labels = g_build_filename (f->dir, "labels.csv", NULL);
  g_autofree char *selection = g_build_filename (f->dir, "selection.csv", NULL);
  g_autofree char *plain = g_build_filename (f->dir, "plain.png", NULL);
  g_autofree char *emphasised = g_build_filename (f->dir, "emphasised.png", NULL);
  g_autofree char *all = NULL, *some = NULL;
  g_auto (GStrv) all_lines = NULL, some_lines = NULL;
  g_autoptr (GBytes) a = NULL, b = NULL;
  g_autofree guint8 *mask = g_malloc0 (f->dataset->n);
  CsExportSource source;
  GError *error = NULL;
  guint j = 1;

  for (gsize i = 0; i < f->dataset->n; i += 7)
    mask[i] = 1;
  fill_source (f, &source);
  g_assert_false (export(CS_EXPORT_SELECTION, selection, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (g_file_test (selection, G_FILE_TEST_EXISTS));
  g_assert_true (export(CS_EXPORT_SCATTER, plain, &source, &error));

  source.selection = mask;
  g_assert_true (export(CS_EXPORT_LABELS, labels, &source, &error));
  g_assert_true (export(CS_EXPORT_SELECTION, selection, &source, &error));
  g_assert_true (export(CS_EXPORT_SCATTER, emphasised, &source, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (labels, &all, NULL, NULL));
  g_assert_true (g_file_get_contents (selection, &some, NULL, NULL));
  all_lines = g_strsplit (g_strchomp (all), "\n", -1);
  some_lines = g_strsplit (g_strchomp (some), "\n", -1);
  g_assert_cmpuint (g_strv_length (all_lines), ==, f->dataset->n + 1);
  g_assert_cmpstr (some_lines[0], ==, all_lines[0]);
  for (gsize i = 0; i < f->dataset->n; i++)
    if (mask[i])
      g_assert_cmpstr (some_lines[j++], ==, all_lines[i + 1]);
  g_assert_null (some_lines[j]);

  a = read_bytes (plain);
  b = read_bytes (emphasised);
  g_assert_false (g_bytes_equal (a, b));
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
/* The folder read back as a comparison: every epoch's scores and settings, and the last
 * epoch's points as they were shown. */
static void
check_read_back (Fixture *f, const char *run)
{
  g_autoptr (CsHistory) back = NULL;
  g_autoptr (CsHistory) wrong_size = NULL;
  g_autofree char *name = NULL;
  g_autofree char *metrics = g_build_filename (run, "metrics.csv", NULL);
  GError *error = NULL;
  CsSnapshot *last, *orig;
  guint n;

  back = cs_run_read_history (run, f->dataset->n, &name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpstr (name, ==, "roy, seed 0");
  n = cs_history_get_n (back);
  g_assert_cmpuint (n, ==, f->history->len);
  for (guint i = 0; i < n; i++)
    {
      CsSnapshot *s = cs_history_get (back, i);

      orig = g_ptr_array_index (f->history, i);
      g_assert_cmpuint (s->epoch, ==, orig->epoch);
      g_assert_cmpuint (s->phase, ==, orig->phase);
      g_assert_cmpuint (s->phase_epoch, ==, orig->phase_epoch);
      g_assert_cmpuint (s->k, ==, orig->k);
      g_assert_cmpfloat_with_epsilon (s->metrics.loss_rec, orig->metrics.loss_rec,
                                      1e-5 * orig->metrics.loss_rec);
      g_assert_cmpint (isnan (s->metrics.acc), ==, isnan (orig->metrics.acc));
      g_assert_cmpfloat_with_epsilon (s->settings.lr, orig->settings.lr, 1e-9);
      g_assert_cmpuint (s->n, ==, i + 1 < n ? 0 : f->dataset->n);
    }
  last = cs_history_get_latest (back);
  orig = g_ptr_array_index (f->history, n - 1);
  g_assert_cmpfloat_with_epsilon (last->metrics.acc, orig->metrics.acc, 1e-5);
  for (gsize i = 0; i < last->n; i++)
    {
      g_assert_cmpuint (last->clusters[i], ==, orig->clusters[i]);
      g_assert_cmpfloat_with_epsilon (last->xy[2 * i], orig->xy[2 * i], 1e-5);
    }
  for (guint j = 0; j < last->k; j++)
    {
      g_assert_cmpint (last->cluster_sizes[j], ==, orig->cluster_sizes[j]);
      g_assert_cmpint (last->cluster_to_class[j], ==, orig->cluster_to_class[j]);
      g_assert_true (isfinite (last->centroids_xy[2 * j]));
    }

  /* Points of another dataset: the scores only. */
  wrong_size = cs_run_read_history (run, f->dataset->n + 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cs_history_get_latest (wrong_size)->n, ==, 0);

  /* Not a metrics table: refused with the file's name. */
  g_assert_true (g_file_set_contents (metrics, "hello\n1,2\n", -1, NULL));
  g_assert_null (cs_run_read_history (run, 0, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "metrics.csv"));
  g_clear_error (&error);
}

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
  check_read_back (f, run);
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

/* Animations ------------------------------------------------------------------------------ */

/* The frames giflib reads back, each checked against the screen's size. */
static guint
gif_frames (const char *path, guint width, guint height)
{
  int code = 0;
  GifFileType *gif = DGifOpenFileName (path, &code);
  gboolean loops = FALSE;
  guint n;

  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->SWidth, ==, width);
  g_assert_cmpint (gif->SHeight, ==, height);
  g_assert_nonnull (gif->SColorMap);
  n = (guint) gif->ImageCount;
  for (guint i = 0; i < n; i++)
    {
      GraphicsControlBlock gcb;

      g_assert_cmpint (DGifSavedExtensionToGCB (gif, (int) i, &gcb), ==, GIF_OK);
      g_assert_cmpint (gcb.DelayTime, ==, 25); /* 4 frames per second */
    }
  /* NETSCAPE2.0, then its sub-block 1 with 0 repeats: loop forever. giflib files the
   * extensions before an image with that image. */
  for (int i = 0; i + 1 < gif->SavedImages[0].ExtensionBlockCount; i++)
    {
      const ExtensionBlock *b = gif->SavedImages[0].ExtensionBlocks;

      if (b[i].Function == APPLICATION_EXT_FUNC_CODE && b[i].ByteCount == 11
          && memcmp (b[i].Bytes, "NETSCAPE2.0", 11) == 0 && b[i + 1].ByteCount == 3
          && memcmp (b[i + 1].Bytes, "\x01\x00\x00", 3) == 0)
        loops = TRUE;
    }
  g_assert_true (loops);
  DGifCloseFile (gif, &code);
  return n;
}

/* The frames GStreamer decodes back (filesrc ! matroskademux ! vp8dec ! appsink), each of the
 * given size, and the stream's duration as the muxer wrote it. */
static guint
webm_frames (const char *path, guint width, guint height, GstClockTime *duration)
{
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GError) error = NULL;
  GstSample *sample;
  guint n = 0;

  gst_init (NULL, NULL);
  pipeline = gst_parse_launch (
      "filesrc name=src ! matroskademux ! vp8dec ! appsink name=sink sync=false", &error);
  g_assert_no_error (error);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_object_set (src, "location", path, NULL);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL)
    {
      GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
      int w = 0, h = 0;

      g_assert_true (gst_structure_get_int (s, "width", &w));
      g_assert_true (gst_structure_get_int (s, "height", &h));
      g_assert_cmpint (w, ==, width);
      g_assert_cmpint (h, ==, height);
      gst_sample_unref (sample);
      n++;
    }
  g_assert_true (gst_app_sink_is_eos (GST_APP_SINK (sink)));
  if (!gst_element_query_duration (pipeline, GST_FORMAT_TIME, (gint64 *) duration))
    *duration = GST_CLOCK_TIME_NONE;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return n;
}

static void
assert_magic (const char *path, const char *magic, gsize length)
{
  g_autoptr (GBytes) bytes = read_bytes (path);
  gsize size;
  const guint8 *p = g_bytes_get_data (bytes, &size);

  g_assert_cmpuint (size, >, 1000);
  g_assert_cmpmem (p, length, magic, length);
}

typedef struct
{
  guint calls, last_done, total;
  gboolean after_done;
  Wait *wait;
  gboolean destroyed;
} Progress;

static void
on_progress (guint done, guint total, gpointer data)
{
  Progress *p = data;

  /* In order, on the main context, never after the export has reported. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_cmpuint (done, >, p->last_done);
  g_assert_cmpuint (done, <=, total);
  if (p->wait->done)
    p->after_done = TRUE;
  p->calls++;
  p->last_done = done;
  p->total = total;
}

static void
on_progress_destroy (gpointer data)
{
  ((Progress *) data)->destroyed = TRUE;
}

/* cs_export_async_with_progress, waited for; FALSE with error as it finished. */
static gboolean
export_animation (const char *path,
                  const CsExportSource *source,
                  Progress *progress,
                  GCancellable *cancellable,
                  GError **error)
{
  Wait w = { 0 };

  progress->wait = &w;
  cs_export_async_with_progress (CS_EXPORT_ANIMATION, path, source, on_progress, progress,
                                 on_progress_destroy, cancellable, export_done, &w);
  while (!w.done || !progress->destroyed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (progress->after_done);
  g_assert_cmpint (w.kind, ==, CS_EXPORT_ANIMATION);
  g_free (w.path);
  if (w.error != NULL)
    g_propagate_error (error, w.error);
  return w.ok;
}

/* The scatter of every epoch as WebM and GIF, the dashboard of two: valid files (magic bytes)
 * with one frame per epoch read back by GStreamer and giflib, progress up to the last frame. */
static void
test_animation (Fixture *f, gconstpointer data)
{
  g_autofree char *webm = g_build_filename (f->dir, "run.webm", NULL);
  g_autofree char *gif = g_build_filename (f->dir, "run.gif", NULL);
  g_autofree char *dash = g_build_filename (f->dir, "dashboard.GIF", NULL);
  guint n = f->history->len;
  GstClockTime duration = 0;
  CsExportSource source;
  GError *error = NULL;
  gint64 t0;

  fill_source (f, &source);
  source.view.width = 320;
  source.view.height = 200;

  for (guint i = 0; i < 2; i++)
    {
      const char *path = i == 0 ? webm : gif;
      Progress progress = { 0 };

      t0 = g_get_monotonic_time ();
      g_assert_true (export_animation (path, &source, &progress, NULL, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %u frames of 320 x 200 in %.2f s", path, n,
                      (g_get_monotonic_time () - t0) / 1e6);
      g_assert_cmpuint (progress.calls, >=, 1);
      g_assert_cmpuint (progress.last_done, ==, n);
      g_assert_cmpuint (progress.total, ==, n);
    }
  assert_magic (webm, "\x1a\x45\xdf\xa3", 4); /* EBML */
  assert_magic (gif, "GIF89a", 6);
  g_assert_cmpuint (webm_frames (webm, 320, 200, &duration), ==, n);
  /* 4 frames per second: the muxer went back to write the duration. */
  g_assert_cmpuint (duration, ==, n * GST_SECOND / 4);
  g_assert_cmpuint (gif_frames (gif, 320, 200), ==, n);

  /* The dashboard, of the clustering epochs only (indices 2 .. 3), through the blocking call. */
  source.view.animate = CS_EXPORT_DASHBOARD;
  source.view.first = 2;
  source.view.last = -1;
  source.view.width = 480;
  g_assert_true (cs_export_write (CS_EXPORT_ANIMATION, dash, &source, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gif_frames (dash, 480, 200), ==, n - 2);
}

/* The GIF's frames look like the plot: its palette keeps the plot's own colours (background,
 * cluster colours) exactly, so a frame decoded back matches the PNG export almost everywhere. */
static void
test_animation_colours (Fixture *f, gconstpointer data)
{
  g_autofree char *gif_path = g_build_filename (f->dir, "last.gif", NULL);
  g_autofree char *png_path = g_build_filename (f->dir, "last.png", NULL);
  cairo_surface_t *png;
  GifFileType *gif;
  CsExportSource source;
  GError *error = NULL;
  const guint8 *data_png, *raster;
  guint same = 0, close = 0, n_pixels;
  int stride, code = 0;
  const ColorMapObject *map;

  /* The last epoch alone, with the trail the window draws behind it (the clustering epochs
   * before it: index 2). */
  fill_source (f, &source);
  source.trail = (CsSnapshot *const *) f->history->pdata + 2;
  source.n_trail = 1;
  source.view.first = -1 + (gint) f->history->len;
  g_assert_true (cs_export_write (CS_EXPORT_ANIMATION, gif_path, &source, &error));
  g_assert_no_error (error);

  gif = DGifOpenFileName (gif_path, &code);
  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->ImageCount, ==, 1);
  map = gif->SColorMap;
  raster = gif->SavedImages[0].RasterBits;

  /* The same frame as a PNG: the animation fits all frames at once, one frame fits itself. */
  source.view.zoom = (CsViewport){ 0 };
  cs_plot_scatter_fit (source.shown, &source.view.zoom);
  g_assert_true (export(CS_EXPORT_SCATTER, png_path, &source, &error));
  g_assert_no_error (error);
  png = cairo_image_surface_create_from_png (png_path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  data_png = cairo_image_surface_get_data (png);
  stride = cairo_image_surface_get_stride (png);
  /* Below the title, which differs: the animation's gives the metrics. */
  n_pixels = 640 * (400 - 32);
  for (guint y = 32; y < 400; y++)
    for (guint x = 0; x < 640; x++)
      {
        guint32 p = ((const guint32 *) (data_png + (gsize) y * stride))[x];
        const GifColorType *c = &map->Colors[raster[y * 640 + x]];
        int dr = (int) ((p >> 16) & 0xff) - c->Red, dg = (int) ((p >> 8) & 0xff) - c->Green,
            db = (int) (p & 0xff) - c->Blue;
        int d = MAX (ABS (dr), MAX (ABS (dg), ABS (db)));

        same += d == 0;
        close += d <= 24;
      }
  g_test_message ("GIF frame vs PNG: %.2f %% exact, %.2f %% within 24 levels",
                  100.0 * same / n_pixels, 100.0 * close / n_pixels);
  /* Only anti-aliased edges may differ, and only a little. */
  g_assert_cmpfloat ((double) same / n_pixels, >, 0.93);
  g_assert_cmpfloat ((double) close / n_pixels, >, 0.998);
  /* The clusters' colours are in the palette as drawn (cairo rounds to within 1 level). */
  for (guint k = 0; k < source.shown->k; k++)
    {
      CsRgba rgba;
      gboolean found = FALSE;

      cs_palette_color (k, source.shown->k, FALSE, &rgba);
      for (int i = 0; i < map->ColorCount; i++)
        found |= ABS (map->Colors[i].Red - rgba.r * 255) <= 1
                 && ABS (map->Colors[i].Green - rgba.g * 255) <= 1
                 && ABS (map->Colors[i].Blue - rgba.b * 255) <= 1;
      g_assert_true (found);
    }
  cairo_surface_destroy (png);
  DGifCloseFile (gif, &code);
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* Cancels the animation while its second frame is drawn. */
static void
draw_and_cancel (cairo_t *cr, double width, double height, guint frame, gpointer data)
{
  cairo_set_source_rgb (cr, 0.1 * frame, 0.5, 0.2);
  cairo_rectangle (cr, 0, 0, width / 2, height / 2);
  cairo_fill (cr);
  if (frame == 1)
    g_cancellable_cancel (data);
}

/* A cancel between frames leaves the old file as it was and no temporary file; a name without
 * .webm / .gif, or an empty range, is refused before anything is drawn. */
static void
test_animation_errors (Fixture *f, gconstpointer data)
{
  const char *names[] = { "old.webm", "old.gif" };
  g_autofree char *mp4 = g_build_filename (f->dir, "run.mp4", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty.gif", NULL);
  CsExportSource source;
  GError *error = NULL;
  CsAnimationFormat format;

  g_assert_true (cs_animation_format_from_path ("a/b.WebM", &format));
  g_assert_cmpint (format, ==, CS_ANIMATION_WEBM);
  g_assert_false (cs_animation_format_from_path ("a.gif/b", &format));
  g_assert_true (cs_animation_check_format (CS_ANIMATION_WEBM, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      g_autoptr (GBytes) bytes = NULL;
      CsAnimationParams params;

      g_assert_true (cs_animation_format_from_path (path, &format));
      g_assert_true (g_file_set_contents (path, "old", -1, NULL));
      cs_animation_params_init (&params);
      params.format = format;
      params.width = 64;
      params.height = 48;
      params.n_frames = 10;
      params.draw = draw_and_cancel;
      params.user_data = cancellable;
      g_assert_false (cs_animation_write (path, &params, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      bytes = read_bytes (path);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "old", 3);
      g_assert_cmpuint (count_files (f->dir), ==, i + 1);
    }

  /* Through the export, cancelled before it begins: the progress data is released all the
   * same, and nothing is written. */
  fill_source (f, &source);
  {
    g_autofree char *path = g_build_filename (f->dir, names[0], NULL);
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    Progress progress = { 0 };

    g_cancellable_cancel (cancellable);
    g_assert_false (export_animation (path, &source, &progress, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpuint (progress.calls, ==, 0);
    g_assert_cmpuint (count_files (f->dir), ==, 2);
  }

  g_assert_false (export(CS_EXPORT_ANIMATION, mp4, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "run.mp4"));
  g_assert_nonnull (strstr (error->message, ".webm"));
  g_clear_error (&error);

  source.view.first = 3;
  source.view.last = 1;
  g_assert_false (cs_export_write (CS_EXPORT_ANIMATION, empty, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  source.view.first = 0;
  source.view.last = -1;
  source.view.fps = 0;
  g_assert_false (cs_export_write (CS_EXPORT_ANIMATION, empty, &source, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (count_files (f->dir), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/export/plots", test_plots);
  ADD ("/export/prototypes", test_prototypes);
  ADD ("/export/view-state", test_view_state);
  ADD ("/export/csv", test_csv);
  ADD ("/export/selection", test_selection);
  ADD ("/export/run-folder", test_run_folder);
  ADD ("/export/errors", test_errors);
  ADD ("/export/animation", test_animation);
  ADD ("/export/animation-colours", test_animation_colours);
  ADD ("/export/animation-errors", test_animation_errors);
#undef ADD
  return g_test_run ();
}
