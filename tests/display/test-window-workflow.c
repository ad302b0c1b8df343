/* test-window-workflow.c: continuing from an earlier epoch and the divergence guard, driven
 * through the window's actions under Xvfb.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window-workflow"

#include "config.h"

#include <math.h>
#include <string.h>

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
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set", "(sv)",
                                             "algorithm", g_variant_new_string ("dkm")));
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

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add_func ("/workflow/branch", test_branch);
  g_test_add_func ("/workflow/divergence", test_divergence);
  return g_test_run ();
}
