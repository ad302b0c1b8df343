/* cs-curves-view.h: the metric curves of a run (ACC, NMI, ARI, losses, label changes).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-plot-view.h"

G_BEGIN_DECLS

#define CS_TYPE_CURVES_VIEW (cs_curves_view_get_type ())
G_DECLARE_FINAL_TYPE (CsCurvesView, cs_curves_view, CS, CURVES_VIEW, CsPlotView)

/* Every epoch of the history, with a vertical cursor on the one at the history's cursor.
 * Clicking an epoch moves the cursor there. */
GtkWidget *cs_curves_view_new (void);
void cs_curves_view_get_params (CsCurvesView *self, CsCurvesParams *params);
/* Another run's epochs drawn dashed behind this one's (a reference is kept), or NULL. */
void cs_curves_view_set_comparison (CsCurvesView *self, CsHistory *history, const char *name);
gboolean cs_curves_view_has_comparison (CsCurvesView *self);

G_END_DECLS
