/* display-util.h: bounded waits for the display tests (header-only, one copy per test program).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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
