/* display-util.h: bounded waits for the display tests (header-only, one copy per test program).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-application.h"
#include "cs-controller.h"

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until cond holds or seconds pass: a hang fails the test instead of
 * stalling CI. */
static inline gboolean
wait_for (Condition cond, gpointer data, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint tick = g_timeout_add (10, wake_up, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

static inline gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Conditions on a CsController (data). */
static inline gboolean
controller_not_loading (gpointer data)
{
  return !cs_controller_is_loading (data);
}

static inline gboolean
controller_finished (gpointer data)
{
  return cs_controller_get_state (data) == CS_RUN_FINISHED;
}

/* A new application (not unique, so tests may run side by side) and its window. */
static inline GtkWindow *
display_open_window (GtkApplication **app_out)
{
  g_autoptr (GError) error = NULL;
  GtkApplication *app = GTK_APPLICATION (cs_application_new ());

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  *app_out = app;
  return gtk_application_get_active_window (app);
}

/* g_test_init and GTK; FALSE (the test then exits 77, "skipped") without a display. */
static inline gboolean
display_test_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  cs_application_tune_malloc (); /* as main () does */
  if (gtk_init_check ())
    return TRUE;
  g_printerr ("No display: run the display suite under Xvfb (xvfb-run).\n");
  return FALSE;
}
