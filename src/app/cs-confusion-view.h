/* cs-confusion-view.h: clusters against true labels after Hungarian matching, for one epoch.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-dataset.h"
#include "cs-plot.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

#define CS_TYPE_CONFUSION_VIEW (cs_confusion_view_get_type ())
G_DECLARE_FINAL_TYPE (CsConfusionView, cs_confusion_view, CS, CONFUSION_VIEW, GtkWidget)

GtkWidget *cs_confusion_view_new (void);
/* For the class names, and to explain the empty matrix of an unlabelled dataset. */
void cs_confusion_view_set_dataset (CsConfusionView *self, CsDataset *dataset);
void cs_confusion_view_set_snapshot (CsConfusionView *self, CsSnapshot *snapshot);
CsSnapshot *cs_confusion_view_get_snapshot (CsConfusionView *self);
/* FALSE when the dataset has no labels: the view then says why it is empty. */
gboolean cs_confusion_view_has_labels (CsConfusionView *self);
void cs_confusion_view_get_params (CsConfusionView *self, CsConfusionParams *params);

G_END_DECLS
