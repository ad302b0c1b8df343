/* test-translation.c: the window, its settings panel and its shortcuts window in German.
 *
 * The process runs with LANGUAGE=de in the C.UTF-8 locale (glibc has it built in; gettext
 * heeds LANGUAGE in any locale but "C" itself) and binds the domain to the catalogues meson
 * compiles into the build tree (BUILD_LOCALEDIR, as main.c does when started uninstalled),
 * so nothing has to be installed and no de_DE locale has to exist.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-translation"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cs-application.h"
#include "cs-window-private.h"

#define WAIT_SECONDS 30.0

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
no_windows (GtkApplication *app)
{
  return gtk_application_get_windows (app) == NULL;
}

/* Titles of the preference groups and rows and of the shortcuts groups and shortcuts under
 * widget, into titles. */
static void
collect_titles (GtkWidget *widget, GPtrArray *titles)
{
  char *title = NULL;

  if (ADW_IS_PREFERENCES_GROUP (widget))
    title = g_strdup (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)));
  else if (ADW_IS_PREFERENCES_ROW (widget))
    title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)));
  else if (GTK_IS_SHORTCUTS_GROUP (widget) || GTK_IS_SHORTCUTS_SHORTCUT (widget))
    g_object_get (widget, "title", &title, NULL);
  if (title != NULL)
    g_ptr_array_add (titles, title);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_titles (child, titles);
}

static void
assert_has_title (GPtrArray *titles, const char *title)
{
  if (!g_ptr_array_find_with_equal_func (titles, title, g_str_equal, NULL))
    g_error ("no “%s” among the %u titles", title, titles->len);
}

static void
test_window_german (void)
{
  g_autoptr (GtkApplication) app = GTK_APPLICATION (cs_application_new ());
  g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GtkWindow *overlay;
  CsWindow *window;
  gint64 deadline;
  guint tick;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = CS_WINDOW (gtk_application_get_active_window (app));
  g_assert_nonnull (window);

  /* The header bar's Start button, from cs-window.ui (and cs-window.c once a run pauses). */
  g_assert_cmpstr (adw_button_content_get_label (window->start_content), ==, "_Starten");
  /* The panel: a group title from cs-controls.ui, and a row made from the engine's settings
   * table (a core string, marked N_ there and translated by the panel). */
  collect_titles (GTK_WIDGET (window->controls), titles);
  assert_has_title (titles, "Optimierung");
  assert_has_title (titles, "Lernrate");
  /* The shortcuts window, whose strings carry the "shortcut window" context. */
  overlay = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_nonnull (overlay);
  collect_titles (GTK_WIDGET (overlay), titles);
  assert_has_title (titles, "Zeitleiste und Ansicht");
  assert_has_title (titles, "Einen Datensatz öffnen");

  gtk_window_close (GTK_WINDOW (window));
  deadline = g_get_monotonic_time () + (gint64) (WAIT_SECONDS * G_USEC_PER_SEC);
  tick = g_timeout_add (10, wake_up, NULL);
  while (!no_windows (app) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_true (no_windows (app));
}

int
main (int argc, char *argv[])
{
  /* Before gtk_init, which sets the locale from the environment. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "de", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);

  if (setlocale (LC_ALL, "") == NULL)
    {
      g_printerr ("No C.UTF-8 locale: gettext would ignore LANGUAGE.\n");
      return 77;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("No display: run the display suite under Xvfb (xvfb-run).\n");
      return 77;
    }
  g_test_add_func ("/translation/window-german", test_window_german);
  return g_test_run ();
}
