/* cs-plot-common.c: what every plot shares: style, text, ticks, frames, empty state.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-plot-private.h"

static void
rgba_set (CsRgba *c, double r, double g, double b, double a)
{
  c->r = r;
  c->g = g;
  c->b = b;
  c->a = a;
}

void
cs_plot_style_init (CsPlotStyle *style, gboolean dark)
{
  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  style->dark = dark;
  style->font_size = 12.0;
  if (dark)
    {
      /* libadwaita's dark view background and text. */
      rgba_set (&style->background, 0x1e / 255.0, 0x1e / 255.0, 0x1e / 255.0, 1.0);
      rgba_set (&style->foreground, 0.93, 0.93, 0.93, 1.0);
      rgba_set (&style->grid, 1.0, 1.0, 1.0, 0.10);
      rgba_set (&style->muted, 0.64, 0.64, 0.64, 1.0);
    }
  else
    {
      rgba_set (&style->background, 1.0, 1.0, 1.0, 1.0);
      rgba_set (&style->foreground, 0.12, 0.12, 0.12, 1.0);
      rgba_set (&style->grid, 0.0, 0.0, 0.0, 0.09);
      rgba_set (&style->muted, 0.40, 0.40, 0.40, 1.0);
    }
}

void
cs_plot_set_source (cairo_t *cr, const CsRgba *color)
{
  cairo_set_source_rgba (cr, color->r, color->g, color->b, color->a);
}

void
cs_plot_set_source_alpha (cairo_t *cr, const CsRgba *color, double alpha)
{
  cairo_set_source_rgba (cr, color->r, color->g, color->b, color->a * alpha);
}

void
cs_plot_rgba_mix (const CsRgba *a, const CsRgba *b, double t, CsRgba *out)
{
  out->r = a->r + (b->r - a->r) * t;
  out->g = a->g + (b->g - a->g) * t;
  out->b = a->b + (b->b - a->b) * t;
  out->a = a->a + (b->a - a->a) * t;
}

double
cs_plot_align (double v)
{
  return floor (v) + 0.5;
}

void
cs_plot_set_font (cairo_t *cr, const CsPlotStyle *style, double scale, gboolean bold)
{
  double size = style->font_size > 0 ? style->font_size : 12.0;

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size * scale);
}

double
cs_plot_text_width (cairo_t *cr, const char *text)
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  return ext.x_advance;
}

void
cs_plot_text (cairo_t *cr, double x, double y, const char *text, double halign, double valign)
{
  cairo_font_extents_t fext;
  double w = cs_plot_text_width (cr, text);
  double box;

  cairo_font_extents (cr, &fext);
  box = fext.ascent + fext.descent;
  cairo_move_to (cr, round (x - w * halign), round (y - box * valign + fext.ascent));
  cairo_show_text (cr, text);
  cairo_new_path (cr);
}

void
cs_plot_text_vertical (cairo_t *cr, double x, double y, const char *text)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2);
  cs_plot_text (cr, 0, 0, text, 0.5, 0.5);
  cairo_restore (cr);
}

char *
cs_plot_text_fit (cairo_t *cr, const char *text, double max_width)
{
  static const char ellipsis[] = "…";
  glong len;

  if (cs_plot_text_width (cr, text) <= max_width)
    return g_strdup (text);

  len = g_utf8_strlen (text, -1);
  for (glong keep = len - 1; keep > 0; keep--)
    {
      const char *end = g_utf8_offset_to_pointer (text, keep);
      g_autofree char *s = g_strdup_printf ("%.*s%s", (int) (end - text), text, ellipsis);

      if (cs_plot_text_width (cr, s) <= max_width)
        return g_steal_pointer (&s);
    }
  return g_strdup (ellipsis);
}

/* The ticks of step within [lo, hi]. */
static guint
ticks_of_step (double lo, double hi, double step, double *ticks)
{
  guint n = 0;

  for (double t = ceil (lo / step - 1e-9) * step; t <= hi + step * 1e-9 && n < CS_PLOT_MAX_TICKS;
       t += step)
    ticks[n++] = fabs (t) < step * 1e-9 ? 0.0 : t;
  return n;
}

guint
cs_plot_ticks_linear (double lo, double hi, guint max_ticks, double *ticks, double *step_out)
{
  static const double nice[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
  double span, raw, mag, step;
  guint n, i;

  max_ticks = CLAMP (max_ticks, 2, CS_PLOT_MAX_TICKS);
  if (!isfinite (lo) || !isfinite (hi))
    return 0;
  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  span = hi - lo;
  if (span <= 0)
    span = fabs (lo) > 0 ? fabs (lo) : 1.0;

  raw = span / (max_ticks - 1);
  mag = pow (10.0, floor (log10 (raw)));
  for (i = 0; i < G_N_ELEMENTS (nice) - 1 && nice[i] * mag < raw * 0.999; i++)
    ;
  step = nice[i] * mag;
  n = ticks_of_step (lo, hi, step, ticks);
  /* A step that fits max_ticks in the span may still put one tick in it (-1.95 to 1.95 in
   * steps of 2: only 0), which says nothing of the scale: the next smaller step, if it gives
   * two or three ticks without exceeding max_ticks by more than one. */
  if (n < MIN (3u, max_ticks) && hi > lo)
    {
      double finer = i > 0 ? nice[i - 1] * mag : nice[G_N_ELEMENTS (nice) - 2] * mag / 10;
      double more[CS_PLOT_MAX_TICKS];
      guint m = ticks_of_step (lo, hi, finer, more);

      if (m > n && m <= max_ticks + 1)
        {
          memcpy (ticks, more, m * sizeof (double));
          n = m;
          step = finer;
        }
    }
  if (step_out)
    *step_out = step;
  return n;
}

guint
cs_plot_ticks_log (double lo, double hi, guint max_ticks, double *ticks)
{
  static const double minor[] = { 1.0, 2.0, 5.0 };
  guint n = 0;
  double decades;

  if (!isfinite (lo) || !isfinite (hi) || hi <= lo)
    return 0;
  max_ticks = CLAMP (max_ticks, 2, CS_PLOT_MAX_TICKS);
  decades = hi - lo;

  if (decades >= 1.0)
    {
      /* Whole decades, every d-th one when there are too many. */
      guint every = (guint) ceil ((decades + 1) / max_ticks);

      every = MAX (every, 1);
      for (double d = ceil (lo - 1e-9); d <= hi + 1e-9 && n < CS_PLOT_MAX_TICKS; d += every)
        ticks[n++] = d;
      if (n >= 2)
        return n;
      n = 0;
    }

  /* Less than about a decade: 1, 2, 5 x 10^d. */
  for (double d = floor (lo); d <= ceil (hi); d++)
    for (guint i = 0; i < G_N_ELEMENTS (minor); i++)
      {
        double t = d + log10 (minor[i]);

        if (t >= lo - 1e-9 && t <= hi + 1e-9 && n < CS_PLOT_MAX_TICKS)
          ticks[n++] = t;
      }
  if (n >= 2 && n <= max_ticks)
    return n;

  /* Still too few (or too many): nice linear values, placed on the log axis. */
  {
    double lin[CS_PLOT_MAX_TICKS];
    guint m = cs_plot_ticks_linear (pow (10.0, lo), pow (10.0, hi), MIN (max_ticks, 5), lin, NULL);

    n = 0;
    for (guint i = 0; i < m; i++)
      if (lin[i] > 0)
        ticks[n++] = log10 (lin[i]);
  }
  return n;
}

void
cs_plot_format_tick (char *buf, gsize size, double value, double step)
{
  int decimals = 0;

  if (step > 0 && fabs (value) < 1e6)
    {
      /* Enough decimals that consecutive ticks differ (2.5 needs one more than 2). */
      double d = -floor (log10 (step) + 1e-9);
      double m = step / pow (10.0, floor (log10 (step) + 1e-9));

      decimals = (int) MAX (d, 0.0);
      if (fabs (m - round (m)) > 1e-6)
        decimals++;
      decimals = MIN (decimals, 8);
      if (fabs (value) < step * 1e-6)
        value = 0.0;
      g_snprintf (buf, size, "%.*f", decimals, value);
    }
  else
    g_snprintf (buf, size, "%.3g", value);

  /* Typographic minus sign, as in printed plots. */
  if (buf[0] == '-')
    {
      g_autofree char *rest = g_strdup (buf + 1);
      g_snprintf (buf, size, "−%s", rest);
    }
}

void
cs_plot_format_count (char *buf, gsize size, gint64 value)
{
  char digits[32];
  GString *s = g_string_new (NULL);
  int len = g_snprintf (digits, sizeof digits, "%" G_GINT64_FORMAT, value < 0 ? -value : value);

  if (value < 0)
    g_string_append (s, "−");
  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (s, "\u2009");
      g_string_append_c (s, digits[i]);
    }
  g_strlcpy (buf, s->str, size);
  g_string_free (s, TRUE);
}

void
cs_plot_fill_background (cairo_t *cr, const CsPlotStyle *style, double width, double height)
{
  cairo_save (cr);
  cs_plot_set_source (cr, &style->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  cairo_restore (cr);
}

void
cs_plot_draw_frame (cairo_t *cr, const CsPlotStyle *style, double x, double y, double w, double h)
{
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cs_plot_set_source_alpha (cr, &style->foreground, 0.55);
  cairo_rectangle (cr, cs_plot_align (x), cs_plot_align (y), round (w) - 1, round (h) - 1);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
cs_plot_draw_title (cairo_t *cr, const CsPlotStyle *style, double x, double y, const char *title)
{
  if (title == NULL || *title == '\0')
    return;
  cairo_save (cr);
  cs_plot_set_font (cr, style, 1.1, TRUE);
  cs_plot_set_source (cr, &style->foreground);
  cs_plot_text (cr, x, y, title, 0.0, 0.0);
  cairo_restore (cr);
}

void
cs_plot_draw_message (
    cairo_t *cr, double width, double height, const CsPlotStyle *style, const char *message)
{
  g_return_if_fail (cr != NULL && style != NULL);

  cs_plot_fill_background (cr, style, width, height);
  if (message == NULL)
    return;
  cairo_save (cr);
  cs_plot_set_font (cr, style, 1.15, FALSE);
  cs_plot_set_source (cr, &style->muted);
  {
    g_autofree char *fit = cs_plot_text_fit (cr, message, width - 16);
    cs_plot_text (cr, width / 2, height / 2, fit, 0.5, 0.5);
  }
  cairo_restore (cr);
}

void
cs_plot_draw_notice (cairo_t *cr,
                     double width,
                     double height,
                     const CsPlotStyle *style,
                     const char *title,
                     const char *detail)
{
  g_autofree char *title_fit = NULL, *detail_fit = NULL;
  double pad = 14, max_w = MAX (width - 48, 40), w, h, x, y, line;
  cairo_font_extents_t fext;

  g_return_if_fail (cr != NULL && style != NULL && title != NULL);

  cairo_save (cr);
  cs_plot_set_source_alpha (cr, &style->background, 0.6);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  cs_plot_set_font (cr, style, 1.15, TRUE);
  cairo_font_extents (cr, &fext);
  line = fext.ascent + fext.descent;
  title_fit = cs_plot_text_fit (cr, title, max_w - 2 * pad);
  w = cs_plot_text_width (cr, title_fit);
  if (detail != NULL)
    {
      cs_plot_set_font (cr, style, 1.0, FALSE);
      detail_fit = cs_plot_text_fit (cr, detail, max_w - 2 * pad);
      w = MAX (w, cs_plot_text_width (cr, detail_fit));
    }
  w = ceil (w + 2 * pad);
  h = ceil (line * (detail != NULL ? 2.3 : 1.0) + 2 * pad);
  x = round ((width - w) / 2);
  y = round ((height - h) / 2);

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - 8, y + 8, 8, -G_PI / 2, 0);
  cairo_arc (cr, x + w - 8, y + h - 8, 8, 0, G_PI / 2);
  cairo_arc (cr, x + 8, y + h - 8, 8, G_PI / 2, G_PI);
  cairo_arc (cr, x + 8, y + 8, 8, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  cs_plot_set_source_alpha (cr, &style->background, 0.95);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1.0);
  cs_plot_set_source_alpha (cr, &style->foreground, 0.35);
  cairo_stroke (cr);

  cs_plot_set_font (cr, style, 1.15, TRUE);
  cs_plot_set_source (cr, &style->foreground);
  cs_plot_text (cr, width / 2, y + pad, title_fit, 0.5, 0.0);
  if (detail_fit != NULL)
    {
      cs_plot_set_font (cr, style, 1.0, FALSE);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, width / 2, y + pad + line * 1.3, detail_fit, 0.5, 0.0);
    }
  cairo_restore (cr);
}

void
cs_plot_draw_marker (cairo_t *cr,
                     CsMarker marker,
                     double x,
                     double y,
                     double r,
                     const CsRgba *fill,
                     const CsRgba *outline)
{
  cairo_save (cr);
  cairo_new_path (cr);
  switch (marker)
    {
    case CS_MARKER_SQUARE:
      r *= 0.88; /* same visual weight as the circle */
      cairo_rectangle (cr, x - r, y - r, 2 * r, 2 * r);
      break;
    case CS_MARKER_TRIANGLE:
      r *= 1.2;
      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x + r * 0.866, y + r * 0.5);
      cairo_line_to (cr, x - r * 0.866, y + r * 0.5);
      cairo_close_path (cr);
      break;
    case CS_MARKER_DIAMOND:
      r *= 1.2;
      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x + r, y);
      cairo_line_to (cr, x, y + r);
      cairo_line_to (cr, x - r, y);
      cairo_close_path (cr);
      break;
    case CS_MARKER_CROSS:
      {
        /* A plus sign with thick arms, filled like the others. */
        double a = r * 1.1, t = r * 0.38;

        cairo_move_to (cr, x - t, y - a);
        cairo_line_to (cr, x + t, y - a);
        cairo_line_to (cr, x + t, y - t);
        cairo_line_to (cr, x + a, y - t);
        cairo_line_to (cr, x + a, y + t);
        cairo_line_to (cr, x + t, y + t);
        cairo_line_to (cr, x + t, y + a);
        cairo_line_to (cr, x - t, y + a);
        cairo_line_to (cr, x - t, y + t);
        cairo_line_to (cr, x - a, y + t);
        cairo_line_to (cr, x - a, y - t);
        cairo_line_to (cr, x - t, y - t);
        cairo_close_path (cr);
      }
      break;
    case CS_MARKER_CIRCLE:
    default:
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      break;
    }
  if (fill)
    {
      cs_plot_set_source (cr, fill);
      cairo_fill_preserve (cr);
    }
  if (outline)
    {
      cs_plot_set_source (cr, outline);
      cairo_set_line_width (cr, 1.5);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke (cr);
    }
  cairo_new_path (cr);
  cairo_restore (cr);
}

cairo_surface_t *
cs_plot_image_surface_new (const float *pixels, guint w, guint h, guint scale, gboolean invert)
{
  cairo_surface_t *surface;
  guint32 *data;
  int stride;
  guint tw = w * MAX (scale, 1), th = h * MAX (scale, 1);

  g_return_val_if_fail (pixels != NULL || w == 0 || h == 0, NULL);

  if (w == 0 || h == 0)
    return NULL;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) tw, (int) th);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  data = (guint32 *) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  for (guint y = 0; y < th; y++)
    for (guint x = 0; x < tw; x++)
      {
        float v = pixels[(y / MAX (scale, 1)) * w + x / MAX (scale, 1)];
        float g = CLAMP (255.0f * (invert ? 1.0f - v : v), 0.0f, 255.0f);
        guint32 c = (guint32) (g + 0.5f);

        /* NaN clamps to 0 in neither direction: paint it as the background. */
        if (!isfinite (v))
          c = invert ? 255 : 0;
        data[(gsize) y * stride + x] = 0xff000000u | (c << 16) | (c << 8) | c;
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}

void
cs_plot_draw_image (cairo_t *cr,
                    const CsPlotStyle *style,
                    const float *pixels,
                    guint w,
                    guint h,
                    double x,
                    double y,
                    double size)
{
  cairo_surface_t *image;
  double s, ox, oy;

  g_return_if_fail (cr != NULL && style != NULL);

  image = cs_plot_image_surface_new (pixels, w, h, 1, !style->dark);
  if (image == NULL)
    return;
  s = size / MAX (w, h);
  ox = x + (size - w * s) / 2;
  oy = y + (size - h * s) / 2;
  cairo_save (cr);
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, s, s);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (image);

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cs_plot_set_source_alpha (cr, &style->muted, 0.7);
  cairo_rectangle (cr, round (ox) + 0.5, round (oy) + 0.5, round (w * s) - 1, round (h * s) - 1);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
cs_plot_draw_y_tick (
    cairo_t *cr, const CsPlotStyle *style, double ax, double aw, double py, const char *label)
{
  cs_plot_set_source (cr, &style->grid);
  cairo_move_to (cr, ax, py);
  cairo_line_to (cr, ax + aw, py);
  cairo_stroke (cr);
  cs_plot_set_source_alpha (cr, &style->foreground, 0.7);
  cairo_move_to (cr, round (ax) - 5, py);
  cairo_line_to (cr, round (ax), py);
  cairo_stroke (cr);
  cs_plot_set_source (cr, &style->muted);
  cs_plot_text (cr, ax - 8, py, label, 1.0, 0.5);
}
