/* cs-application.h: the application: windows, app-wide actions and accelerators.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CS_TYPE_APPLICATION (cs_application_get_type ())
G_DECLARE_FINAL_TYPE (CsApplication, cs_application, CS, APPLICATION, AdwApplication)

CsApplication *cs_application_new (void);
/* Before any thread starts: the heap policy the window needs (see cs-application.c). */
void cs_application_tune_malloc (void);

/* What app.help (F1) opens: help:clusterscope, or the source tree's guide when that is not
 * installed. */
char *cs_application_get_help_uri (void);

G_END_DECLS
