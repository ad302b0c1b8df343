/* main.c: starts Clusterscope.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "clusterscope"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cs-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr (CsApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_ ("Clusterscope"));
  app = cs_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
