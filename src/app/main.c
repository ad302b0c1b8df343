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

/* Started from the build tree (as the README's first command does), the schema is not
 * installed: use the one compiled next to the binary, unless the caller chose a directory. */
static void
use_build_tree_schema (void)
{
  char exe[PATH_MAX], app_dir[PATH_MAX];
  ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  g_autofree char *dir = NULL;

  if (len <= 0 || g_getenv ("GSETTINGS_SCHEMA_DIR") != NULL)
    return;
  exe[len] = '\0';
  dir = g_path_get_dirname (exe);
  if (realpath (BUILD_APP_DIR, app_dir) != NULL && g_str_equal (dir, app_dir)
      && g_file_test (BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_SCHEMA_DIR", BUILD_SCHEMA_DIR, TRUE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (CsApplication) app = NULL;

  use_build_tree_schema ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_ ("Clusterscope"));
  app = cs_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
