/* display-util.h: bounded waits for the display tests (header-only, one copy per test program).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-application.h"

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
