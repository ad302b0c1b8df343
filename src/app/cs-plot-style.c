/* cs-plot-style.c: the plot colours taken from the widget's theme.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-plot-style"

#include "config.h"

#include <adwaita.h>

#include "cs-plot-style.h"

static void
lookup (GtkStyleContext *context, const char *name, CsRgba *out)
{
  GdkRGBA rgba;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (context, name, &rgba))
    return;
  G_GNUC_END_IGNORE_DEPRECATIONS
  out->r = rgba.red;
  out->g = rgba.green;
  out->b = rgba.blue;
  out->a = rgba.alpha;
}

void
cs_plot_style_from_widget (GtkWidget *widget, CsPlotStyle *style)
{
  GtkStyleContext *context;
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  cs_plot_style_init (style, dark);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* The renderer's own light / dark colours stay for the grid and muted text; background and
   * foreground follow the theme so the plots sit on the window like any other view. */
  lookup (context, "view_bg_color", &style->background);
  lookup (context, "view_fg_color", &style->foreground);
}
