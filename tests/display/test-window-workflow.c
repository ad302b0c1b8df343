/* test-window-workflow.c: continuing from an earlier epoch and the divergence guard, driven
 * through the window's actions under Xvfb.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window-workflow"

#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "../cs-test-tree.h"
#include "cs-metrics.h"

#include "cs-application.h"
#include "cs-error.h"
#include "cs-window-private.h"
#include "display-util.h"

#define WAIT_SECONDS 180.0

typedef struct
{
  GtkApplication *app;
  CsWindow *window;
  CsController *controller;
  guint target;
} Fixture;

static gboolean
not_loading (gpointer data)
{
  return !cs_controller_is_loading (((Fixture *) data)->controller);
}

static gboolean
finished (gpointer data)
{
  return cs_controller_get_state (((Fixture *) data)->controller) == CS_RUN_FINISHED;
}

static gboolean
paused (gpointer data)
{
  return cs_controller_get_state (((Fixture *) data)->controller) == CS_RUN_PAUSED;
}

static gboolean
history_reaches (gpointer data)
{
  Fixture *f = data;

  return cs_controller_get_n_history (f->controller) >= f->target
         || cs_controller_get_state (f->controller) == CS_RUN_FINISHED;
}

static gboolean
no_exports_pending (gpointer data)
{
  return cs_window_get_n_exports_pending (((Fixture *) data)->window) == 0;
}

static void
set_uint (CsWindow *window, const char *name, guint value)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", name,
                                             g_variant_new_uint32 (value)));
}

static void
set_double (CsWindow *window, const char *name, double value)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", name,
                                             g_variant_new_double (value)));
}

static void
fixture_set_up (Fixture *f, guint pretrain, guint epochs)
{
  g_autoptr (GError) error = NULL;

  f->app = GTK_APPLICATION (cs_application_new ());
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = CS_WINDOW (gtk_application_get_active_window (f->app));
  f->controller = cs_window_get_controller (f->window);

  set_uint (f->window, "pretrain-epochs", pretrain);
  set_uint (f->window, "epochs", epochs);
  set_uint (f->window, "embedding-dim", 4);
  set_uint (f->window, "batch-size", 256);
  set_uint (f->window, "kmeans-n-init", 2);
  set_uint (f->window, "seed", 3);
  set_double (f->window, "learning-rate", 0.001);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-dataset", "s",
                                             "synthetic-blobs"));
  g_assert_true (wait_for (not_loading, f, WAIT_SECONDS));
}

static void
fixture_tear_down (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_object_unref (f->app);
}

/* A copy of each epoch's losses, to compare a branch with the run it came from. */
static GArray *
losses (Fixture *f)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  guint n = 0;
  CsSnapshot *const *history = cs_controller_get_history (f->controller, &n);

  for (guint i = 0; i < n; i++)
    g_array_append_val (out, history[i]->metrics.loss_rec);
  return out;
}

/* A finished run of 2 + 4 epochs; continue from epoch 3: the history keeps epochs 1-3 and the
 * branch, with the same settings, gives the same epochs 4-6 as before (from the cached
 * checkpoint, byte for byte). Then from epoch 4 with a lower learning rate: epoch 4 stays,
 * epoch 5 on use the new rate. */
static void
test_branch (void)
{
  Fixture f = { 0 };
  g_autoptr (GArray) first = NULL, second = NULL;
  CsSnapshot *const *history;
  guint n = 0;

  fixture_set_up (&f, 2, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));
  g_assert_cmpuint (cs_controller_get_n_history (f.controller), ==, 6);
  first = losses (&f);

  cs_window_set_timeline_index (f.window, 2);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.continue-from-epoch", NULL));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  g_assert_cmpuint (cs_controller_get_n_history (f.controller), ==, 3);
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));
  second = losses (&f);
  g_assert_cmpuint (second->len, ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat (g_array_index (first, double, i), ==, g_array_index (second, double, i));

  set_double (f.window, "learning-rate", 0.0005);
  cs_window_set_timeline_index (f.window, 3);
  g_assert_true (
      gtk_widget_activate_action (GTK_WIDGET (f.window), "win.continue-from-epoch", NULL));
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));
  history = cs_controller_get_history (f.controller, &n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat (history[3]->metrics.loss_rec, ==, g_array_index (first, double, 3));
  g_assert_cmpfloat (fabs (history[3]->settings.lr - 0.001), <, 1e-12);
  g_assert_cmpfloat (fabs (history[4]->settings.lr - 0.0005), <, 1e-12);
  g_assert_cmpfloat (history[4]->metrics.loss_rec, !=, g_array_index (first, double, 4));

  /* This run becomes the comparison: a new run (dkm) trains with its scores dashed behind. */
  g_assert_false (cs_curves_view_has_comparison (f.window->curves_view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.compare-with-run", NULL));
  g_assert_true (cs_curves_view_has_comparison (f.window->curves_view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set", "(sv)", "algorithm",
                                             g_variant_new_string ("dkm")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));
  {
    CsCurvesParams params;

    cs_curves_view_get_params (f.window->curves_view, &params);
    g_assert_cmpuint (params.n_compare, ==, 6);
    g_assert_cmpstr (params.compare_name, ==, "roy, seed 3");
    g_assert_cmpint (params.history[params.n - 1]->settings.algorithm, ==, CS_ALGORITHM_DKM);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.clear-comparison", NULL));
  g_assert_false (cs_curves_view_has_comparison (f.window->curves_view));

  fixture_tear_down (&f);
}

/* The learning rate raised to 0.5 during a run: the guard pauses it at the last good epoch,
 * the banner says what happened and Restore puts that epoch's learning rate back; resuming
 * trains on. */
static void
test_divergence (void)
{
  Fixture f = { 0 };
  g_autoptr (GSettings) gsettings = g_settings_new (APP_ID);
  guint good;

  fixture_set_up (&f, 2, 30);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  f.target = 3;
  g_assert_true (wait_for (history_reaches, &f, WAIT_SECONDS));
  set_double (f.window, "learning-rate", 0.5);
  g_assert_true (wait_for (paused, &f, WAIT_SECONDS));

  good = cs_controller_get_latest (f.controller)->epoch;
  g_assert_cmpuint (f.window->diverged_good_epoch, ==, good);
  g_assert_true (gtk_revealer_get_reveal_child (f.window->divergence_revealer));
  g_test_message ("banner: %s", gtk_label_get_text (f.window->divergence_label));
  g_assert_nonnull (strstr (gtk_label_get_text (f.window->divergence_label), "diverged at epoch"));
  g_assert_nonnull (strstr (gtk_label_get_text (f.window->divergence_label), "lr 0.001 -> 0.5"));
  /* Every epoch kept is a good one. */
  for (guint i = 0; i < cs_controller_get_n_history (f.controller); i++)
    g_assert_true (isfinite (cs_controller_get_snapshot (f.controller, i)->metrics.loss_rec));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.restore-epoch", NULL));
  g_assert_false (gtk_revealer_get_reveal_child (f.window->divergence_revealer));
  g_assert_cmpfloat (fabs (g_settings_get_double (gsettings, "learning-rate") - 0.001), <, 1e-12);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_cmpint (cs_controller_get_state (f.controller), ==, CS_RUN_RUNNING);
  f.target = cs_controller_get_n_history (f.controller) + 2;
  g_assert_true (wait_for (history_reaches, &f, WAIT_SECONDS));
  g_assert_cmpuint (cs_controller_get_latest (f.controller)->epoch, >, good);
  g_assert_cmpfloat (fabs (cs_controller_get_latest (f.controller)->settings.lr - 0.001), <, 1e-12);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.stop", NULL));
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));
  fixture_tear_down (&f);
}

/* Share of the pixels in columns [x0, x1) of a PNG that are not near white: how much is drawn. */
static double
drawn_share (const char *path, int x0, int x1)
{
  cairo_surface_t *image = cairo_image_surface_create_from_png (path);
  int width, height, stride, drawn = 0;
  const guint8 *data;

  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  width = cairo_image_surface_get_width (image);
  height = cairo_image_surface_get_height (image);
  stride = cairo_image_surface_get_stride (image);
  data = cairo_image_surface_get_data (image);
  x1 = MIN (x1, width);
  for (int y = 0; y < height; y++)
    for (int x = x0; x < x1; x++)
      {
        const guint8 *p = data + (gsize) y * stride + 4 * x;

        drawn += p[0] < 200 || p[1] < 200 || p[2] < 200;
      }
  cairo_surface_destroy (image);
  return (double) drawn / ((double) (x1 - x0) * height);
}

/* The colours the compared run's scatter draws its clusters with are those of this run's
 * clusters with which they share the most points. */
static void
assert_matched_colours (Fixture *f)
{
  CsScatterParams mine, other;
  g_autofree gint *b_to_a = NULL;

  cs_scatter_view_get_params (f->window->scatter_view, &mine);
  cs_scatter_view_get_params (f->window->compare_scatter_view, &other);
  g_assert_nonnull (other.snapshot);
  g_assert_cmpuint (other.snapshot->n, ==, mine.snapshot->n);
  g_assert_nonnull (other.cluster_colors);
  b_to_a = g_new (gint, other.snapshot->k);
  cs_match_clusters (mine.snapshot->clusters, mine.snapshot->k, other.snapshot->clusters,
                     other.snapshot->k, mine.snapshot->n, b_to_a);
  for (guint j = 0; j < other.snapshot->k; j++)
    if (b_to_a[j] >= 0)
      g_assert_cmpuint (other.cluster_colors[j], ==, (guint) b_to_a[j]);
}

/* roy, then dkm with roy kept for comparison: the second scatter shows roy beside dkm at the
 * epoch on the timeline, in matched colours, and the export draws both. Saved and opened again
 * as a saved run, roy's scores come back on the curves and its last epoch beside. */
static void
test_side_by_side (void)
{
  Fixture f = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("cs-compare-XXXXXX", NULL);
  g_autofree char *roy = g_build_filename (dir, "roy", NULL);
  g_autofree char *png = g_build_filename (dir, "scatter.png", NULL);
  g_autoptr (GError) error = NULL;
  CsCurvesParams curves;
  CsSnapshot *other;

  fixture_set_up (&f, 2, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set", "(sv)", "algorithm",
                                             g_variant_new_string ("roy")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f.window->compare_scatter_view)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.save-run-to", "s", roy));
  g_assert_true (wait_for (no_exports_pending, &f, WAIT_SECONDS));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.compare-with-run", NULL));
  g_assert_true (cs_window_get_side_by_side (f.window));
  g_assert_true (gtk_widget_get_visible (f.window->side_by_side_button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set", "(sv)", "algorithm",
                                             g_variant_new_string ("dkm")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  g_assert_true (wait_for (finished, &f, WAIT_SECONDS));

  /* The timeline scrubs both. */
  for (gint i = 5; i >= 1; i -= 2)
    {
      cs_window_set_timeline_index (f.window, i);
      other = cs_scatter_view_get_snapshot (f.window->compare_scatter_view);
      g_assert_nonnull (other);
      g_assert_cmpuint (other->epoch, ==, (guint) i + 1);
      g_assert_cmpint (other->settings.algorithm, ==, CS_ALGORITHM_ROY);
      g_assert_cmpint (cs_scatter_view_get_snapshot (f.window->scatter_view)->settings.algorithm,
                       ==, CS_ALGORITHM_DKM);
      assert_matched_colours (&f);
    }

  /* The export shows both: a scatter in each half. */
  g_assert_true (cs_window_export_to (f.window, "scatter", png, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (drawn_share (png, 0, 800), >, 0.02);
  g_assert_cmpfloat (drawn_share (png, 800, 1600), >, 0.02);

  /* Off: one scatter again, and the export too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.side-by-side", NULL));
  g_assert_false (cs_window_get_side_by_side (f.window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f.window->compare_scatter_view)));

  /* The saved roy run as the comparison. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.clear-comparison", NULL));
  g_assert_false (cs_window_has_comparison (f.window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window),
                                             "win.compare-with-saved-run-from", "s", roy));
  g_assert_true (cs_window_has_comparison (f.window));
  g_assert_true (cs_window_get_side_by_side (f.window));
  cs_curves_view_get_params (f.window->curves_view, &curves);
  g_assert_cmpuint (curves.n_compare, ==, 6);
  g_assert_cmpstr (curves.compare_name, ==, "roy, seed 3");
  cs_window_set_timeline_index (f.window, 2);
  /* Only its last epoch has points: that one shows, whatever the epoch. */
  other = cs_scatter_view_get_snapshot (f.window->compare_scatter_view);
  g_assert_nonnull (other);
  g_assert_cmpuint (other->epoch, ==, 6);
  assert_matched_colours (&f);

  fixture_tear_down (&f);
  /* CS_TEST_KEEP=1 keeps the export and the run folder to look at. */
  if (g_getenv ("CS_TEST_KEEP") == NULL)
    cs_test_remove_tree (dir);
  else
    g_test_message ("kept %s", dir);
}

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add_func ("/workflow/branch", test_branch);
  g_test_add_func ("/workflow/divergence", test_divergence);
  g_test_add_func ("/workflow/side-by-side", test_side_by_side);
  return g_test_run ();
}
