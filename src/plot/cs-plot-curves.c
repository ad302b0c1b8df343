/* cs-plot-curves.c: metrics and losses over the epochs, with phases, re-inits and changes.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "cs-plot-private.h"

#define MARGIN_LEFT 54.0
#define MARGIN_RIGHT 16.0
#define MARGIN_RIGHT_LOSSES 64.0
#define MARGIN_BOTTOM 42.0

typedef struct
{
  const char *name;
  gsize offset;   /* into CsEpochMetrics */
  gboolean right; /* loss axis */
  gboolean dashed;
} Series;

static const Series series[CS_CURVE_N] = {
  [CS_CURVE_ACC] = { "ACC", offsetof (CsEpochMetrics, acc), FALSE, FALSE },
  [CS_CURVE_NMI] = { "NMI", offsetof (CsEpochMetrics, nmi), FALSE, FALSE },
  [CS_CURVE_ARI] = { "ARI", offsetof (CsEpochMetrics, ari), FALSE, FALSE },
  [CS_CURVE_LABEL_CHANGE]
  = { N_ ("label change"), offsetof (CsEpochMetrics, label_change), FALSE, TRUE },
  [CS_CURVE_LOSS_REC] = { N_ ("rec. loss"), offsetof (CsEpochMetrics, loss_rec), TRUE, FALSE },
  [CS_CURVE_LOSS_CLU] = { N_ ("clust. loss"), offsetof (CsEpochMetrics, loss_clu), TRUE, FALSE },
};

typedef struct
{
  double ax, ay, aw, ah;
  double x0, x1;       /* epochs */
  double y0, y1;       /* left axis */
  double l0, l1;       /* right axis, log10 */
  gboolean has_losses; /* right axis drawn */
  gboolean has_labels; /* some epoch has ACC / NMI / ARI */
} Layout;

void
cs_plot_curve_color (CsCurve curve, gboolean dark, CsRgba *out)
{
  static const guint32 light[CS_CURVE_N] = {
    0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x555555,
  };
  static const guint32 dark_[CS_CURVE_N] = {
    0x4EA3E0, 0xF0B020, 0x2CC497, 0xF07838, 0xE08FC0, 0xBBBBBB,
  };
  guint32 hex;

  g_return_if_fail (curve < CS_CURVE_N && out != NULL);
  hex = dark ? dark_[curve] : light[curve];
  out->r = ((hex >> 16) & 0xff) / 255.0;
  out->g = ((hex >> 8) & 0xff) / 255.0;
  out->b = (hex & 0xff) / 255.0;
  out->a = 1.0;
}

static double
value (const CsSnapshot *s, CsCurve c)
{
  return *(const double *) ((const char *) &s->metrics + series[c].offset);
}

static gboolean
has_history (const CsCurvesParams *p)
{
  return p->history != NULL && p->n > 0;
}

static void
layout_x (double width, const CsCurvesParams *p, Layout *l)
{
  double e0 = p->history[0]->epoch, e1 = p->history[p->n - 1]->epoch;

  if (p->compare != NULL && p->n_compare > 0)
    {
      e0 = MIN (e0, p->compare[0]->epoch);
      e1 = MAX (e1, p->compare[p->n_compare - 1]->epoch);
    }

  l->ax = MARGIN_LEFT;
  l->aw = MAX (width - MARGIN_LEFT - (p->show_losses ? MARGIN_RIGHT_LOSSES : MARGIN_RIGHT), 1.0);
  if (e1 <= e0)
    {
      l->x0 = e0 - 0.5;
      l->x1 = e0 + 0.5;
    }
  else
    {
      /* A little air so that the first and last epochs do not sit on the frame. */
      double pad = (e1 - e0) * 0.015;

      l->x0 = e0 - pad;
      l->x1 = e1 + pad;
    }
}

static double
x_to_pixel (const Layout *l, double epoch)
{
  return l->ax + (epoch - l->x0) / (l->x1 - l->x0) * l->aw;
}

static double
y_to_pixel (const Layout *l, double v)
{
  return l->ay + l->ah - (v - l->y0) / (l->y1 - l->y0) * l->ah;
}

static double
loss_to_pixel (const Layout *l, double v)
{
  return l->ay + l->ah - (log10 (v) - l->l0) / (l->l1 - l->l0) * l->ah;
}

gint
cs_plot_curves_hit (double width, double height, const CsCurvesParams *params, double px)
{
  Layout l;
  double e, best_d = INFINITY;
  gint best = -1;

  g_return_val_if_fail (params != NULL, -1);
  if (!has_history (params))
    return -1;
  layout_x (width, params, &l);
  if (px < l.ax - 4 || px > l.ax + l.aw + 4)
    return -1;
  e = l.x0 + (px - l.ax) / l.aw * (l.x1 - l.x0);
  for (guint i = 0; i < params->n; i++)
    {
      double d = fabs (params->history[i]->epoch - e);

      if (d < best_d)
        {
          best_d = d;
          best = (gint) i;
        }
    }
  return best;
}

static gboolean
visible (const CsCurvesParams *p, CsCurve c, gboolean has_labels)
{
  if (series[c].right)
    return p->show_losses;
  if (c == CS_CURVE_LABEL_CHANGE)
    return TRUE;
  return has_labels;
}

/* The label of a settings change: what changed and its new value. */
static char *
change_label (const CsSnapshot *s)
{
  GString *str = g_string_new (NULL);
  const CsSettings *st = &s->settings;

#define SEP() (str->len > 0 ? g_string_append (str, ", ") : str)
  if (s->changed & CS_SETTING_LR)
    g_string_append_printf (SEP (), "lr %.2g", st->lr);
  if (s->changed & CS_SETTING_K)
    g_string_append_printf (SEP (), "K %u", st->k);
  if (s->changed & CS_SETTING_REINIT_EVERY)
    g_string_append_printf (SEP (), "R %u", st->reinit_every);
  if (s->changed & CS_SETTING_ALPHA)
    g_string_append_printf (SEP (), "α %.4g", st->alpha);
  if (s->changed & CS_SETTING_LAMBDA)
    g_string_append_printf (SEP (), "λ %.4g", st->lambda);
  if (s->changed & CS_SETTING_REINIT_MODE)
    g_string_append (SEP (), st->reinit_mode == CS_REINIT_WARM ? "warm" : "fresh");
  if (s->changed & CS_SETTING_FREEZE_PROJECTION)
    g_string_append (SEP (), st->freeze_projection ? _ ("proj. frozen") : _ ("proj. free"));
  if (s->changed & CS_SETTING_KMEANS_N_INIT)
    g_string_append_printf (SEP (), "n_init %u", st->kmeans_n_init);
  if (s->changed & CS_SETTING_PROJECTION)
    g_string_append (SEP (), st->projection == CS_PROJECTION_TSNE  ? "t-SNE"
                             : st->projection == CS_PROJECTION_LDA ? "LDA"
                                                                   : "PCA");
  if (s->changed & CS_SETTING_DIVERGENCE_FACTOR)
    g_string_append_printf (SEP (), "guard %.3g×", st->divergence_factor);
#undef SEP
  if (str->len == 0)
    g_string_append (str, _ ("changed"));
  return g_string_free (str, FALSE);
}

static void
format_loss_tick (char *buf, gsize size, double log_value)
{
  double v = pow (10.0, log_value);

  if (v >= 1e-3 && v < 1e5)
    g_snprintf (buf, size, "%.3g", v);
  else if (fabs (log_value - round (log_value)) < 1e-9)
    g_snprintf (buf, size, "1e%d", (int) round (log_value));
  else
    g_snprintf (buf, size, "%.1e", v);
}

typedef enum
{
  ITEM_CURVE,
  ITEM_REINIT,  /* the triangles on the epoch axis */
  ITEM_NOTE,    /* a muted remark, no swatch */
  ITEM_COMPARE, /* the dashed curves of another run */
} ItemKind;

typedef struct
{
  ItemKind kind;
  CsCurve curve;
  double x; /* relative to the row */
  guint row;
  char text[80];
} LegendItem;

static void
draw_series (
    cairo_t *cr, const CsPlotStyle *style, const CsCurvesParams *p, const Layout *l, CsCurve c)
{
  static const double dash[] = { 6.0, 4.0 };
  CsRgba color;
  gboolean pen_down = FALSE;
  double spacing = l->aw / MAX (l->x1 - l->x0, 1.0);

  cs_plot_curve_color (c, style->dark, &color);
  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width (cr, series[c].right ? 1.5 : 2.0);
  if (series[c].dashed)
    cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cs_plot_set_source (cr, &color);

  for (guint i = 0; i < p->n; i++)
    {
      double v = value (p->history[i], c), px, py;

      /* Undefined epochs (no labels, pretraining) leave a gap. */
      if (!isfinite (v) || (series[c].right && v <= 0))
        {
          pen_down = FALSE;
          continue;
        }
      px = x_to_pixel (l, p->history[i]->epoch);
      py = series[c].right ? loss_to_pixel (l, v) : y_to_pixel (l, v);
      if (pen_down)
        cairo_line_to (cr, px, py);
      else
        cairo_move_to (cr, px, py);
      /* A lone point would be invisible as a line. */
      if (!pen_down && (i + 1 == p->n || !isfinite (value (p->history[i + 1], c))))
        cairo_line_to (cr, px + 0.01, py);
      pen_down = TRUE;
    }
  cairo_stroke (cr);

  /* Epochs as dots while they are far enough apart to tell. */
  if (!series[c].right && (spacing >= 14 || p->n == 1))
    {
      cairo_set_dash (cr, NULL, 0, 0);
      for (guint i = 0; i < p->n; i++)
        {
          double v = value (p->history[i], c);

          if (!isfinite (v) || (series[c].right && v <= 0))
            continue;
          cairo_arc (cr, x_to_pixel (l, p->history[i]->epoch),
                     series[c].right ? loss_to_pixel (l, v) : y_to_pixel (l, v), 2.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

/* The comparison run's score curve c: thinner, dashed, a little faded, no dots. */
static void
draw_compare_series (
    cairo_t *cr, const CsPlotStyle *style, const CsCurvesParams *p, const Layout *l, CsCurve c)
{
  static const double dash[] = { 5.0, 3.0 };
  gboolean pen_down = FALSE;
  CsRgba color;

  cs_plot_curve_color (c, style->dark, &color);
  color.a *= 0.8;
  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 1.4);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cs_plot_set_source (cr, &color);
  for (guint i = 0; i < p->n_compare; i++)
    {
      double v = value (p->compare[i], c);
      double px = x_to_pixel (l, p->compare[i]->epoch), py = y_to_pixel (l, v);

      if (!isfinite (v))
        {
          pen_down = FALSE;
          continue;
        }
      if (pen_down)
        cairo_line_to (cr, px, py);
      else
        cairo_move_to (cr, px, py);
      pen_down = TRUE;
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
legend_swatch (cairo_t *cr, const CsPlotStyle *style, CsCurve c, double x, double y)
{
  static const double dash[] = { 4.0, 2.5 };
  CsRgba color;

  cs_plot_curve_color (c, style->dark, &color);
  cairo_save (cr);
  cs_plot_set_source (cr, &color);
  cairo_set_line_width (cr, series[c].right ? 1.5 : 2.0);
  if (series[c].dashed)
    cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + 16, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* The axes' ranges from every epoch. ARI may go below zero; everything else on the left lies
 * in [0, 1]; the losses get a log axis with a little air. */
static void
layout_ranges (double width, const CsCurvesParams *p, Layout *l)
{
  double ymin = 0.0, lmin = INFINITY, lmax = -INFINITY;

  l->has_labels = FALSE;
  for (guint i = 0; i < p->n; i++)
    {
      const CsEpochMetrics *m = &p->history[i]->metrics;

      if (isfinite (m->acc) || isfinite (m->nmi) || isfinite (m->ari))
        l->has_labels = TRUE;
      if (isfinite (m->ari))
        ymin = MIN (ymin, floor (m->ari * 10.0) / 10.0);
      if (p->show_losses)
        for (CsCurve c = CS_CURVE_LOSS_REC; c <= CS_CURVE_LOSS_CLU; c++)
          {
            double v = value (p->history[i], c);

            if (isfinite (v) && v > 0)
              {
                lmin = MIN (lmin, log10 (v));
                lmax = MAX (lmax, log10 (v));
              }
          }
    }

  layout_x (width, p, l);
  l->y0 = MAX (ymin, -1.0);
  l->y1 = 1.0;
  l->has_losses = p->show_losses && lmin <= lmax;
  if (l->has_losses)
    {
      double span = lmax - lmin;

      if (span < 0.3)
        {
          lmin -= (0.3 - span) / 2;
          lmax += (0.3 - span) / 2;
          span = 0.3;
        }
      l->l0 = lmin - span * 0.06;
      l->l1 = lmax + span * 0.06;
    }
}

/* A curve is drawn (and in the legend) when its axis is. */
static gboolean
drawn (const CsCurvesParams *p, const Layout *l, CsCurve c)
{
  return visible (p, c, l->has_labels) && (!series[c].right || l->has_losses);
}

/* The legend's entries, wrapped to rows that fit the width: the values are those of shown.
 * Sets *rows; returns the number of items. The font must be the legend's. */
static guint
layout_legend (cairo_t *cr,
               double width,
               const CsCurvesParams *p,
               const Layout *l,
               const CsSnapshot *shown,
               LegendItem items[CS_CURVE_N + 3],
               guint *rows)
{
  double x = 0, max_w = width - MARGIN_LEFT - 8;
  gboolean any_reinit = FALSE;
  guint n_items = 0;

  *rows = 1;
  for (guint i = 0; i < p->n && !any_reinit; i++)
    any_reinit = p->history[i]->reinitialised;

  for (guint i = 0; i < CS_CURVE_N + 3; i++)
    {
      LegendItem *item = &items[n_items];
      double w;

      if (i == CS_CURVE_N + 2)
        {
          if (p->compare == NULL || p->n_compare == 0 || !l->has_labels)
            continue;
          item->kind = ITEM_COMPARE;
          /* Translators: the legend entry of the dashed curves of another run */
          g_snprintf (item->text, sizeof item->text, _ ("dashed: %s"),
                      p->compare_name ? p->compare_name : _ ("other run"));
        }
      else

          if (i < CS_CURVE_N)
        {
          CsCurve c = (CsCurve) i;
          double v = value (shown, c);

          if (!drawn (p, l, c))
            continue;
          item->kind = ITEM_CURVE;
          item->curve = c;
          if (isfinite (v))
            g_snprintf (item->text, sizeof item->text, series[c].right ? "%s %.3g" : "%s %.3f",
                        _ (series[c].name), v);
          else
            g_snprintf (item->text, sizeof item->text, "%s –", _ (series[c].name));
        }
      else if (i == CS_CURVE_N)
        {
          if (!any_reinit)
            continue;
          item->kind = ITEM_REINIT;
          g_strlcpy (item->text, _ ("K-means re-init"), sizeof item->text);
        }
      else
        {
          if (l->has_labels)
            continue;
          item->kind = ITEM_NOTE;
          g_strlcpy (item->text, _ ("No labels: ACC / NMI / ARI unavailable"), sizeof item->text);
        }
      w = (item->kind == ITEM_NOTE ? 0 : 20) + cs_plot_text_width (cr, item->text) + 14;
      if (x > 0 && x + w > max_w)
        {
          (*rows)++;
          x = 0;
        }
      item->x = x;
      item->row = *rows - 1;
      n_items++;
      x += w;
    }
  return n_items;
}

static void
draw_legend (cairo_t *cr,
             const CsPlotStyle *style,
             const LegendItem *items,
             guint n_items,
             double top,
             double row_h)
{
  for (guint i = 0; i < n_items; i++)
    {
      double x = MARGIN_LEFT + items[i].x;
      double y = top + items[i].row * row_h + row_h / 2;

      switch (items[i].kind)
        {
        case ITEM_CURVE:
          legend_swatch (cr, style, items[i].curve, x, round (y) + 0.5);
          break;
        case ITEM_REINIT:
          cs_plot_set_source_alpha (cr, &style->foreground, 0.75);
          cairo_move_to (cr, x + 8, y - 4);
          cairo_line_to (cr, x + 12, y + 3);
          cairo_line_to (cr, x + 4, y + 3);
          cairo_close_path (cr);
          cairo_fill (cr);
          break;
        case ITEM_COMPARE:
          {
            static const double dash[] = { 5.0, 3.0 };

            cairo_save (cr);
            cairo_set_line_width (cr, 1.4);
            cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
            cs_plot_set_source_alpha (cr, &style->foreground, 0.75);
            cairo_move_to (cr, x, round (y) + 0.5);
            cairo_line_to (cr, x + 16, round (y) + 0.5);
            cairo_stroke (cr);
            cairo_restore (cr);
          }
          break;
        case ITEM_NOTE:
        default:
          break;
        }
      cs_plot_set_source (cr, items[i].kind == ITEM_CURVE ? &style->foreground : &style->muted);
      cs_plot_text (cr, x + (items[i].kind == ITEM_NOTE ? 0 : 20), y, items[i].text, 0.0, 0.5);
    }
}

/* Pretraining shaded, with the boundary marked. */
static void
draw_pretraining (cairo_t *cr, const CsPlotStyle *style, const CsCurvesParams *p, const Layout *l)
{
  gint boundary = -1;
  double sx1 = -1;

  for (guint i = 0; i < p->n; i++)
    if (p->history[i]->phase == CS_PHASE_CLUSTER)
      {
        boundary = (gint) i;
        break;
      }
  if (boundary > 0)
    sx1 = (x_to_pixel (l, p->history[boundary - 1]->epoch)
           + x_to_pixel (l, p->history[boundary]->epoch))
          / 2;
  else if (boundary < 0)
    sx1 = l->ax + l->aw;
  if (sx1 <= l->ax)
    return;

  cairo_save (cr);
  cs_plot_set_source_alpha (cr, &style->foreground, style->dark ? 0.07 : 0.05);
  cairo_rectangle (cr, l->ax, l->ay, sx1 - l->ax, l->ah);
  cairo_fill (cr);
  if (boundary > 0)
    {
      static const double dash[] = { 3.0, 3.0 };

      cs_plot_set_source_alpha (cr, &style->foreground, 0.45);
      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, cs_plot_align (sx1), l->ay);
      cairo_line_to (cr, cs_plot_align (sx1), l->ay + l->ah);
      cairo_stroke (cr);
    }
  cs_plot_set_font (cr, style, 0.85, FALSE);
  if (cs_plot_text_width (cr, _ ("pretraining")) + 8 < sx1 - l->ax)
    {
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l->ax + 5, l->ay + l->ah - 5, _ ("pretraining"), 0.0, 1.0);
    }
  cairo_restore (cr);
}

/* The three axes below share one cairo state (line width 1, the tick font), set by the caller. */

/* Grid and left axis: scores (or the label change alone). */
static void
draw_score_axis (cairo_t *cr, const CsPlotStyle *style, const Layout *l)
{
  double ticks[CS_PLOT_MAX_TICKS], step = 0.1;
  char buf[128];
  guint nt = cs_plot_ticks_linear (l->y0, l->y1, (guint) CLAMP (l->ah / 40, 2, 6), ticks, &step);

  cs_plot_set_font (cr, style, 0.92, FALSE);
  for (guint i = 0; i < nt; i++)
    {
      double py = cs_plot_align (y_to_pixel (l, ticks[i]));

      cs_plot_format_tick (buf, sizeof buf, ticks[i], step);
      cs_plot_draw_y_tick (cr, style, l->ax, l->aw, py, buf);
    }
  cs_plot_text_vertical (cr, 12, l->ay + l->ah / 2, l->has_labels ? _ ("score") : _ ("fraction"));
}

/* Bottom axis: epochs, integer ticks. */
static void
draw_epoch_axis (cairo_t *cr, const CsPlotStyle *style, const Layout *l)
{
  double ticks[CS_PLOT_MAX_TICKS], step = 0.1;
  char buf[128];
  guint nt = cs_plot_ticks_linear (l->x0, l->x1, (guint) CLAMP (l->aw / 70, 2, 12), ticks, &step);

  if (step != floor (step))
    {
      /* Epochs are whole numbers: 0.5 -> 1, 2.5 -> 2, 25 stays. */
      step = step < 1 ? 1 : floor (step);
      nt = 0;
      for (double e = ceil (l->x0 / step) * step; e <= l->x1 && nt < CS_PLOT_MAX_TICKS; e += step)
        ticks[nt++] = e;
    }
  for (guint i = 0; i < nt; i++)
    {
      double px = cs_plot_align (x_to_pixel (l, ticks[i]));

      cs_plot_set_source_alpha (cr, &style->foreground, 0.7);
      cairo_move_to (cr, px, round (l->ay + l->ah));
      cairo_line_to (cr, px, round (l->ay + l->ah) + 5);
      cairo_stroke (cr);
      cs_plot_format_tick (buf, sizeof buf, ticks[i], step);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, px, l->ay + l->ah + 7, buf, 0.5, 0.0);
    }
  cs_plot_text (cr, l->ax + l->aw / 2, l->ay + l->ah + 24, _ ("epoch"), 0.5, 0.0);
}

/* Right axis: losses, log scale. */
static void
draw_loss_axis (cairo_t *cr, const CsPlotStyle *style, const Layout *l, double width)
{
  double ticks[CS_PLOT_MAX_TICKS];
  char buf[128];
  guint nt = cs_plot_ticks_log (l->l0, l->l1, (guint) CLAMP (l->ah / 40, 2, 6), ticks);

  for (guint i = 0; i < nt; i++)
    {
      double py = cs_plot_align (loss_to_pixel (l, pow (10.0, ticks[i])));

      cs_plot_set_source_alpha (cr, &style->foreground, 0.7);
      cairo_move_to (cr, round (l->ax + l->aw), py);
      cairo_line_to (cr, round (l->ax + l->aw) + 5, py);
      cairo_stroke (cr);
      format_loss_tick (buf, sizeof buf, ticks[i]);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l->ax + l->aw + 8, py, buf, 0.0, 0.5);
    }
  cs_plot_text_vertical (cr, width - 10, l->ay + l->ah / 2, _ ("loss (log)"));
}

/* Settings changes: a dotted line and a flag saying what changed. Flags that would overlap
 * stack in up to three rows of row_h. */
static void
draw_changes (
    cairo_t *cr, const CsPlotStyle *style, const CsCurvesParams *p, const Layout *l, double row_h)
{
  double flag_end[3] = { -INFINITY, -INFINITY, -INFINITY };
  static const double dots[] = { 1.0, 3.0 };

  cairo_save (cr);
  cs_plot_set_font (cr, style, 0.8, FALSE);
  for (guint i = 0; i < p->n; i++)
    {
      const CsSnapshot *s = p->history[i];
      double px = cs_plot_align (x_to_pixel (l, s->epoch));
      double tw, fy, fw, fh, fx;
      guint r;
      g_autofree char *label = NULL;

      if (s->changed == 0)
        continue;
      label = change_label (s);
      tw = cs_plot_text_width (cr, label);
      for (r = 0; r < G_N_ELEMENTS (flag_end) - 1 && flag_end[r] > px - 2; r++)
        ;
      fy = l->ay + 3 + r * (row_h + 2);

      cairo_set_line_width (cr, 1.0);
      cairo_set_dash (cr, dots, 2, 0);
      cs_plot_set_source_alpha (cr, &style->foreground, 0.6);
      cairo_move_to (cr, px, fy);
      cairo_line_to (cr, px, l->ay + l->ah);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);

      /* The flag hangs to the right of its pole, or to the left at the right edge. */
      fw = tw + 8;
      fh = row_h - 2;
      fx = px + fw > l->ax + l->aw ? px - fw : px;
      cs_plot_set_source_alpha (cr, &style->background, 0.92);
      cairo_rectangle (cr, fx, fy, fw, fh);
      cairo_fill_preserve (cr);
      cs_plot_set_source_alpha (cr, &style->foreground, 0.6);
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);
      cs_plot_set_source (cr, &style->foreground);
      cs_plot_text (cr, fx + 4, fy + fh / 2, label, 0.0, 0.5);
      flag_end[r] = MAX (fx + fw, px);
    }
  cairo_restore (cr);
}

/* Re-initialisations: small triangles standing on the epoch axis. */
static void
draw_reinits (cairo_t *cr, const CsPlotStyle *style, const CsCurvesParams *p, const Layout *l)
{
  cairo_save (cr);
  for (guint i = 0; i < p->n; i++)
    {
      double px;

      if (!p->history[i]->reinitialised)
        continue;
      px = x_to_pixel (l, p->history[i]->epoch);
      cairo_move_to (cr, px, l->ay + l->ah - 7);
      cairo_line_to (cr, px + 4, l->ay + l->ah);
      cairo_line_to (cr, px - 4, l->ay + l->ah);
      cairo_close_path (cr);
    }
  cs_plot_set_source_alpha (cr, &style->foreground, 0.75);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* The cursor at shown, with the values it crosses marked. */
static void
draw_cursor (cairo_t *cr,
             const CsPlotStyle *style,
             const CsCurvesParams *p,
             const Layout *l,
             const CsSnapshot *shown)
{
  double cx = x_to_pixel (l, shown->epoch);

  cairo_save (cr);
  cs_plot_set_source_alpha (cr, &style->foreground, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, cs_plot_align (cx), l->ay);
  cairo_line_to (cr, cs_plot_align (cx), l->ay + l->ah);
  cairo_stroke (cr);
  for (CsCurve c = 0; c < CS_CURVE_N; c++)
    {
      double v = value (shown, c);
      CsRgba color;

      if (!drawn (p, l, c) || !isfinite (v) || (series[c].right && v <= 0))
        continue;
      cs_plot_curve_color (c, style->dark, &color);
      cairo_arc (cr, cx, series[c].right ? loss_to_pixel (l, v) : y_to_pixel (l, v), 4, 0,
                 2 * G_PI);
      cs_plot_set_source (cr, &color);
      cairo_fill_preserve (cr);
      cs_plot_set_source (cr, &style->background);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

void
cs_plot_curves_draw (cairo_t *cr,
                     double width,
                     double height,
                     const CsPlotStyle *style,
                     const CsCurvesParams *params)
{
  const CsCurvesParams *p = params;
  Layout l;
  const CsSnapshot *shown;
  LegendItem items[CS_CURVE_N + 3];
  guint n_items, rows;
  cairo_font_extents_t fext;
  double row_h, legend_top;

  g_return_if_fail (cr != NULL && style != NULL && params != NULL);

  if (!has_history (p))
    {
      cs_plot_draw_message (cr, width, height, style, _ ("No epochs yet — press Start"));
      return;
    }

  layout_ranges (width, p, &l);
  /* The legend's values are those at the cursor, or the last epoch's. */
  shown = p->history[p->cursor >= 0 && (guint) p->cursor < p->n ? p->cursor : (gint) p->n - 1];

  cairo_save (cr);
  cs_plot_fill_background (cr, style, width, height);

  /* The legend's height sets the top of the plot area. */
  cs_plot_set_font (cr, style, 0.92, FALSE);
  cairo_font_extents (cr, &fext);
  row_h = ceil ((fext.ascent + fext.descent) * 1.4);
  n_items = layout_legend (cr, width, p, &l, shown, items, &rows);
  legend_top = p->title != NULL ? 34.0 : 8.0;
  l.ay = legend_top + rows * row_h + 6;
  l.ah = MAX (height - l.ay - MARGIN_BOTTOM, 1.0);

  cs_plot_draw_title (cr, style, MARGIN_LEFT, 10, p->title);
  if (p->title != NULL)
    {
      char buf[128];

      g_snprintf (buf, sizeof buf, _ ("epoch %u"), shown->epoch);
      cairo_save (cr);
      cs_plot_set_font (cr, style, 0.92, FALSE);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l.ax + l.aw, 12, buf, 1.0, 0.0);
      cairo_restore (cr);
    }
  draw_legend (cr, style, items, n_items, legend_top, row_h);
  draw_pretraining (cr, style, p, &l);

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  draw_score_axis (cr, style, &l);
  draw_epoch_axis (cr, style, &l);
  if (l.has_losses)
    draw_loss_axis (cr, style, &l, width);
  cairo_restore (cr);

  draw_changes (cr, style, p, &l, row_h);

  /* The curves, clipped to the area; losses first so the scores stay on top. */
  cairo_save (cr);
  cairo_rectangle (cr, l.ax, l.ay - 3, l.aw, l.ah + 6);
  cairo_clip (cr);
  for (CsCurve c = CS_CURVE_N; c-- > 0;)
    if (drawn (p, &l, c))
      draw_series (cr, style, p, &l, c);
  if (p->compare != NULL && l.has_labels)
    for (CsCurve c = CS_CURVE_ACC; c <= CS_CURVE_ARI; c++)
      draw_compare_series (cr, style, p, &l, c);
  cairo_restore (cr);

  draw_reinits (cr, style, p, &l);
  cs_plot_draw_frame (cr, style, l.ax, l.ay, l.aw, l.ah);
  if (p->cursor >= 0 && (guint) p->cursor < p->n)
    draw_cursor (cr, style, p, &l, shown);
  cairo_restore (cr);
}
