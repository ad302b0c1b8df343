/* cs-plot-export.c: plots to PNG / SVG / PDF files, written atomically; the dashboard.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

#include "cs-error.h"
#include "cs-file.h"
#include "cs-plot-private.h"

char *
cs_plot_path_extension (const char *path)
{
  const char *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return NULL;
  return g_ascii_strdown (dot + 1, -1);
}

gboolean
cs_plot_format_from_path (const char *path, CsPlotFormat *out)
{
  g_autofree char *ext = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  ext = cs_plot_path_extension (path);
  if (ext != NULL && g_str_equal (ext, "png"))
    *out = CS_PLOT_PNG;
  else if (ext != NULL && g_str_equal (ext, "svg"))
    *out = CS_PLOT_SVG;
  else if (ext != NULL && g_str_equal (ext, "pdf"))
    *out = CS_PLOT_PDF;
  else
    return FALSE;
  return TRUE;
}

gboolean
cs_plot_format_for_path (const char *path, CsPlotFormat *out, GError **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (cs_plot_format_from_path (path, out))
    return TRUE;
  name = g_path_get_basename (path);
  g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
               _ ("“%s” does not end in .png, .svg or .pdf: add one of these to choose the "
                  "format"),
               name);
  return FALSE;
}

const char *
cs_plot_format_to_extension (CsPlotFormat format)
{
  switch (format)
    {
    case CS_PLOT_PNG:
      return "png";
    case CS_PLOT_SVG:
      return "svg";
    case CS_PLOT_PDF:
      return "pdf";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Cairo's stream callback: the sink keeps the first error for cs_file_sink_commit. */
static cairo_status_t
sink_write (void *closure, const unsigned char *data, unsigned int length)
{
  return cs_file_sink_write (closure, data, length, NULL) ? CAIRO_STATUS_SUCCESS
                                                          : CAIRO_STATUS_WRITE_ERROR;
}

static void
draw_page (cairo_surface_t *surface,
           double width,
           double height,
           const CsPlotStyle *style,
           CsPlotDrawFunc draw,
           gpointer user_data)
{
  cairo_t *cr = cairo_create (surface);

  cs_plot_fill_background (cr, style, width, height);
  draw (cr, width, height, user_data);
  cairo_destroy (cr);
}

gboolean
cs_plot_export (const char *path,
                CsPlotFormat format,
                double width,
                double height,
                const CsPlotStyle *style,
                CsPlotDrawFunc draw,
                gpointer user_data,
                GError **error)
{
  CsPlotStyle light;
  g_autofree char *display = NULL;
  g_autoptr (CsFileSink) sink = NULL;
  cairo_surface_t *surface = NULL;
  cairo_status_t status;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (draw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (path);
  if (!(width >= 1 && height >= 1 && width <= 32768 && height <= 32768))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("Cannot export “%s”: the size %g × %g is out of range"), display, width,
                   height);
      return FALSE;
    }
  if (style == NULL)
    {
      cs_plot_style_init (&light, FALSE);
      style = &light;
    }

  switch (format)
    {
    case CS_PLOT_PNG:
    case CS_PLOT_SVG:
    case CS_PLOT_PDF:
      break;
    default:
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("Unknown plot format %d"), (int) format);
      return FALSE;
    }

  sink = cs_file_sink_new (path, error);
  if (sink == NULL)
    return FALSE;

  switch (format)
    {
    case CS_PLOT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width),
                                            (int) ceil (height));
      break;
    case CS_PLOT_SVG:
      surface = cairo_svg_surface_create_for_stream (sink_write, sink, width, height);
      break;
    case CS_PLOT_PDF:
    default:
      surface = cairo_pdf_surface_create_for_stream (sink_write, sink, width, height);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Clusterscope");
      break;
    }

  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      draw_page (surface, width, height, style, draw, user_data);
      if (format == CS_PLOT_PNG)
        status = cairo_surface_write_to_png_stream (surface, sink_write, sink);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      /* After a failed write the sink's error names the cause; else say what cairo could
       * not do. Either way the sink's cleanup removes the temporary file. */
      if (cs_file_sink_write (sink, NULL, 0, error))
        g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display,
                     cairo_status_to_string (status));
      return FALSE;
    }
  return cs_file_sink_commit (g_steal_pointer (&sink), error);
}

void
cs_plot_dashboard_draw (cairo_t *cr,
                        double width,
                        double height,
                        const CsPlotStyle *style,
                        const CsScatterParams *scatter,
                        const CsCurvesParams *curves,
                        const CsConfusionParams *confusion)
{
  /* The scatter is the main view: it gets the most room. */
  const double weight[3] = { scatter ? 0.42 : 0, curves ? 0.33 : 0, confusion ? 0.25 : 0 };
  const double gap = 12;
  double total = weight[0] + weight[1] + weight[2];
  guint panels = (scatter != NULL) + (curves != NULL) + (confusion != NULL);
  double avail, x = 0;

  g_return_if_fail (cr != NULL && style != NULL);

  cs_plot_fill_background (cr, style, width, height);
  if (panels == 0)
    return;
  avail = width - gap * (panels - 1);

  for (guint i = 0; i < 3; i++)
    {
      double w;

      if (weight[i] == 0)
        continue;
      w = floor (avail * weight[i] / total);
      cairo_save (cr);
      cairo_translate (cr, round (x), 0);
      cairo_rectangle (cr, 0, 0, w, height);
      cairo_clip (cr);
      if (i == 0)
        cs_plot_scatter_draw (cr, w, height, style, scatter);
      else if (i == 1)
        cs_plot_curves_draw (cr, w, height, style, curves);
      else
        cs_plot_confusion_draw (cr, w, height, style, confusion);
      cairo_restore (cr);
      x += w + gap;
    }
}
