/* test-window-choose-k.c: "Choose K…" on a paused run: the sweep fills the plot, a real click
 * (xdotool) on a K sets the K setting, and the run takes it at its next epoch.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window-choose-k"

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-application.h"
#include "cs-error.h"
#include "cs-kchoice-dialog.h"
#include "cs-window-private.h"
#include "display-util.h"

#define WAIT_SECONDS 180.0
#define NEW_K 7

typedef struct
{
  CsWindow *window;
  CsController *controller;
  guint target;     /* epochs to wait for, 0: any */
  CsRunState state; /* the state to wait for, CS_RUN_IDLE: any */
} Fixture;

/* One condition for every wait on the run: loading done, the state wanted, enough epochs. */
static gboolean
run_reaches (gpointer data)
{
  Fixture *f = data;

  if (cs_controller_is_loading (f->controller))
    return FALSE;
  if (f->target > 0 && cs_controller_get_n_history (f->controller) < f->target)
    return FALSE;
  return f->state == CS_RUN_IDLE || cs_controller_get_state (f->controller) == f->state;
}

static gboolean
sweep_done (gpointer data)
{
  Fixture *f = data;
  CsKChoiceDialog *dialog = CS_KCHOICE_DIALOG (f->window->kchoice_dialog);
  CsKChoiceView *view = cs_kchoice_dialog_get_view (dialog);

  return !cs_kchoice_dialog_is_running (dialog) && gtk_widget_get_mapped (GTK_WIDGET (view))
         && gtk_widget_get_width (GTK_WIDGET (view)) > 100;
}

static gboolean
k_is_new (gpointer data)
{
  CsSettings s;

  cs_controller_get_settings (((Fixture *) data)->controller, &s);
  return s.k == NEW_K;
}

static void
set_uint (CsWindow *window, const char *name, guint value)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", name,
                                             g_variant_new_uint32 (value)));
}

/* Clicks the middle of K's column in the plot with the X server's pointer, as a person would;
 * FALSE when that is not possible here (no xdotool, not X11). */
static gboolean
click_k (CsKChoiceView *view, guint k)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (view));
  GdkSurface *surface = gtk_native_get_surface (native);
  CsKChoiceParams params;
  int width = gtk_widget_get_width (GTK_WIDGET (view));
  int height = gtk_widget_get_height (GTK_WIDGET (view));
  int first = -1, last = -1, status = 0;
  double wx, wy, sx, sy;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autofree char *cmd = NULL;
  g_autoptr (GError) error = NULL;

  if (xdotool == NULL || !GDK_IS_X11_SURFACE (surface))
    return FALSE;
  cs_kchoice_view_get_params (view, &params);
  for (int x = 0; x < width; x++)
    if (cs_plot_kchoice_hit (width, height, &params, x, height / 2.0) == k)
      {
        if (first < 0)
          first = x;
        last = x;
      }
  g_assert_cmpint (first, >=, 0);
  g_assert_true (gtk_widget_translate_coordinates (GTK_WIDGET (view), GTK_WIDGET (native),
                                                   (first + last) / 2.0, height / 2.0, &wx, &wy));
  gtk_native_get_surface_transform (native, &sx, &sy);
  cmd = g_strdup_printf ("%s mousemove --window %lu %d %d click 1", xdotool,
                         (unsigned long) gdk_x11_surface_get_xid (surface), (int) round (wx + sx),
                         (int) round (wy + sy));
  g_test_message ("%s", cmd);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return TRUE;
}

static void
test_choose_k (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GtkApplication) app = GTK_APPLICATION (cs_application_new ());
  Fixture f = { 0 };
  CsKChoiceDialog *dialog;
  CsKChoiceView *view;
  CsKChoiceParams params;
  CsSnapshot *last;
  CsSettings s;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  f.window = CS_WINDOW (gtk_application_get_active_window (app));
  f.controller = cs_window_get_controller (f.window);

  set_uint (f.window, "pretrain-epochs", 2);
  set_uint (f.window, "epochs", 6);
  set_uint (f.window, "embedding-dim", 4);
  set_uint (f.window, "kmeans-n-init", 2);
  set_uint (f.window, "seed", 5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.select-dataset", "s",
                                             "synthetic-blobs"));
  g_assert_true (wait_for (run_reaches, &f, WAIT_SECONDS));
  set_uint (f.window, "k", 4);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.start", NULL));
  f.target = 3;
  g_assert_true (wait_for (run_reaches, &f, WAIT_SECONDS));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.pause", NULL));
  f.state = CS_RUN_PAUSED;
  g_assert_true (wait_for (run_reaches, &f, WAIT_SECONDS));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.choose-k", NULL));
  g_assert_nonnull (f.window->kchoice_dialog);
  dialog = CS_KCHOICE_DIALOG (f.window->kchoice_dialog);
  view = cs_kchoice_dialog_get_view (dialog);
  g_assert_true (wait_for (sweep_done, &f, WAIT_SECONDS));
  /* Every K from 2 to 30 measured, the current K marked. */
  g_assert_cmpuint (cs_kchoice_dialog_get_n_done (dialog), ==, 29);
  cs_kchoice_view_get_params (view, &params);
  g_assert_cmpuint (params.k_min, ==, 2);
  g_assert_cmpuint (params.k_max, ==, 30);
  g_assert_cmpuint (params.current_k, ==, 4);
  for (guint i = 0; i < 29; i++)
    g_assert_true (isfinite (params.inertia[i]) && isfinite (params.silhouette[i]));

  /* Let the window be drawn and placed before the pointer goes to it. */
  g_usleep (200000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (!click_k (view, NEW_K))
    {
      g_test_message ("no xdotool or not X11: emitting the click's signal instead");
      g_signal_emit_by_name (view, "k-activated", NEW_K);
    }
  g_assert_true (wait_for (k_is_new, &f, 30));
  cs_kchoice_view_get_params (view, &params);
  g_assert_cmpuint (params.current_k, ==, NEW_K);

  /* The plot as shown, exported: a PNG with the K mark; a name without a format refused. */
  {
    g_autofree char *dir = g_dir_make_tmp ("cs-choose-k-XXXXXX", NULL);
    g_autofree char *png = g_build_filename (dir, "choose-k.png", NULL);
    g_autofree char *bad = g_build_filename (dir, "choose-k.bmp", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_true (cs_kchoice_dialog_export_to (dialog, png, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (png, &contents, &len, NULL));
    g_assert_cmpuint (len, >, 1000);
    g_assert_cmpmem (contents, 4, "\x89PNG", 4);
    g_assert_false (cs_kchoice_dialog_export_to (dialog, bad, &error));
    g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
    g_unlink (png);
    g_rmdir (dir);
  }

  /* The running job takes it at its next epoch. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.pause", NULL));
  f.state = CS_RUN_FINISHED;
  g_assert_true (wait_for (run_reaches, &f, WAIT_SECONDS));
  last = cs_controller_get_latest (f.controller);
  g_assert_cmpuint (last->k, ==, NEW_K);
  g_assert_cmpuint (last->settings.k, ==, NEW_K);
  cs_controller_get_settings (f.controller, &s);
  g_assert_cmpuint (s.k, ==, NEW_K);

  /* A second sweep, closed while it runs: the worker stops and nothing is left behind. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.choose-k", NULL));
  g_assert_true (cs_kchoice_dialog_is_running (CS_KCHOICE_DIALOG (f.window->kchoice_dialog)));
  gtk_window_destroy (f.window->kchoice_dialog);
  g_assert_null (f.window->kchoice_dialog);

  gtk_window_destroy (GTK_WINDOW (f.window));
}

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add_func ("/window/choose-k", test_choose_k);
  return g_test_run ();
}
