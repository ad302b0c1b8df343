/* cs-scatter-view.h: the latent scatter: every point of one epoch, centroids and their trails.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-plot-view.h"

G_BEGIN_DECLS

#define CS_TYPE_SCATTER_VIEW (cs_scatter_view_get_type ())
G_DECLARE_FINAL_TYPE (CsScatterView, cs_scatter_view, CS, SCATTER_VIEW, CsPlotView)

/* The epoch at the history's cursor, with the centroid trails of the epochs before it. The
 * dataset (cs_plot_view_set_dataset) gives the true labels, class names and thumbnails. */
GtkWidget *cs_scatter_view_new (void);
/* The epoch shown (as cs_plot_view_get_snapshot) and how many earlier ones draw the trails. */
CsSnapshot *cs_scatter_view_get_snapshot (CsScatterView *self);
guint cs_scatter_view_get_n_trail (CsScatterView *self);

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

/* The parameters the view draws with, for an export that matches the screen. Pointers stay
 * valid until the view changes. */
void cs_scatter_view_get_params (CsScatterView *self, CsScatterParams *params);

G_END_DECLS
