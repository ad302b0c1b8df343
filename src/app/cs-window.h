/* cs-window.h: the main window: controls, plots, timeline and the actions that drive them.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-confusion-view.h"
#include "cs-controller.h"
#include "cs-controls.h"
#include "cs-curves-view.h"
#include "cs-scatter-view.h"

G_BEGIN_DECLS

#define CS_TYPE_WINDOW (cs_window_get_type ())
G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, AdwApplicationWindow)

CsWindow *cs_window_new (GtkApplication *application);

/* Opens a dataset file or a run folder (what a drop or the command line gives). */
void cs_window_open_file (CsWindow *self, GFile *file);

/* For tests: the parts the actions drive. */
CsController *cs_window_get_controller (CsWindow *self);
CsControls *cs_window_get_controls (CsWindow *self);
CsScatterView *cs_window_get_scatter_view (CsWindow *self);
CsCurvesView *cs_window_get_curves_view (CsWindow *self);
CsConfusionView *cs_window_get_confusion_view (CsWindow *self);
/* The history index the timeline shows, or -1 when empty. */
gint cs_window_get_timeline_index (CsWindow *self);
gboolean cs_window_get_timeline_follows (CsWindow *self);

G_END_DECLS
