/* cs-application.c: the application: windows, Help, About, Quit and the keyboard accelerators.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-application"

#include "config.h"

#include <malloc.h>

#include <glib/gi18n.h>

#include "cs-application.h"
#include "cs-window-private.h"
#include "cs-window.h"

struct _CsApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, ADW_TYPE_APPLICATION)

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _ ("The Clusterscope authors"), NULL };

  adw_show_about_window (gtk_application_get_active_window (app), "application-name",
                         _ ("Clusterscope"), "application-icon", APP_ID, "version", PACKAGE_VERSION,
                         "developer-name", _ ("The Clusterscope authors"), "developers", developers,
                         "copyright", "© 2026 The Clusterscope authors", "license-type",
                         GTK_LICENSE_GPL_3_0, "comments",
                         _ ("Watch an autoencoder learn a K-means-friendly latent space, epoch by "
                            "epoch. Implements “An Approach Towards Learning K-means-friendly "
                            "Deep Latent Representation” (Roy, ICPR 2024) on top of Deep "
                            "k-Means (Moradi Fard et al., 2020)."),
                         "website", "https://github.com/clusterscope/clusterscope",
                         /* Translators: your names, one per line */
                         "translator-credits", _ ("translator-credits"), NULL);
}

static gboolean
guide_installed_in (const char *data_dir)
{
  g_autofree char *page
      = g_build_filename (data_dir, "help", "C", "clusterscope", "index.page", NULL);

  return g_file_test (page, G_FILE_TEST_IS_REGULAR);
}

/* Yelp resolves help:clusterscope in $XDG_DATA_DIRS/help/<language>/clusterscope, where the
 * install puts the guide. Started from the build tree, as the README does, the guide is only
 * in the source tree: a ghelp: URI with its path opens it in yelp too (a file:// URI to
 * index.page would not, as no MIME type claims .page files). */
char *
cs_application_get_help_uri (void)
{
  const char *const *dirs = g_get_system_data_dirs ();
  gboolean installed = guide_installed_in (g_get_user_data_dir ());

  for (guint i = 0; !installed && dirs[i] != NULL; i++)
    installed = guide_installed_in (dirs[i]);
  if (!installed && g_file_test (SOURCE_HELP_DIR "/index.page", G_FILE_TEST_IS_REGULAR))
    return g_strdup ("ghelp:" SOURCE_HELP_DIR);
  return g_strdup ("help:clusterscope");
}

static void
help_shown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GtkWindow *window = GTK_WINDOW (source);
  g_autoptr (GError) error = NULL;

  if (gtk_show_uri_full_finish (window, result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (CS_IS_WINDOW (window))
    {
      g_autofree char *message = g_strdup_printf (
          _ ("%s. The guide is read with the Help application (the “yelp” package)."),
          error->message);

      cs_window_show_error (CS_WINDOW (window), _ ("Could not open the help"), message);
    }
  else
    g_warning ("Could not open the help: %s", error->message);
}

static void
help_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  g_autofree char *uri = cs_application_get_help_uri ();

  /* gtk_show_uri() would only log a failure; the callback tells the user what to install. */
  gtk_show_uri_full (window, uri, GDK_CURRENT_TIME, NULL, help_shown, NULL);
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing rather than g_application_quit(): each window stops its worker, and the
   * application lives on until every worker has returned. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static const GActionEntry app_actions[] = {
  { "help", help_action, NULL, NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
};

static void
cs_application_startup (GApplication *application)
{
  GtkApplication *app = GTK_APPLICATION (application);
  const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.help", { "F1", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "win.open-dataset", { "<Control>o", NULL } },
    { "win.save-run", { "<Control>s", NULL } },
    { "win.export-menu", { "<Control>e", NULL } },
    { "win.choose-k", { "<Control>k", NULL } },
    { "win.show-sidebar", { "F9", NULL } },
    { "win.zoom-fit", { "<Control>0", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.zoom-out", { "<Control>minus", NULL } },
    { "win.side-by-side", { "<Control><Shift>d", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
cs_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (cs_window_new (GTK_APPLICATION (application)));
  gtk_window_present (window);
}

static void
cs_application_open (GApplication *application, GFile **files, int n_files, const char *hint)
{
  CsWindow *window;

  cs_application_activate (application);
  window = CS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
  /* One dataset at a time: the last file named wins. */
  if (n_files > 0)
    cs_window_open_file (window, files[n_files - 1]);
}

static void
cs_application_class_init (CsApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = cs_application_startup;
  app_class->activate = cs_application_activate;
  app_class->open = cs_application_open;
}

static void
cs_application_init (CsApplication *self)
{
}

/* Each run allocates its network, a copy for the divergence guard and a checkpoint per epoch
 * (tens of megabytes each) on worker threads, which glibc serves from per-thread arenas.
 * Measured by the display suite's soak (30 start / stop / close cycles on the synthetic data):
 * with glibc's default of 8 arenas per core the resident size grew 12-36 % and did not come
 * back after malloc_trim; with 2 arenas it stays within 1 % (tests/display/test-window-faults.c).
 * Training allocates nothing in its inner loop, so fewer arenas cost it nothing measurable. */
void
cs_application_tune_malloc (void)
{
  mallopt (M_ARENA_MAX, 2);
}

CsApplication *
cs_application_new (void)
{
  return g_object_new (CS_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_HANDLES_OPEN, "resource-base-path", RESOURCE_BASE, NULL);
}
