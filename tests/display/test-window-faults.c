/* test-window-faults.c: the window under data it must refuse, and under many start / stop /
 * close cycles (a soak with a bound on resident memory), under Xvfb.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window-faults"

#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include "cs-application.h"
#include "cs-error.h"
#include "cs-window-private.h"
#include "display-util.h"

#define WAIT_SECONDS 120.0

static gboolean
not_loading (gpointer data)
{
  return !cs_controller_is_loading (data);
}

static gboolean
has_epoch (gpointer data)
{
  return cs_controller_get_n_history (data) >= 1
         || cs_controller_get_state (data) == CS_RUN_FINISHED;
}

static gboolean
finished (gpointer data)
{
  return cs_controller_get_state (data) == CS_RUN_FINISHED;
}

/* The message dialog on screen, or NULL. */
static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

/* The dialog's body, which must contain needle; the dialog is then closed. */
static void
assert_dialog_says (const char *needle)
{
  AdwMessageDialog *dialog;

  g_assert_true (wait_for (dialog_shown, NULL, WAIT_SECONDS));
  dialog = find_message_dialog ();
  g_test_message ("dialog: %s: %s", adw_message_dialog_get_heading (dialog),
                  adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), needle));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static GtkApplication *
start_application (void)
{
  GtkApplication *app = GTK_APPLICATION (cs_application_new ());
  g_autoptr (GError) error = NULL;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

static CsWindow *
open_window (GtkApplication *app)
{
  CsWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = CS_WINDOW (gtk_application_get_active_window (app));
  g_assert_nonnull (window);
  return window;
}

static void
set_setting (CsWindow *window, const char *name, guint value)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", name,
                                             g_variant_new_uint32 (value)));
}

static void
select_dataset (CsWindow *window, const char *spec)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.select-dataset", "s", spec));
  g_assert_true (wait_for (not_loading, cs_window_get_controller (window), WAIT_SECONDS));
}

/* Small settings that make an epoch take a fraction of a second. */
static void
quick_settings (CsWindow *window)
{
  set_setting (window, "pretrain-epochs", 1);
  set_setting (window, "epochs", 500);
  set_setting (window, "embedding-dim", 4);
  set_setting (window, "batch-size", 256);
  set_setting (window, "kmeans-n-init", 1);
}

/* Values whose squares overflow float (the 1e38 CSV) and a dataset larger than the
 * memory left: the window says why in a dialog, keeps working, and trains the next dataset. */
static void
test_refused_data (void)
{
  g_autoptr (GtkApplication) app = start_application ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clusterscope-faults-XXXXXX", &error);
  g_autofree char *csv = g_build_filename (dir, "extreme.csv", NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  CsWindow *window = open_window (app);
  CsController *controller = cs_window_get_controller (window);

  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    g_string_append (text, "1e38,1e38,-1e38\n");
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  quick_settings (window);

  /* The file opens (its values are legal floats); Start refuses it and says what to do. */
  select_dataset (window, csv);
  g_assert_cmpstr (cs_controller_get_dataset_spec (controller), ==, csv);
  g_assert_cmpuint (cs_controller_get_dataset (controller)->n, ==, 300);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  assert_dialog_says ("standardi");
  g_assert_cmpint (cs_controller_get_state (controller), !=, CS_RUN_RUNNING);

  /* Too large for the memory left: refused while loading, the old dataset stays. */
  g_setenv ("CS_MEMORY_LIMIT", "1M", TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.select-dataset", "s", "fashion-mnist-test");
  g_assert_true (wait_for (not_loading, controller, WAIT_SECONDS));
  g_unsetenv ("CS_MEMORY_LIMIT");
  if (cs_controller_get_dataset_spec (controller) != NULL
      && g_str_equal (cs_controller_get_dataset_spec (controller), csv))
    assert_dialog_says ("needs about");
  else
    g_test_message ("Fashion-MNIST is not installed here: it was refused for that");

  /* Still usable: a sound dataset trains. */
  select_dataset (window, "synthetic-blobs");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL));
  g_assert_cmpint (cs_controller_get_state (controller), ==, CS_RUN_RUNNING);
  g_assert_true (wait_for (has_epoch, controller, WAIT_SECONDS));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (wait_for (finished, controller, WAIT_SECONDS));

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (csv);
  g_rmdir (dir);
}

/* Anonymous resident memory in KiB (the heap and the threads' arenas, not the mapped
 * libraries' pages, such as Mesa's 55 MB libLLVM), after giving freed heap back to the
 * system. */
static gsize
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  malloc_trim (0);
  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nRssAnon:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("\nRssAnon:"), NULL, 10);
}

/* One cycle: Start, an epoch, then Stop; every third cycle the window is closed while the
 * worker trains instead, and a new window opened. */
static CsWindow *
soak_cycle (GtkApplication *app, CsWindow *window, guint cycle)
{
  CsController *controller = cs_window_get_controller (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL));
  g_assert_cmpint (cs_controller_get_state (controller), ==, CS_RUN_RUNNING);
  g_assert_true (wait_for (has_epoch, controller, WAIT_SECONDS));
  if (cycle % 3 == 2)
    {
      gpointer controller_alive = controller;

      g_object_add_weak_pointer (G_OBJECT (controller), &controller_alive);
      gtk_window_close (GTK_WINDOW (window));
      g_assert_true (wait_for (pointer_cleared, &controller_alive, WAIT_SECONDS));
      g_assert_null (gtk_application_get_windows (app));
      window = open_window (app);
      select_dataset (window, "synthetic-blobs");
      return window;
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (wait_for (finished, controller, WAIT_SECONDS));
  return window;
}

static void
test_soak (void)
{
  g_autoptr (GtkApplication) app = start_application ();
  CsWindow *window = open_window (app);
  const guint warm = 6, cycles = 30;
  gsize before, middle, after, allowed;
  gint64 t0;

  quick_settings (window);
  select_dataset (window, "synthetic-blobs");

  /* The first cycles fill caches (fonts, textures, the thread pool): measure after them. */
  for (guint i = 0; i < warm; i++)
    window = soak_cycle (app, window, i);
  /* Up to two checkpoints (tens of MB) may still be queued for the cache's writer thread, more
   * of them the more loaded the host: measured with none. */
  cs_controller_flush_checkpoints (cs_window_get_controller (window));
  before = middle = resident_kib ();
  t0 = g_get_monotonic_time ();
  for (guint i = warm; i < warm + cycles; i++)
    {
      window = soak_cycle (app, window, i);
      if (i + 1 == warm + cycles / 2)
        {
          cs_controller_flush_checkpoints (cs_window_get_controller (window));
          middle = resident_kib ();
        }
    }
  cs_controller_flush_checkpoints (cs_window_get_controller (window));
  after = resident_kib ();
  g_test_message ("soak: %u cycles (%u with the window closed while training) in %.1f s, "
                  "anonymous resident %zu KiB before, %zu KiB half-way, %zu KiB after (%+.1f%%)",
                  cycles, cycles / 3, (g_get_monotonic_time () - t0) / 1e6, before, middle, after,
                  100.0 * ((double) after - (double) before) / (double) before);
  /* A leaked run (network, codes, history) costs megabytes a cycle, so it grows both halves;
   * allow noise only. Once in a while the process takes about 55 MB more at one cycle and keeps
   * it: seen in file pages (Mesa's libLLVM becoming resident) and, in another run, in anonymous
   * memory (141 832 -> 198 016 KiB in the first half, +196 KiB in the second). One step in one
   * half is not a leak. */
  allowed = before / 20 + 2048;
  g_assert_true (middle <= before + allowed || after <= middle + allowed);
  g_assert_cmpuint (after, <=, before + 2 * allowed + 64 * 1024);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  if (!display_test_init (&argc, &argv))
    return 77;
  g_test_add_func ("/window/refused-data", test_refused_data);
  g_test_add_func ("/window/soak", test_soak);
  return g_test_run ();
}
