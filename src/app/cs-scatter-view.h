/* cs-scatter-view.h: the latent scatter: every point of one epoch, centroids and their trails.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-plot-view.h"
#include "cs-reprojector.h"
#include "cs-selection.h"

G_BEGIN_DECLS

#define CS_TYPE_SCATTER_VIEW (cs_scatter_view_get_type ())
G_DECLARE_FINAL_TYPE (CsScatterView, cs_scatter_view, CS, SCATTER_VIEW, CsPlotView)

/* The epoch at the history's cursor, with the centroid trails of the epochs before it. The
 * dataset (cs_plot_view_set_dataset) gives the true labels, class names and thumbnails. */
GtkWidget *cs_scatter_view_new (void);
/* The frame shown: the epoch at the history's cursor (cs_plot_view_get_snapshot), or its
 * re-projection in the projection in force once ready; and how many earlier frames draw the
 * trails. */
CsSnapshot *cs_scatter_view_get_snapshot (CsScatterView *self);
guint cs_scatter_view_get_n_trail (CsScatterView *self);

/* Draws each epoch in the projection in force (reprojector's frames), or, while its frame is
 * not ready or cannot be made, as it was drawn, dimmed under a notice that says so. NULL: each
 * epoch as it was drawn. */
void cs_scatter_view_set_reprojector (CsScatterView *self, CsReprojector *reprojector);
/* The reprojector's state for the epoch shown (CS_REPROJECT_NONE without one). */
CsReprojectState cs_scatter_view_get_reproject_state (CsScatterView *self);

void cs_scatter_view_set_color_by (CsScatterView *self, CsColorBy color_by);
CsColorBy cs_scatter_view_get_color_by (CsScatterView *self);

/* Zooming: factor > 1 zooms in around the centre. */
void cs_scatter_view_zoom (CsScatterView *self, double factor);
void cs_scatter_view_zoom_to_fit (CsScatterView *self);
/* FALSE while the view fits the data (it follows every epoch); otherwise the user's view. */
gboolean cs_scatter_view_get_viewport (CsScatterView *self, CsViewport *view);

/* Side by side with another run: cluster j takes palette entry colors[j] of a palette of
 * palette_k (copied; NULL: its own colours), and a title names the run. */
void cs_scatter_view_set_cluster_colors (CsScatterView *self,
                                         const guint   *colors,
                                         guint          n_colors,
                                         guint          palette_k);
void cs_scatter_view_set_title (CsScatterView *self, const char *title);
/* What a drag does: pan (NONE), or draw a rectangle or a lasso around points to select. */
typedef enum
{
  CS_SELECT_TOOL_NONE,
  CS_SELECT_TOOL_RECTANGLE,
  CS_SELECT_TOOL_LASSO,
} CsSelectTool;

/* The selection the view draws and its gestures change: a rectangle or lasso drag with the
 * tool on, a click on a legend entry (its cluster's points, or its class's when coloured by
 * label). The plain gesture replaces, Shift adds, Ctrl removes. */
void cs_scatter_view_set_selection (CsScatterView *self, CsSelection *selection);
void cs_scatter_view_set_select_tool (CsScatterView *self, CsSelectTool tool);
CsSelectTool cs_scatter_view_get_select_tool (CsScatterView *self);

/* Drops the lasso or rectangle being dragged, if any (Escape): the drag then selects
 * nothing. FALSE when none was. */
gboolean cs_scatter_view_cancel_select_gesture (CsScatterView *self);

/* The point ringed under the pointer, or -1. */
gssize cs_scatter_view_get_highlight (CsScatterView *self);

/* The parameters the view draws with, for an export that matches the screen. Pointers stay
 * valid until the view changes. */
void cs_scatter_view_get_params (CsScatterView *self, CsScatterParams *params);

G_END_DECLS
