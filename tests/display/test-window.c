/* test-window.c: drives the real window through its actions, as a user would, under Xvfb.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <gif_lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-application.h"
#include "cs-error.h"
#include "cs-window-private.h"
#include "display-util.h"

/* Every wait is bounded: a hang fails the test instead of stalling CI. */
#define WAIT_SECONDS 180.0

static void
count_notify (guint *count)
{
  (*count)++;
}

static gboolean
exports_done (gpointer data)
{
  return cs_window_get_n_exports_pending (CS_WINDOW (data)) == 0;
}

/* Exports write on a worker thread; the main loop runs until they are on disk. */
static void
wait_exports (CsWindow *window)
{
  g_assert_true (wait_for (exports_done, window, WAIT_SECONDS));
}

static const char *const run_files[] = { "config.json", "metrics.csv", "labels.csv", "model.bin" };

/* win.save-run-to dir, and every file of a run folder there once the worker is done. */
static void
save_run (CsWindow *window, const char *dir)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-run-to", "s", dir));
  wait_exports (window);
  for (guint i = 0; i < G_N_ELEMENTS (run_files); i++)
    {
      g_autofree char *path = g_build_filename (dir, run_files[i], NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

static void
remove_run (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (run_files); i++)
    {
      g_autofree char *path = g_build_filename (dir, run_files[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

typedef struct
{
  GtkApplication *app;
  CsWindow *window;
  CsController *controller;
  char *dir;
  guint target; /* a history length to reach */
  guint k;      /* a K to see in a snapshot */
  double lr;    /* a learning rate to see in a snapshot */
  gint found;   /* history index of the snapshot that carried them */
} Fixture;

static gboolean
dataset_is_synthetic (gpointer data)
{
  Fixture *f = data;
  const char *spec = cs_controller_get_dataset_spec (f->controller);

  return !cs_controller_is_loading (f->controller) && spec != NULL
         && g_str_equal (spec, "synthetic");
}

static gboolean
not_loading (gpointer data)
{
  Fixture *f = data;

  return !cs_controller_is_loading (f->controller);
}

static gboolean
history_reaches_target (gpointer data)
{
  Fixture *f = data;

  return cs_controller_get_n_history (f->controller) >= f->target
         || cs_controller_get_state (f->controller) == CS_RUN_FINISHED;
}

static gboolean
snapshot_carries_settings (gpointer data)
{
  Fixture *f = data;
  guint n = 0;
  CsSnapshot *const *history = cs_controller_get_history (f->controller, &n);

  for (guint i = 0; i < n; i++)
    if (history[i]->settings.k == f->k && history[i]->k == f->k
        && fabs (history[i]->settings.lr - f->lr) < 1e-9)
      {
        f->found = i;
        return TRUE;
      }
  return cs_controller_get_state (f->controller) == CS_RUN_FINISHED;
}

static gboolean
run_finished (gpointer data)
{
  Fixture *f = data;

  return cs_controller_get_state (f->controller) == CS_RUN_FINISHED;
}

/* The last file of a run folder is there (each is renamed into place whole). */
static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static guint
count_clustering (CsSnapshot *const *history, guint n)
{
  guint count = 0;

  for (guint i = 0; i < n; i++)
    count += history[i]->phase == CS_PHASE_CLUSTER;
  return count;
}

static void
set_setting (CsWindow *window, const char *name, guint value)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", name,
                                             g_variant_new_uint32 (value)));
}

/* Export validation ------------------------------------------------------------------------ */

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
check_png (const char *path, guint32 width, guint32 height)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_cmpmem (contents, 8, signature, 8);
  /* The first chunk is IHDR: width and height, big-endian. */
  g_assert_cmpmem (contents + 12, 4, "IHDR", 4);
  g_assert_cmpuint (read_be32 ((const guint8 *) contents + 16), ==, width);
  g_assert_cmpuint (read_be32 ((const guint8 *) contents + 20), ==, height);
}

static void
on_start_element (GMarkupParseContext *context,
                  const char *element,
                  const char **names,
                  const char **values,
                  gpointer user_data,
                  GError **error)
{
  guint *n_elements = user_data;

  if (*n_elements == 0)
    g_assert_cmpstr (element, ==, "svg");
  (*n_elements)++;
}

static void
check_gif (const char *path, int width, int height, guint n_frames)
{
  int code = 0;
  GifFileType *gif = DGifOpenFileName (path, &code);

  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->SWidth, ==, width);
  g_assert_cmpint (gif->SHeight, ==, height);
  g_assert_cmpint (gif->ImageCount, ==, n_frames);
  DGifCloseFile (gif, &code);
}

/* Every frame shows for delay hundredths of a second. */
static void
check_gif_delay (const char *path, int delay)
{
  int code = 0;
  GifFileType *gif = DGifOpenFileName (path, &code);

  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  for (int i = 0; i < gif->ImageCount; i++)
    {
      GraphicsControlBlock gcb;

      g_assert_cmpint (DGifSavedExtensionToGCB (gif, i, &gcb), ==, GIF_OK);
      g_assert_cmpint (gcb.DelayTime, ==, delay);
    }
  DGifCloseFile (gif, &code);
}

static void
check_svg (const char *path)
{
  static const GMarkupParser parser = { on_start_element, NULL, NULL, NULL, NULL };
  g_autofree char *contents = NULL;
  g_autoptr (GMarkupParseContext) context = NULL;
  g_autoptr (GError) error = NULL;
  const char *start;
  gsize length = 0;
  guint n_elements = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 500);
  /* GMarkup does not take the XML declaration; the document starts at the root. */
  start = strstr (contents, "<svg");
  g_assert_nonnull (start);
  context = g_markup_parse_context_new (&parser, 0, &n_elements, NULL);
  g_markup_parse_context_parse (context, start, length - (start - contents), &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_elements, >, 10);
}

static void
check_pdf (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 500);
  g_assert_true (g_str_has_prefix (contents, "%PDF-1."));
  g_assert_nonnull (g_strstr_len (contents + length - MIN (length, 64), MIN (length, 64), "%%EOF"));
}

/* Returns the number of lines; checks every line has the header's number of fields. */
static guint
check_csv (const char *path, char ***header_out)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_fields, n_lines = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (g_strchomp (contents), "\n", -1);
  *header_out = g_strsplit (lines[0], ",", -1);
  n_fields = g_strv_length (*header_out);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, n_fields);
      n_lines++;
    }
  return n_lines;
}

/* The test --------------------------------------------------------------------------------- */

static void
test_window_train_and_export (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  CsScatterView *scatter;
  CsCurvesView *curves;
  CsConfusionView *confusion;
  CsDataset *dataset;
  CsSnapshot *const *history;
  CsCurvesParams curves_params;
  CsSnapshot *latest;
  CsViewport view;
  guint n, m, pretrain = 2;
  g_autofree char *png = NULL, *png_small = NULL, *svg = NULL, *pdf = NULL, *dash = NULL;
  g_autofree char *anim = NULL;
  g_autofree char *labels = NULL, *metrics = NULL, *bad = NULL;
  g_auto (GStrv) header = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *paused_dir = NULL;
  g_autofree char *closing_dir = NULL, *closing_model = NULL;
  gpointer controller_alive, window_alive;

  f.dir = g_dir_make_tmp ("clusterscope-display-XXXXXX", &error);
  g_assert_no_error (error);

  f.app = GTK_APPLICATION (cs_application_new ());
  g_application_set_flags (G_APPLICATION (f.app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f.app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f.app));
  f.window = CS_WINDOW (gtk_application_get_active_window (f.app));
  g_assert_nonnull (f.window);
  f.controller = cs_window_get_controller (f.window);
  scatter = cs_window_get_scatter_view (f.window);
  curves = cs_window_get_curves_view (f.window);
  confusion = cs_window_get_confusion_view (f.window);

  /* A file dropped on the window opens as the dataset (here an unlabelled CSV). */
  {
    g_autofree char *csv = g_build_filename (f.dir, "dropped.csv", NULL);
    g_autoptr (GString) text = g_string_new ("a,b,c\n");
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f.window));
    g_autoptr (GFile) file = g_file_new_for_path (csv);
    GtkDropTarget *drop = NULL;
    GValue value = G_VALUE_INIT;
    gboolean accepted = FALSE;

    for (guint i = 0; i < 120; i++)
      g_string_append_printf (text, "%u,%g,%g\n", i % 3, (i % 3) * 2.0 + (i % 7) * 0.1, i * 0.01);
    g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

        if (GTK_IS_DROP_TARGET (c))
          drop = GTK_DROP_TARGET (c);
      }
    g_assert_nonnull (drop);
    g_value_init (&value, G_TYPE_FILE);
    g_value_set_object (&value, file);
    g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
    g_value_unset (&value);
    g_assert_true (accepted);
    g_assert_true (wait_for (not_loading, &f, WAIT_SECONDS));
    g_assert_cmpstr (cs_controller_get_dataset_spec (f.controller), ==, csv);
    g_assert_cmpuint (cs_controller_get_dataset (f.controller)->n, ==, 120);
    g_assert_cmpuint (cs_controller_get_dataset (f.controller)->d, ==, 3);
    /* No labels: the matrix says why, colouring by label is off. */
    g_assert_false (cs_confusion_view_has_labels (confusion));
    g_assert_false (gtk_widget_get_sensitive (f.window->color_by_label_button));
    g_unlink (csv);
  }

  /* Dataset, through the action the dataset menu uses. */
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.select-dataset", "s", "synthetic"));
  g_assert_true (wait_for (dataset_is_synthetic, &f, WAIT_SECONDS));
  dataset = cs_controller_get_dataset (f.controller);
  g_assert_nonnull (dataset);
  g_assert_cmpuint (dataset->n, >, 100);
  g_assert_nonnull (dataset->labels);
  /* A newly chosen labelled dataset starts with one cluster per class. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (cs_controls_get_k_spin (f.window->controls)),
                   ==, dataset->n_classes);

  /* A file that cannot be read: the error shows in the window, the dataset stays whole. */
  {
    g_autofree char *missing = g_build_filename (f.dir, "missing.csv", NULL);
    GListModel *toplevels = gtk_window_get_toplevels ();
    AdwMessageDialog *dialog = NULL;

    g_assert_true (
        gtk_widget_activate_action (GTK_WIDGET (f.window), "win.select-dataset", "s", missing));
    g_assert_true (wait_for (not_loading, &f, WAIT_SECONDS));
    g_assert_true (cs_controller_get_dataset (f.controller) == dataset);
    g_assert_cmpstr (cs_controller_get_dataset_spec (f.controller), ==, "synthetic");
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr (GtkWindow) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (w))
          dialog = ADW_MESSAGE_DIALOG (w);
      }
    g_assert_nonnull (dialog);
    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "missing.csv"));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* Small, quick settings, through the same action as the panel. */
  set_setting (f.window, "pretrain-epochs", pretrain);
  set_setting (f.window, "epochs", 200);
  set_setting (f.window, "embedding-dim", 5);
  set_setting (f.window, "batch-size", 256);
  set_setting (f.window, "seed", 7);
  set_setting (f.window, "kmeans-n-init", 3);

  /* The panel remembers what it was given, and the controller follows it. */
  {
    g_autoptr (GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *spec = g_settings_get_string (settings, "dataset");
    CsSettings next;

    g_assert_cmpuint (g_settings_get_uint (settings, "pretrain-epochs"), ==, pretrain);
    g_assert_cmpuint (g_settings_get_uint (settings, "embedding-dim"), ==, 5);
    g_assert_cmpuint (g_settings_get_uint (settings, "kmeans-n-init"), ==, 3);
    g_assert_cmpstr (spec, ==, "synthetic");
    cs_controller_get_settings (f.controller, &next);
    g_assert_cmpuint (next.kmeans_n_init, ==, 3);
    g_assert_cmpuint (next.seed, ==, 7);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);

  /* While training, the dataset cannot be swapped under the worker. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.select-dataset", "s",
                              "fashion-mnist-test");
  g_assert_true (cs_controller_get_dataset (f.controller) == dataset);

  /* At least three clustering epochs. */
  f.target = pretrain + 3;
  g_assert_true (wait_for (history_reaches_target, &f, WAIT_SECONDS));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  history = cs_controller_get_history (f.controller, &n);
  g_assert_cmpuint (n, >=, pretrain + 3);
  g_assert_cmpuint (count_clustering (history, n), >=, 3);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (history[i]->epoch, ==, i + 1);

  /* Every view holds what the run produced, and follows the newest epoch. */
  latest = cs_controller_get_latest (f.controller);
  g_assert_true (cs_window_get_timeline_follows (f.window));
  g_assert_cmpint (cs_window_get_timeline_index (f.window), ==, (gint) n - 1);
  g_assert_true (cs_scatter_view_get_snapshot (scatter) == latest);
  g_assert_cmpuint (latest->n, ==, dataset->n);
  g_assert_cmpuint (latest->phase, ==, CS_PHASE_CLUSTER);
  g_assert_true (cs_plot_view_get_snapshot (CS_PLOT_VIEW (confusion)) == latest);
  g_assert_nonnull (latest->contingency);
  g_assert_true (cs_plot_view_get_history (CS_PLOT_VIEW (curves))
                 == cs_controller_get_history_model (f.controller));
  cs_curves_view_get_params (curves, &curves_params);
  g_assert_cmpuint (curves_params.n, ==, n);
  g_assert_cmpint (curves_params.cursor, ==, (gint) n - 1);
  for (guint i = 0; i < n; i++)
    g_assert_true (curves_params.history[i] == history[i]);
  g_assert_cmpuint (count_clustering ((CsSnapshot *const *) &history[0], n), >=, 3);
  /* Centroid trails come from the earlier clustering epochs. */
  g_assert_cmpuint (cs_scatter_view_get_n_trail (scatter), >=, 2);
  for (guint i = 0; i < n; i++)
    if (history[i]->phase == CS_PHASE_CLUSTER)
      g_assert_false (isnan (history[i]->metrics.acc));

  /* Change the learning rate and K mid-run: the next snapshots carry them. */
  f.lr = 0.0005;
  f.k = dataset->n_classes - 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set-lr", "d", f.lr));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set-k", "u", f.k));
  f.found = -1;
  g_assert_true (wait_for (snapshot_carries_settings, &f, WAIT_SECONDS));
  g_assert_cmpint (f.found, >=, (gint) n);
  history = cs_controller_get_history (f.controller, &n);
  g_assert_cmpuint (history[f.found]->k, ==, f.k);
  g_assert_cmpuint (history[f.found]->settings.k, ==, f.k);
  g_assert_cmpfloat_with_epsilon (history[f.found]->settings.lr, f.lr, 1e-9);
  /* The epoch where K changed says so (the plots mark it). */
  {
    gboolean marked = FALSE;

    for (guint i = 0; i <= (guint) f.found; i++)
      marked |= (history[i]->changed & CS_SETTING_K) != 0;
    g_assert_true (marked);
  }

  /* Scrub the timeline back: the views show that epoch and stay there as epochs arrive. The
   * scrub is one change of the history's current epoch, which the views observe. */
  {
    CsHistoryModel *model = cs_controller_get_history_model (f.controller);
    guint n_current = 0;
    gulong id = g_signal_connect_swapped (model, "notify::current", G_CALLBACK (count_notify),
                                          &n_current);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.timeline-seek", "i", 0));
    g_signal_handler_disconnect (model, id);
    g_assert_cmpuint (n_current, ==, 1);
  }
  history = cs_controller_get_history (f.controller, &n);
  g_assert_cmpint (cs_window_get_timeline_index (f.window), ==, 0);
  g_assert_false (cs_window_get_timeline_follows (f.window));
  g_assert_true (cs_scatter_view_get_snapshot (scatter) == history[0]);
  g_assert_true (cs_plot_view_get_snapshot (CS_PLOT_VIEW (confusion)) == history[0]);
  cs_curves_view_get_params (curves, &curves_params);
  g_assert_cmpint (curves_params.cursor, ==, 0);
  f.target = n + 1;
  g_assert_true (wait_for (history_reaches_target, &f, WAIT_SECONDS));
  g_assert_cmpint (cs_window_get_timeline_index (f.window), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.timeline-step", "i", 3));
  history = cs_controller_get_history (f.controller, &n);
  g_assert_cmpint (cs_window_get_timeline_index (f.window), ==, 3);
  g_assert_true (cs_scatter_view_get_snapshot (scatter) == history[3]);

  /* Arrow keys step the timeline, except where they edit a value. */
  {
    GtkEventController *keys = NULL;
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f.window));
    gboolean handled = FALSE;
    gint before;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GtkEventController) c = g_list_model_get_item (controllers, i);

        if (g_strcmp0 (gtk_event_controller_get_name (c), "cs-window-keys") == 0)
          keys = c;
      }
    g_assert_nonnull (keys);
    gtk_widget_activate_action (GTK_WIDGET (f.window), "win.timeline-seek", "i", 2);
    before = cs_window_get_timeline_index (f.window);
    gtk_widget_grab_focus (GTK_WIDGET (scatter));
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (cs_window_get_timeline_index (f.window), ==, before - 1);
    gtk_widget_grab_focus (GTK_WIDGET (cs_controls_get_lr_spin (f.window->controls)));
    handled = FALSE;
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_assert_false (handled);
    g_assert_cmpint (cs_window_get_timeline_index (f.window), ==, before - 1);

    /* Space pauses and resumes. */
    gtk_widget_grab_focus (GTK_WIDGET (scatter));
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_space, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_PAUSED);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_space, 0, 0, &handled);
    g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.timeline-latest", NULL));
  g_assert_true (cs_window_get_timeline_follows (f.window));
  g_assert_true (cs_scatter_view_get_snapshot (scatter) == cs_controller_get_latest (f.controller));

  /* Zoom and back to fit. */
  g_assert_false (cs_scatter_view_get_viewport (scatter, &view));
  cs_scatter_view_zoom (scatter, 2.0);
  g_assert_true (cs_scatter_view_get_viewport (scatter, &view));
  g_assert_cmpfloat (view.x1 - view.x0, >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.zoom-fit", NULL));
  g_assert_false (cs_scatter_view_get_viewport (scatter, NULL));

  /* Pause, so that the exports describe one stable epoch. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.pause", NULL));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_PAUSED);
  /* Snapshots already on their way may still land; then nothing more comes. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (cs_window_get_timeline_follows (f.window));
  latest = cs_controller_get_latest (f.controller);
  history = cs_controller_get_history (f.controller, &n);

  /* Saving the whole run while it is paused: the model is taken from the training thread, the
   * files are written on a worker, and the run goes on afterwards. */
  paused_dir = g_build_filename (f.dir, "paused-run", NULL);
  save_run (f.window, paused_dir);
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_PAUSED);

  png = g_build_filename (f.dir, "scatter.png", NULL);
  png_small = g_build_filename (f.dir, "curves-small.png", NULL);
  svg = g_build_filename (f.dir, "curves.svg", NULL);
  pdf = g_build_filename (f.dir, "confusion.pdf", NULL);
  dash = g_build_filename (f.dir, "dashboard.svg", NULL);
  labels = g_build_filename (f.dir, "labels.csv", NULL);
  metrics = g_build_filename (f.dir, "metrics.csv", NULL);
  bad = g_build_filename (f.dir, "no-such-dir", "scatter.png", NULL);

  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)", "scatter", png));
  wait_exports (f.window);
  check_png (png, 1600, 1000);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-size", "s", "800x500"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                             "curves", png_small));
  wait_exports (f.window);
  check_png (png_small, 800, 500);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)", "curves", svg));
  wait_exports (f.window);
  check_svg (svg);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                             "confusion", pdf));
  wait_exports (f.window);
  check_pdf (pdf);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                             "dashboard", dash));
  wait_exports (f.window);
  check_svg (dash);
  /* The scatter of every epoch so far, one GIF frame each, at the export size. */
  anim = g_build_filename (f.dir, "animation.gif", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                             "animation", anim));
  wait_exports (f.window);
  g_assert_null (f.window->animation_cancellable);
  check_gif (anim, 800, 500, cs_controller_get_n_history (f.controller));
  {
    g_autoptr (GSettings) anim_settings = g_settings_new (APP_ID);

    /* As the animation submenu sets it: the clustering epochs only, 10 a second, the dashboard. */
    g_settings_set_uint (anim_settings, "animation-fps", 10);
    g_settings_set_string (anim_settings, "animation-epochs", "clustering");
    g_settings_set_string (anim_settings, "animation-content", "dashboard");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                               "animation", anim));
    wait_exports (f.window);
    check_gif (anim, 800, 500, cs_controller_get_n_history (f.controller) - pretrain);
    check_gif_delay (anim, 10);
    g_settings_reset (anim_settings, "animation-fps");
    g_settings_reset (anim_settings, "animation-epochs");
    g_settings_reset (anim_settings, "animation-content");
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                             "labels", labels));
  wait_exports (f.window);
  g_assert_cmpuint (check_csv (labels, &header), ==, dataset->n + 1);
  m = latest->m;
  g_assert_cmpuint (m, ==, 5);
  g_assert_cmpuint (g_strv_length (header), ==, 6 + m);
  g_assert_cmpstr (header[0], ==, "id");
  g_assert_cmpstr (header[1], ==, "label");
  g_assert_cmpstr (header[2], ==, "cluster");
  g_assert_cmpstr (header[3], ==, "confidence");
  g_assert_cmpstr (header[4], ==, "x");
  g_assert_cmpstr (header[5], ==, "y");
  g_assert_cmpstr (header[6], ==, "z_0");
  g_clear_pointer (&header, g_strfreev);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.export-to", "(ss)",
                                             "metrics", metrics));
  wait_exports (f.window);
  g_assert_cmpuint (check_csv (metrics, &header), ==, n + 1);
  g_assert_cmpstr (header[0], ==, "epoch");
  g_assert_cmpstr (header[1], ==, "phase");
  g_clear_pointer (&header, g_strfreev);

  /* A failed export says why and leaves nothing behind. */
  g_assert_false (cs_window_export_to (f.window, "scatter", bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_false (cs_window_export_to (f.window, "scatter", labels, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
  g_clear_error (&error);

  /* Resume, stop, and start again: a new run replaces the history. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.pause", NULL));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.stop", NULL));
  g_assert_true (wait_for (run_finished, &f, WAIT_SECONDS));
  g_assert_cmpuint (cs_controller_get_n_history (f.controller), >=, n);

  /* Save the run, change a setting, open the run again: its settings and model come back,
   * and the next run starts from the saved model (no pretraining). */
  run_dir = g_build_filename (f.dir, "run", NULL);
  save_run (f.window, run_dir);
  set_setting (f.window, "pretrain-epochs", 9);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.open-run-from", "s", run_dir));
  g_assert_true (wait_for (not_loading, &f, WAIT_SECONDS));
  {
    CsSettings restored;

    cs_controller_get_settings (f.controller, &restored);
    g_assert_cmpuint (restored.pretrain_epochs, ==, pretrain);
    g_assert_cmpuint (restored.embedding_dim, ==, 5);
    g_assert_cmpstr (cs_controller_get_dataset_spec (f.controller), ==, "synthetic");
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  g_assert_cmpuint (cs_controller_get_n_history (f.controller), ==, 0);
  f.target = 1;
  g_assert_true (wait_for (history_reaches_target, &f, WAIT_SECONDS));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  g_assert_cmpuint (cs_controller_get_latest (f.controller)->phase, ==, CS_PHASE_CLUSTER);

  /* Close the window while training, with a run folder waiting for the end of the epoch:
   * the worker stops, the folder is written all the same, everything is freed, no hang. */
  closing_dir = g_build_filename (f.dir, "closing-run", NULL);
  closing_model = g_build_filename (closing_dir, "model.bin", NULL);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.save-run-to", "s", closing_dir));
  controller_alive = f.controller;
  g_object_add_weak_pointer (G_OBJECT (f.controller), &controller_alive);
  window_alive = f.window;
  g_object_add_weak_pointer (G_OBJECT (f.window), &window_alive);
  gtk_window_close (GTK_WINDOW (f.window));
  f.window = NULL;
  f.controller = NULL;
  g_assert_true (wait_for (pointer_cleared, &controller_alive, 30.0));
  g_assert_null (gtk_application_get_windows (f.app));
  g_assert_true (wait_for (file_exists, closing_model, WAIT_SECONDS));
  /* The export's report lets the window go last. */
  g_assert_true (wait_for (pointer_cleared, &window_alive, WAIT_SECONDS));

  for (const char *const *p
       = (const char *const[]){ png, png_small, svg, pdf, dash, anim, labels, metrics, NULL };
       *p != NULL; p++)
    g_unlink (*p);
  remove_run (run_dir);
  remove_run (paused_dir);
  remove_run (closing_dir);
  g_rmdir (f.dir);
  g_free (f.dir);
  g_object_unref (f.app);
}

/* Whether model, or a section or submenu of it, has an item for action. */
static gboolean
menu_has_action (GMenuModel *model, const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr (GMenuLinkIter) links = g_menu_model_iterate_item_links (model, i);
      GMenuModel *child;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name)
          && g_str_equal (name, action))
        return TRUE;
      while (g_menu_link_iter_get_next (links, NULL, &child))
        {
          gboolean found = menu_has_action (child, action);

          g_object_unref (child);
          if (found)
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (data)) == NULL;
}

/* F1 and the main menu's Help run app.help; it is there, enabled and bound to F1 (yelp itself
 * is not started). Uninstalled, it opens the source tree's guide. */
static void
test_window_help (void)
{
  g_autoptr (GtkApplication) app = GTK_APPLICATION (cs_application_new ());
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) accels = NULL;
  g_auto (GStrv) actions = NULL;
  g_autofree char *uri = NULL;
  GAction *help;
  CsWindow *window;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  g_assert_nonnull (gtk_application_get_active_window (app));

  help = g_action_map_lookup_action (G_ACTION_MAP (app), "help");
  g_assert_nonnull (help);
  g_assert_true (g_action_get_enabled (help));
  g_assert_null (g_action_get_parameter_type (help));
  accels = gtk_application_get_accels_for_action (app, "app.help");
  g_assert_true (g_strv_contains ((const char *const *) accels, "F1"));
  actions = gtk_application_get_actions_for_accel (app, "F1");
  g_assert_cmpstrv (actions, ((const char *const[]){ "app.help", NULL }));
  window = CS_WINDOW (gtk_application_get_active_window (app));
  g_assert_true (
      menu_has_action (gtk_menu_button_get_menu_model (window->menu_button), "app.help"));

  uri = cs_application_get_help_uri ();
  if (g_str_has_prefix (uri, "ghelp:"))
    {
      g_autofree char *index = g_build_filename (uri + strlen ("ghelp:"), "index.page", NULL);

      g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
    }
  else
    g_assert_cmpstr (uri, ==, "help:clusterscope");

  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (wait_for (no_windows, app, 30.0));
}

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add_func ("/window/train-and-export", test_window_train_and_export);
  g_test_add_func ("/window/help", test_window_help);
  return g_test_run ();
}
