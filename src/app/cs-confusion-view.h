/* cs-confusion-view.h: clusters against true labels after Hungarian matching, for one epoch.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-plot-view.h"

G_BEGIN_DECLS

#define CS_TYPE_CONFUSION_VIEW (cs_confusion_view_get_type ())
G_DECLARE_FINAL_TYPE (CsConfusionView, cs_confusion_view, CS, CONFUSION_VIEW, CsPlotView)

/* The matrix of the epoch at the history's cursor; the dataset gives the class names and
 * explains the empty matrix of an unlabelled dataset. A click on a cell emits
 * "cell-clicked" (guint class, guint cluster, guint GdkModifierType held). */
GtkWidget *cs_confusion_view_new (void);
/* FALSE when the dataset has no labels: the view then says why it is empty. */
gboolean cs_confusion_view_has_labels (CsConfusionView *self);
void cs_confusion_view_get_params (CsConfusionView *self, CsConfusionParams *params);

G_END_DECLS
