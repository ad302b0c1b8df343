/* cs-plot-kchoice.c: inertia and silhouette against K, for choosing K.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cs-plot-private.h"

#define MARGIN_LEFT 62.0
#define MARGIN_RIGHT 18.0
#define MARGIN_TOP 30.0
#define MARGIN_TOP_TITLE 56.0
#define MARGIN_BOTTOM 44.0
#define PANEL_GAP 26.0

typedef struct
{
  double ax, aw; /* both panels */
  double iy, ih; /* inertia panel */
  double sy, sh; /* silhouette panel */
  double x0, x1; /* K */
  double i0, i1; /* inertia range */
  double s0, s1; /* silhouette range */
} Layout;

static guint
n_ks (const CsKChoiceParams *p)
{
  return p->k_max >= p->k_min ? p->k_max - p->k_min + 1 : 0;
}

static gboolean
valid (const CsKChoiceParams *p)
{
  return p->inertia != NULL && p->silhouette != NULL && p->k_min >= 1 && p->k_max >= p->k_min;
}

/* Depends only on the size and the values, so that the hit test agrees with the drawing. */
static void
layout (double width, double height, const CsKChoiceParams *p, Layout *l)
{
  double top = p->title != NULL ? MARGIN_TOP_TITLE : MARGIN_TOP;
  double panels = MAX (height - top - MARGIN_BOTTOM - PANEL_GAP, 2.0);
  double imax = 0, smin = 0, smax = 0;

  l->ax = MARGIN_LEFT;
  l->aw = MAX (floor (width - MARGIN_LEFT - MARGIN_RIGHT), 1.0);
  l->iy = top;
  l->ih = floor (panels / 2);
  l->sy = top + l->ih + PANEL_GAP;
  l->sh = floor (panels - l->ih);
  l->x0 = p->k_min - 0.5;
  l->x1 = p->k_max + 0.5;
  for (guint i = 0; i < n_ks (p); i++)
    {
      if (isfinite (p->inertia[i]))
        imax = MAX (imax, p->inertia[i]);
      if (isfinite (p->silhouette[i]))
        {
          smin = MIN (smin, p->silhouette[i]);
          smax = MAX (smax, p->silhouette[i]);
        }
    }
  /* Inertia from 0, so the elbow reads as a proportion; the silhouette's zero shown too. */
  l->i0 = 0;
  l->i1 = imax > 0 ? imax * 1.06 : 1.0;
  l->s0 = smin < 0 ? smin - 0.05 * (smax - smin) : 0;
  l->s1 = smax > l->s0 ? smax + 0.08 * (smax - l->s0) : 1.0;
}

static double
k_to_pixel (const Layout *l, double k)
{
  return l->ax + (k - l->x0) / (l->x1 - l->x0) * l->aw;
}

static double
value_to_pixel (double y, double h, double v0, double v1, double v)
{
  return y + h - (v - v0) / (v1 - v0) * h;
}

guint
cs_plot_kchoice_hit (
    double width, double height, const CsKChoiceParams *params, double px, double py)
{
  Layout l;
  double k;

  g_return_val_if_fail (params != NULL, 0);
  if (!valid (params))
    return 0;
  layout (width, height, params, &l);
  if (px < l.ax || px > l.ax + l.aw || py < l.iy || py > l.sy + l.sh)
    return 0;
  k = round (l.x0 + (px - l.ax) / l.aw * (l.x1 - l.x0));
  return (guint) CLAMP (k, params->k_min, params->k_max);
}

guint
cs_plot_kchoice_best (const CsKChoiceParams *params)
{
  guint best = 0;
  double best_v = -INFINITY;

  g_return_val_if_fail (params != NULL, 0);
  if (!valid (params))
    return 0;
  for (guint i = 0; i < n_ks (params); i++)
    if (isfinite (params->silhouette[i]) && params->silhouette[i] > best_v)
      {
        best_v = params->silhouette[i];
        best = params->k_min + i;
      }
  return best;
}

/* Inertia can be large: 163 579 -> "164k". */
static void
format_value (char *buf, gsize size, double v, double step)
{
  double a = fabs (v);

  if (a >= 1e9)
    g_snprintf (buf, size, "%.3gG", v / 1e9);
  else if (a >= 1e6)
    g_snprintf (buf, size, "%.3gM", v / 1e6);
  else if (a >= 1e4)
    g_snprintf (buf, size, "%.3gk", v / 1e3);
  else
    cs_plot_format_tick (buf, size, v, step);
}

/* A panel: grid, value ticks on the left, its name, the series with dots, the frame. */
static void
draw_panel (cairo_t *cr,
            const CsPlotStyle *style,
            const CsKChoiceParams *p,
            const Layout *l,
            const double *values,
            double y,
            double h,
            double v0,
            double v1,
            const CsRgba *color,
            const char *name)
{
  double ticks[CS_PLOT_MAX_TICKS], step = 0.1;
  char buf[64];
  guint nt = cs_plot_ticks_linear (v0, v1, (guint) CLAMP (h / 36, 2, 6), ticks, &step);
  gboolean pen_down = FALSE;

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  for (guint i = 0; i < nt; i++)
    {
      double py = cs_plot_align (value_to_pixel (y, h, v0, v1, ticks[i]));

      format_value (buf, sizeof buf, ticks[i], step);
      cs_plot_draw_y_tick (cr, style, l->ax, l->aw, py, buf);
    }
  cs_plot_set_font (cr, style, 0.92, TRUE);
  cs_plot_set_source (cr, color);
  cs_plot_text (cr, l->ax + 6, y - 4, name, 0.0, 1.0);

  /* The series: a line through the Ks done, a gap where one is missing, a dot on each. */
  cairo_rectangle (cr, l->ax, y - 4, l->aw, h + 8);
  cairo_clip (cr);
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < n_ks (p); i++)
    {
      double px = k_to_pixel (l, p->k_min + i), py;

      if (!isfinite (values[i]))
        {
          pen_down = FALSE;
          continue;
        }
      py = value_to_pixel (y, h, v0, v1, values[i]);
      if (pen_down)
        cairo_line_to (cr, px, py);
      else
        cairo_move_to (cr, px, py);
      pen_down = TRUE;
    }
  cairo_stroke (cr);
  for (guint i = 0; i < n_ks (p); i++)
    if (isfinite (values[i]))
      {
        cairo_arc (cr, k_to_pixel (l, p->k_min + i), value_to_pixel (y, h, v0, v1, values[i]), 3.0,
                   0, 2 * G_PI);
        cairo_fill (cr);
      }
  cairo_restore (cr);
  cs_plot_draw_frame (cr, style, l->ax, y, l->aw, h);
}

/* The K axis under the lower panel: integer ticks. */
static void
draw_k_axis (cairo_t *cr, const CsPlotStyle *style, const CsKChoiceParams *p, const Layout *l)
{
  guint n = n_ks (p), every = 1;
  double bottom = l->sy + l->sh;
  char buf[32];

  while (l->aw / MAX (n / every, 1u) < 26)
    every = every == 1 ? 2 : every == 2 ? 5 : every * 2;
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  for (guint k = p->k_min; k <= p->k_max; k++)
    {
      double px = cs_plot_align (k_to_pixel (l, k));

      if (k % every != 0 && k != p->k_min)
        continue;
      cs_plot_set_source_alpha (cr, &style->foreground, 0.7);
      cairo_move_to (cr, px, round (bottom));
      cairo_line_to (cr, px, round (bottom) + 5);
      cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%u", k);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, px, bottom + 7, buf, 0.5, 0.0);
    }
  cs_plot_text (cr, l->ax + l->aw / 2, bottom + 24, _ ("number of clusters K"), 0.5, 0.0);
  cairo_restore (cr);
}

/* A vertical band or line over both panels at K. */
static void
draw_k_mark (cairo_t *cr, const CsPlotStyle *style, const Layout *l, guint k, gboolean current)
{
  double px = k_to_pixel (l, k), half = l->aw / (l->x1 - l->x0) / 2;

  cairo_save (cr);
  if (current)
    {
      static const double dash[] = { 5.0, 3.0 };

      cs_plot_set_source_alpha (cr, &style->foreground, 0.75);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_move_to (cr, round (px) + 0.5, l->iy);
      cairo_line_to (cr, round (px) + 0.5, l->sy + l->sh);
      cairo_stroke (cr);
    }
  else
    {
      cs_plot_set_source_alpha (cr, &style->foreground, style->dark ? 0.12 : 0.08);
      cairo_rectangle (cr, px - half, l->iy, 2 * half, l->sy + l->sh - l->iy);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

void
cs_plot_kchoice_draw (cairo_t *cr,
                      double width,
                      double height,
                      const CsPlotStyle *style,
                      const CsKChoiceParams *params)
{
  const CsKChoiceParams *p = params;
  CsRgba icolor, scolor;
  Layout l;
  guint best;
  char buf[96];

  g_return_if_fail (cr != NULL && style != NULL && params != NULL);

  if (!valid (p))
    {
      cs_plot_draw_message (cr, width, height, style, _ ("No codes to cluster yet"));
      return;
    }
  layout (width, height, p, &l);
  cs_plot_curve_color (CS_CURVE_LOSS_REC, style->dark, &icolor);
  cs_plot_curve_color (CS_CURVE_ACC, style->dark, &scolor);

  cairo_save (cr);
  cs_plot_fill_background (cr, style, width, height);
  cs_plot_draw_title (cr, style, l.ax, 10, p->title);

  if (p->hover_k >= p->k_min && p->hover_k <= p->k_max)
    draw_k_mark (cr, style, &l, p->hover_k, FALSE);
  draw_panel (cr, style, p, &l, p->inertia, l.iy, l.ih, l.i0, l.i1, &icolor,
              _ ("inertia (lower is tighter)"));
  draw_panel (cr, style, p, &l, p->silhouette, l.sy, l.sh, l.s0, l.s1, &scolor,
              _ ("silhouette (higher is better)"));
  draw_k_axis (cr, style, p, &l);

  /* The best silhouette, ringed and named. */
  best = cs_plot_kchoice_best (p);
  if (best != 0)
    {
      double v = p->silhouette[best - p->k_min];
      double px = k_to_pixel (&l, best), py = value_to_pixel (l.sy, l.sh, l.s0, l.s1, v);

      cairo_save (cr);
      cs_plot_set_source (cr, &scolor);
      cairo_set_line_width (cr, 2.0);
      cairo_arc (cr, px, py, 7, 0, 2 * G_PI);
      cairo_stroke (cr);
      cs_plot_set_font (cr, style, 0.85, TRUE);
      /* Translators: the K with the highest silhouette, marked on the plot */
      g_snprintf (buf, sizeof buf, _ ("best %u"), best);
      /* Beside the ring, on the side with room. */
      if (px + 11 + cs_plot_text_width (cr, buf) < l.ax + l.aw)
        cs_plot_text (cr, px + 11, py, buf, 0.0, 0.5);
      else
        cs_plot_text (cr, px - 11, py, buf, 1.0, 0.5);
      cairo_restore (cr);
    }

  if (p->current_k >= p->k_min && p->current_k <= p->k_max)
    {
      double px = k_to_pixel (&l, p->current_k);

      draw_k_mark (cr, style, &l, p->current_k, TRUE);
      cairo_save (cr);
      cs_plot_set_font (cr, style, 0.85, FALSE);
      cs_plot_set_source (cr, &style->foreground);
      g_snprintf (buf, sizeof buf, _ ("current K = %u"), p->current_k);
      if (px + 6 + cs_plot_text_width (cr, buf) < l.ax + l.aw)
        cs_plot_text (cr, px + 6, l.iy + 4, buf, 0.0, 0.0);
      else
        cs_plot_text (cr, px - 6, l.iy + 4, buf, 1.0, 0.0);
      cairo_restore (cr);
    }
  cairo_restore (cr);
}
