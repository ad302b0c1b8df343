/* cs-plot-confusion.c: the class x cluster contingency table, columns in matched order.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>

#include "cs-plot-private.h"

typedef struct
{
  guint cluster;
  gint klass; /* matched class, or G_MAXINT when unmatched (sorts last) */
} Column;

typedef struct
{
  guint nc, k;
  Column *cols;      /* k, display order */
  gint64 *row_total; /* nc */
  double ax, ay, cw, ch;
  double label_w, line;
} Layout;

static void
layout_clear (Layout *l)
{
  g_clear_pointer (&l->cols, g_free);
  g_clear_pointer (&l->row_total, g_free);
}

static int
compare_columns (const void *a, const void *b)
{
  const Column *ca = a, *cb = b;

  if (ca->klass != cb->klass)
    return ca->klass < cb->klass ? -1 : 1;
  return ca->cluster < cb->cluster ? -1 : (ca->cluster > cb->cluster);
}

static gboolean
has_table (const CsSnapshot *s)
{
  return s != NULL && s->n_classes > 0 && s->contingency != NULL && s->k > 0;
}

static const char *
class_name (const CsConfusionParams *params, guint r, char *buf, gsize size)
{
  if (params->class_names != NULL && params->class_names[r] != NULL)
    return params->class_names[r];
  g_snprintf (buf, size, "%u", r);
  return buf;
}

/* Fills l from the text metrics of cr; FALSE when the cells would be too small to draw. */
static gboolean
layout (cairo_t *cr,
        double width,
        double height,
        const CsPlotStyle *style,
        const CsConfusionParams *params,
        Layout *l)
{
  const CsSnapshot *s = params->snapshot;
  cairo_font_extents_t fext;
  double count_w = 0, left, right, top, bottom = 12;
  char buf[64];

  l->nc = s->n_classes;
  l->k = s->k;
  /* Columns in the order of the class each cluster is matched to, so the matched pairs
   * form the diagonal; unmatched clusters (K > classes) go last. */
  l->cols = g_new (Column, l->k);
  for (guint j = 0; j < l->k; j++)
    {
      gint c = s->cluster_to_class != NULL ? s->cluster_to_class[j] : -1;

      l->cols[j].cluster = j;
      l->cols[j].klass = c >= 0 && (guint) c < l->nc ? c : G_MAXINT;
    }
  qsort (l->cols, l->k, sizeof *l->cols, compare_columns);

  l->row_total = g_new0 (gint64, l->nc);
  for (guint r = 0; r < l->nc; r++)
    for (guint j = 0; j < l->k; j++)
      l->row_total[r] += s->contingency[r * l->k + j];

  cairo_save (cr);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  cairo_font_extents (cr, &fext);
  l->line = ceil (fext.ascent + fext.descent);
  l->label_w = 0;
  for (guint r = 0; r < l->nc; r++)
    {
      l->label_w
          = MAX (l->label_w, cs_plot_text_width (cr, class_name (params, r, buf, sizeof buf)));
      cs_plot_format_count (buf, sizeof buf, l->row_total[r]);
      count_w = MAX (count_w, cs_plot_text_width (cr, buf));
    }
  cairo_restore (cr);

  l->label_w = MIN (l->label_w, width * 0.3);
  left = 24 + l->label_w + 8;
  right = count_w + 14;
  top = (params->title != NULL ? 34.0 : 8.0) + l->line + 6 + 14 + 4;
  l->cw = floor ((width - left - right) / l->k);
  l->ch = floor ((height - top - bottom - l->line - 6) / l->nc);
  if (l->cw < 2 || l->ch < 2)
    return FALSE;
  /* Square-ish cells read better than long strips. */
  l->cw = MIN (l->cw, l->ch * 2.5);
  l->ch = MIN (l->ch, l->cw * 1.5);
  l->ax = round (left);
  l->ay = round (top);
  return TRUE;
}

gboolean
cs_plot_confusion_hit (double width,
                       double height,
                       const CsPlotStyle *style,
                       const CsConfusionParams *params,
                       double px,
                       double py,
                       guint *klass,
                       guint *cluster)
{
  Layout l = { 0 };
  cairo_surface_t *scratch;
  cairo_t *cr;
  gboolean ok = FALSE;

  g_return_val_if_fail (style != NULL && params != NULL, FALSE);
  if (!has_table (params->snapshot))
    return FALSE;

  /* Text is measured the same on any surface without hinting differences that matter here. */
  scratch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (scratch);
  if (layout (cr, width, height, style, params, &l))
    {
      double c = floor ((px - l.ax) / l.cw), r = floor ((py - l.ay) / l.ch);

      if (c >= 0 && c < l.k && r >= 0 && r < l.nc)
        {
          if (klass)
            *klass = (guint) r;
          if (cluster)
            *cluster = l.cols[(guint) c].cluster;
          ok = TRUE;
        }
    }
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);
  layout_clear (&l);
  return ok;
}

/* Sequential ramp from the background to a deep blue (light) or a bright blue (dark). */
static void
cell_color (const CsPlotStyle *style, double share, CsRgba *out)
{
  static const CsRgba light_end = { 0.03, 0.19, 0.42, 1.0 };
  static const CsRgba dark_end = { 0.45, 0.72, 1.0, 1.0 };
  CsRgba start = style->background;

  start.a = 1.0;
  /* A little gamma so that small shares are still visible. */
  cs_plot_rgba_mix (&start, style->dark ? &dark_end : &light_end, pow (CLAMP (share, 0, 1), 0.7),
                    out);
}

static double
luminance (const CsRgba *c)
{
  return 0.2126 * c->r + 0.7152 * c->g + 0.0722 * c->b;
}

void
cs_plot_confusion_draw (cairo_t *cr,
                        double width,
                        double height,
                        const CsPlotStyle *style,
                        const CsConfusionParams *params)
{
  const CsSnapshot *s;
  Layout l = { 0 };
  gboolean show_counts, show_share;
  char buf[64];

  g_return_if_fail (cr != NULL && style != NULL && params != NULL);

  s = params->snapshot;
  if (s == NULL)
    {
      cs_plot_draw_message (cr, width, height, style, _ ("No data yet — press Start"));
      return;
    }
  if (!has_table (s))
    {
      cs_plot_draw_message (cr, width, height, style, _ ("This dataset has no labels"));
      return;
    }
  if (!layout (cr, width, height, style, params, &l))
    {
      layout_clear (&l);
      cs_plot_draw_message (cr, width, height, style, _ ("Too small to show the matrix"));
      return;
    }

  cairo_save (cr);
  cs_plot_fill_background (cr, style, width, height);
  cs_plot_draw_title (cr, style, 8, 10, params->title);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  if (params->title != NULL && isfinite (s->metrics.acc))
    {
      g_snprintf (buf, sizeof buf, "ACC %.3f", s->metrics.acc);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l.ax + l.cw * l.k, 12, buf, 1.0, 0.0);
    }

  /* Cells, shaded by the share of their row (the class), with the count and the share
   * written when they fit. */
  show_counts = l.line + 2 <= l.ch;
  show_share = 2 * l.line + 4 <= l.ch;
  for (guint r = 0; r < l.nc; r++)
    for (guint c = 0; c < l.k; c++)
      {
        gint64 count = s->contingency[r * l.k + l.cols[c].cluster];
        double share = l.row_total[r] > 0 ? (double) count / l.row_total[r] : 0.0;
        double x = l.ax + c * l.cw, y = l.ay + r * l.ch;
        CsRgba color;

        cell_color (style, share, &color);
        cs_plot_set_source (cr, &color);
        cairo_rectangle (cr, x, y, l.cw, l.ch);
        cairo_fill (cr);

        if (show_counts && count > 0)
          {
            double ink = luminance (&color) < 0.45 ? 1.0 : 0.1;
            char pct[32];

            cs_plot_format_count (buf, sizeof buf, count);
            if (cs_plot_text_width (cr, buf) + 4 > l.cw)
              continue;
            g_snprintf (pct, sizeof pct, share >= 0.1 ? "%.0f %%" : "%.1f %%", share * 100);
            cairo_set_source_rgba (cr, ink, ink, ink, 1.0);
            if (show_share && cs_plot_text_width (cr, pct) + 4 <= l.cw)
              {
                cs_plot_text (cr, x + l.cw / 2, y + l.ch / 2, buf, 0.5, 1.0);
                cairo_set_source_rgba (cr, ink, ink, ink, 0.7);
                cs_plot_text (cr, x + l.cw / 2, y + l.ch / 2, pct, 0.5, 0.0);
              }
            else
              cs_plot_text (cr, x + l.cw / 2, y + l.ch / 2, buf, 0.5, 0.5);
          }
      }

  /* Thin separators, then the matched pairs outlined. */
  if (l.cw >= 6 && l.ch >= 6)
    {
      cairo_set_line_width (cr, 1.0);
      cs_plot_set_source (cr, &style->background);
      for (guint c = 1; c < l.k; c++)
        {
          cairo_move_to (cr, cs_plot_align (l.ax + c * l.cw), l.ay);
          cairo_line_to (cr, cs_plot_align (l.ax + c * l.cw), l.ay + l.nc * l.ch);
        }
      for (guint r = 1; r < l.nc; r++)
        {
          cairo_move_to (cr, l.ax, cs_plot_align (l.ay + r * l.ch));
          cairo_line_to (cr, l.ax + l.k * l.cw, cs_plot_align (l.ay + r * l.ch));
        }
      cairo_stroke (cr);
    }
  cs_plot_set_source_alpha (cr, &style->foreground, 0.8);
  cairo_set_line_width (cr, 1.5);
  for (guint c = 0; c < l.k; c++)
    if (l.cols[c].klass != G_MAXINT)
      cairo_rectangle (cr, l.ax + c * l.cw + 0.75, l.ay + l.cols[c].klass * l.ch + 0.75, l.cw - 1.5,
                       l.ch - 1.5);
  cairo_stroke (cr);
  cs_plot_draw_frame (cr, style, l.ax - 1, l.ay - 1, l.cw * l.k + 2, l.ch * l.nc + 2);

  /* Row labels (classes) and their totals. */
  for (guint r = 0; r < l.nc; r++)
    {
      g_autofree char *fit
          = cs_plot_text_fit (cr, class_name (params, r, buf, sizeof buf), l.label_w);

      cs_plot_set_source (cr, &style->foreground);
      cs_plot_text (cr, l.ax - 6, l.ay + r * l.ch + l.ch / 2, fit, 1.0, 0.5);
      cs_plot_format_count (buf, sizeof buf, l.row_total[r]);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l.ax + l.k * l.cw + 6, l.ay + r * l.ch + l.ch / 2, buf, 0.0, 0.5);
    }
  cs_plot_set_source (cr, &style->muted);
  cs_plot_text (cr, l.ax + l.k * l.cw + 6, l.ay - 4, "n", 0.0, 1.0);
  cs_plot_text_vertical (cr, 12, l.ay + l.nc * l.ch / 2, _ ("true class"));

  /* Column labels (cluster ids) over chips of their palette colour; thinned when crowded. */
  {
    guint every = (guint) MAX (ceil ((cs_plot_text_width (cr, "88") + 4) / l.cw), 1.0);
    double chip_w = MIN (l.cw - 2, 14);
    g_autofree char *axis = NULL;

    for (guint c = 0; c < l.k; c++)
      {
        CsRgba chip;
        double x = l.ax + c * l.cw;

        cs_palette_color (l.cols[c].cluster, l.k, style->dark, &chip);
        cs_plot_set_source (cr, &chip);
        cairo_rectangle (cr, round (x + l.cw / 2 - chip_w / 2), l.ay - 16, round (chip_w), 10);
        cairo_fill (cr);
        if (c % every == 0)
          {
            g_snprintf (buf, sizeof buf, "%u", l.cols[c].cluster);
            cs_plot_set_source (cr, &style->foreground);
            cs_plot_text (cr, x + l.cw / 2, l.ay - 18, buf, 0.5, 1.0);
          }
      }
    axis = cs_plot_text_fit (cr, _ ("cluster, in matched order (outlined: matched pairs)"),
                             width - 16);
    cs_plot_set_source (cr, &style->muted);
    cs_plot_text (cr,
                  CLAMP (l.ax + l.k * l.cw / 2, 8 + cs_plot_text_width (cr, axis) / 2,
                         width - 8 - cs_plot_text_width (cr, axis) / 2),
                  l.ay + l.nc * l.ch + 6, axis, 0.5, 0.0);
  }

  cairo_restore (cr);
  layout_clear (&l);
}
