/* main.c: starts Clusterscope.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "clusterscope"

#include "config.h"

#include <glib/gi18n.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "cs-application.h"

/* Whether this is the binary in the build tree (as the README's first command starts it). */
static gboolean
started_from_build_tree (void)
{
  char exe[PATH_MAX], app_dir[PATH_MAX];
  ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  g_autofree char *dir = NULL;

  if (len <= 0)
    return FALSE;
  exe[len] = '\0';
  dir = g_path_get_dirname (exe);
  return realpath (BUILD_APP_DIR, app_dir) != NULL && g_str_equal (dir, app_dir);
}

/* Uninstalled, the schema is not installed: use the one compiled next to the binary, unless the
 * caller chose a directory. */
static void
use_build_tree_schema (void)
{
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL
      && g_file_test (BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_SCHEMA_DIR", BUILD_SCHEMA_DIR, TRUE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (CsApplication) app = NULL;
  gboolean uninstalled = started_from_build_tree ();

  if (uninstalled)
    use_build_tree_schema ();
  cs_application_tune_malloc ();
  setlocale (LC_ALL, "");
  /* Uninstalled, the translations compiled in the build tree too. */
  bindtextdomain (GETTEXT_PACKAGE, uninstalled ? BUILD_LOCALEDIR : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_ ("Clusterscope"));
  app = cs_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
