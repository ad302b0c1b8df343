/* cs-curves-view.h: the metric curves of a run (ACC, NMI, ARI, losses, label changes).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-plot.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

#define CS_TYPE_CURVES_VIEW (cs_curves_view_get_type ())
G_DECLARE_FINAL_TYPE (CsCurvesView, cs_curves_view, CS, CURVES_VIEW, GtkWidget)

GtkWidget *cs_curves_view_new (void);
/* Every epoch so far (the view keeps references). */
void cs_curves_view_set_history (CsCurvesView *self, CsSnapshot *const *history, guint n);
guint cs_curves_view_get_n_history (CsCurvesView *self);
CsSnapshot *cs_curves_view_get_snapshot (CsCurvesView *self, guint index);
/* The epoch the timeline shows, drawn as a vertical cursor (-1: none). */
void cs_curves_view_set_cursor (CsCurvesView *self, gint index);
gint cs_curves_view_get_cursor (CsCurvesView *self);
void cs_curves_view_get_params (CsCurvesView *self, CsCurvesParams *params);

G_END_DECLS
