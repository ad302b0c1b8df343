/* cs-plot-private.h: helpers shared by the renderers (text, ticks, frames, numbers).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-plot.h"

G_BEGIN_DECLS

#define CS_PLOT_MAX_TICKS 16

/* Snaps a coordinate to the centre of a device pixel, for crisp 1 px strokes. */
double cs_plot_align (double v);

void cs_plot_rgba_mix (const CsRgba *a, const CsRgba *b, double t, CsRgba *out);
void cs_plot_set_source_alpha (cairo_t *cr, const CsRgba *color, double alpha);

void cs_plot_set_font (cairo_t *cr, const CsPlotStyle *style, double scale, gboolean bold);
double cs_plot_text_width (cairo_t *cr, const char *text);
/* Draws text with its box anchored at (x, y): halign 0 left .. 1 right, valign 0 top ..
 * 1 bottom (the box is ascent + descent of the font, so rows line up whatever the glyphs). */
void cs_plot_text (cairo_t *cr, double x, double y, const char *text, double halign, double valign);
/* Same, rotated a quarter turn anticlockwise (for a vertical axis title). */
void cs_plot_text_vertical (cairo_t *cr, double x, double y, const char *text);
/* A copy of text shortened with an ellipsis to fit max_width. */
char *cs_plot_text_fit (cairo_t *cr, const char *text, double max_width);

/* "Nice" linear ticks (1, 2, 2.5, 5 x 10^n) within [lo, hi]; returns their number. */
guint cs_plot_ticks_linear (double lo, double hi, guint max_ticks, double *ticks, double *step);
/* Ticks for a log10 axis, given lo and hi as log10 of the values; ticks are log10 values. */
guint cs_plot_ticks_log (double lo, double hi, guint max_ticks, double *ticks);
/* A tick label with as many decimals as step needs (no "-0"). */
void cs_plot_format_tick (char *buf, gsize size, double value, double step);
/* 12345 -> "12 345" (thin space), for counts. */
void cs_plot_format_count (char *buf, gsize size, gint64 value);

/* A frame of the plot area with outward ticks on the left and bottom. */
void
cs_plot_draw_frame (cairo_t *cr, const CsPlotStyle *style, double x, double y, double w, double h);

/* The extension of a file name, lower case ("Plot.PNG" -> "png"), or NULL when it has none. */
char *cs_plot_path_extension (const char *path);

/* A value tick at row py (pixel-aligned) of a plot area starting at ax, aw wide: a grid line
 * across, a short tick out to the left and the label right-aligned beside it. The caller sets
 * the line width and the tick font. */
void cs_plot_draw_y_tick (
    cairo_t *cr, const CsPlotStyle *style, double ax, double aw, double py, const char *label);

void cs_plot_fill_background (cairo_t *cr, const CsPlotStyle *style, double width, double height);

void
cs_plot_draw_title (cairo_t *cr, const CsPlotStyle *style, double x, double y, const char *title);

G_END_DECLS
