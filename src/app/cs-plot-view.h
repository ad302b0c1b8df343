/* cs-plot-view.h: the base of the plot widgets: dataset, history, style and a cached picture.
 *
 * A view observes one CsHistoryModel: it redraws when the epoch at the cursor ("current")
 * changes, so scrubbing is one property change on the model. Subclasses only draw.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-dataset.h"
#include "cs-history-model.h"
#include "cs-plot.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

#define CS_TYPE_PLOT_VIEW (cs_plot_view_get_type ())
G_DECLARE_DERIVABLE_TYPE (CsPlotView, cs_plot_view, CS, PLOT_VIEW, GtkWidget)

struct _CsPlotViewClass
{
  GtkWidgetClass parent_class;

  /* Draws the whole picture (width x height widget pixels) for the current state. The base
   * keeps it in a texture until cs_plot_view_invalidate(), so hovering stays cheap. */
  void (*draw) (CsPlotView *self, cairo_t *cr, int width, int height, const CsPlotStyle *style);
  /* Optional: the snapshot at the cursor changed (the redraw is already coming). */
  void (*current_changed) (CsPlotView *self);
  /* Optional: epochs were added, replaced or forgotten. */
  void (*history_changed) (CsPlotView *self);
  /* Optional: the dataset changed. */
  void (*dataset_changed) (CsPlotView *self);

  /* The natural size in pixels; the minimum is small so the panes can shrink. */
  int natural_width;
  int natural_height;

  gpointer padding[8];
};

/* For the true labels and class names (may be NULL). */
void cs_plot_view_set_dataset (CsPlotView *self, CsDataset *dataset);
CsDataset *cs_plot_view_get_dataset (CsPlotView *self);

/* The history to observe (may be NULL). */
void cs_plot_view_set_history (CsPlotView *self, CsHistoryModel *history);
CsHistoryModel *cs_plot_view_get_history (CsPlotView *self);

/* The snapshot at the history's cursor, or NULL. The view holds a reference. */
CsSnapshot *cs_plot_view_get_snapshot (CsPlotView *self);

/* The theme's plot colours, as the view draws with them. */
const CsPlotStyle *cs_plot_view_get_style (CsPlotView *self);

/* For subclasses: the picture changed; it is redrawn once at the next frame. */
void cs_plot_view_invalidate (CsPlotView *self);

G_END_DECLS
