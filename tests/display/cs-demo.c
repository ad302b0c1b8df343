/* cs-demo.c: opens the window, starts a run and keeps it on screen, for screenshots.
 *
 * Usage: cs-demo DATASET PRETRAIN CLUSTER_EPOCHS WAIT_EPOCHS STAY_SECONDS [dark] [pause] [label]
 *        [projection=pca|lda|tsne] [switch=pca|lda|tsne] [seek=INDEX]
 *        [win.ACTION | win.ACTION=TEXT]
 * Prints "ready" once WAIT_EPOCHS epochs are in, then keeps the window up (training goes
 * on unless it was paused with "pause" as an extra argument) for STAY_SECONDS. With switch=,
 * a second later the projection changes to that one (and with seek=, the timeline moves to
 * that epoch index): "switched" is printed then, for screenshots of the re-projection.
 * It reads the translations compiled in the build tree: with LANGUAGE=de (and LC_ALL=C.UTF-8
 * when no German locale is installed) the window is in German.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "cs-application.h"
#include "cs-window-private.h"

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GtkApplication) app = NULL;
  CsWindow *window;
  CsController *controller;
  guint wait_epochs;
  gint64 deadline;
  gboolean pause = FALSE, label = FALSE;
  const char *action = NULL;

  if (argc < 6)
    {
      g_printerr ("usage: %s DATASET PRETRAIN EPOCHS WAIT_EPOCHS STAY_SECONDS [dark] [pause] "
                  "[label]\n",
                  argv[0]);
      return 2;
    }
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_init ();
  for (int i = 6; i < argc; i++)
    {
      if (g_str_equal (argv[i], "dark"))
        adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                            ADW_COLOR_SCHEME_FORCE_DARK);
      pause |= g_str_equal (argv[i], "pause");
      label |= g_str_equal (argv[i], "label");
      if (g_str_has_prefix (argv[i], "win.") || g_str_has_prefix (argv[i], "app."))
        action = argv[i];
    }

  app = GTK_APPLICATION (cs_application_new ());
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_application_activate (G_APPLICATION (app));
  window = CS_WINDOW (gtk_application_get_active_window (app));
  controller = g_object_ref (cs_window_get_controller (window));
  g_timeout_add (20, tick, NULL);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.select-dataset", "s", argv[1]);
  while (cs_controller_is_loading (controller) || cs_controller_get_dataset (controller) == NULL)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", "pretrain-epochs",
                              g_variant_new_uint32 (atoi (argv[2])));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", "epochs",
                              g_variant_new_uint32 (atoi (argv[3])));
  if (label)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.color-by", "s", "label");
  for (int i = 6; i < argc; i++)
    if (g_str_has_prefix (argv[i], "projection="))
      gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", "projection",
                                  g_variant_new_string (argv[i] + strlen ("projection=")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);

  wait_epochs = atoi (argv[4]);
  while (cs_controller_get_n_history (controller) < wait_epochs
         && cs_controller_get_state (controller) == CS_RUN_RUNNING)
    g_main_context_iteration (NULL, TRUE);
  if (pause)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  if (action != NULL && strchr (action, '=') != NULL)
    {
      /* win.ACTION=TEXT: an action that takes a string, such as win.save-run-to=DIR. */
      g_autofree char *name = g_strndup (action, strchr (action, '=') - action);

      gtk_widget_activate_action (GTK_WIDGET (window), name, "s", strchr (action, '=') + 1);
    }
  else if (action != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), action, NULL);
  g_print ("ready\n");
  for (int i = 6; i < argc; i++)
    if (g_str_has_prefix (argv[i], "switch="))
      {
        deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
        while (g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, TRUE);
        gtk_widget_activate_action (GTK_WIDGET (window), "win.set", "(sv)", "projection",
                                    g_variant_new_string (argv[i] + strlen ("switch=")));
        for (int j = 6; j < argc; j++)
          if (g_str_has_prefix (argv[j], "seek="))
            gtk_widget_activate_action (GTK_WIDGET (window), "win.timeline-seek", "i",
                                        atoi (argv[j] + strlen ("seek=")));
        g_print ("switched\n");
      }

  deadline = g_get_monotonic_time () + (gint64) atoi (argv[5]) * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && gtk_application_get_windows (app) != NULL)
    g_main_context_iteration (NULL, TRUE);
  if (gtk_application_get_windows (app) != NULL)
    gtk_window_close (GTK_WINDOW (window));
  while (cs_controller_is_active (controller))
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (controller);
  return 0;
}
