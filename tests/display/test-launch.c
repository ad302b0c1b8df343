/* test-launch.c: the application binary starts from the build tree and keeps running.
 *
 * The README's first command runs ./build/src/app/clusterscope without installing anything,
 * so the binary must find its GSettings schema next to it. This starts it with no
 * GSETTINGS_SCHEMA_DIR and checks that it is still alive after a few seconds.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-launch"

#include "config.h"

#include <glib.h>
#include <signal.h>
#include <sys/wait.h>

typedef struct
{
  GMainLoop *loop;
  gboolean exited;
  int status;
} Child;

static void
on_child_exit (GPid pid, int status, gpointer data)
{
  Child *c = data;

  c->exited = TRUE;
  c->status = status;
  g_main_loop_quit (c->loop);
}

static gboolean
on_deadline (gpointer data)
{
  g_main_loop_quit (((Child *) data)->loop);
  return G_SOURCE_REMOVE;
}

static void
test_launch_uninstalled (void)
{
  const char *exe = g_getenv ("CS_APP");
  char *argv[] = { (char *) exe, NULL };
  g_auto (GStrv) env = g_get_environ ();
  g_autoptr (GError) error = NULL;
  Child c = { g_main_loop_new (NULL, FALSE), FALSE, 0 };
  GPid pid;

  g_assert_nonnull (exe);
  env = g_environ_unsetenv (env, "GSETTINGS_SCHEMA_DIR");
  g_assert_true (
      g_spawn_async (NULL, argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  g_child_watch_add (pid, on_child_exit, &c);
  g_timeout_add_seconds (4, on_deadline, &c);
  g_main_loop_run (c.loop);

  if (c.exited)
    g_error ("the application exited on its own (status %d) instead of showing its window",
             c.status);
  kill (pid, SIGTERM);
  while (!c.exited)
    g_main_context_iteration (NULL, TRUE);
  g_spawn_close_pid (pid);
  g_main_loop_unref (c.loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return 77;
    }
  g_test_add_func ("/launch/uninstalled", test_launch_uninstalled);
  return g_test_run ();
}
