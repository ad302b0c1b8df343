/* cs-plot-style.h: the plot colours taken from the widget's theme.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-plot.h"

G_BEGIN_DECLS

/* Fills style from the libadwaita palette in force for widget (light or dark), so the plots
 * match the window; call it from css_changed. */
void cs_plot_style_from_widget (GtkWidget *widget, CsPlotStyle *style);

G_END_DECLS
