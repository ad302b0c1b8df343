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
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs-error.h"
#include "cs-plot-private.h"

gboolean
cs_plot_format_from_path (const char *path, CsPlotFormat *out)
{
  const char *dot;
  g_autofree char *ext = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return FALSE;
  ext = g_ascii_strdown (dot + 1, -1);
  if (g_str_equal (ext, "png"))
    *out = CS_PLOT_PNG;
  else if (g_str_equal (ext, "svg"))
    *out = CS_PLOT_SVG;
  else if (g_str_equal (ext, "pdf"))
    *out = CS_PLOT_PDF;
  else
    return FALSE;
  return TRUE;
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

typedef struct
{
  int fd;
  int errsv; /* first write error */
} Sink;

static cairo_status_t
sink_write (void *closure, const unsigned char *data, unsigned int length)
{
  Sink *sink = closure;

  while (length > 0)
    {
      ssize_t w = write (sink->fd, data, length);

      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          if (sink->errsv == 0)
            sink->errsv = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += w;
      length -= (unsigned int) w;
    }
  return CAIRO_STATUS_SUCCESS;
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
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *display = NULL;
  cairo_surface_t *surface = NULL;
  cairo_status_t status;
  Sink sink = { -1, 0 };
  gboolean ok = FALSE;

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

  /* A temporary file beside the target, so that the final rename is atomic. */
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  sink.fd = g_mkstemp (tmp);
  if (sink.fd < 0)
    {
      int errsv = errno;

      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display,
                   g_strerror (errsv));
      return FALSE;
    }
  /* mkstemp creates the file private; an exported plot is an ordinary document. */
  if (fchmod (sink.fd, 0644) != 0)
    g_debug ("fchmod %s: %s", tmp, g_strerror (errno));

  switch (format)
    {
    case CS_PLOT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width),
                                            (int) ceil (height));
      break;
    case CS_PLOT_SVG:
      surface = cairo_svg_surface_create_for_stream (sink_write, &sink, width, height);
      break;
    case CS_PLOT_PDF:
      surface = cairo_pdf_surface_create_for_stream (sink_write, &sink, width, height);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Clusterscope");
      break;
    default:
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("Unknown plot format %d"), (int) format);
      goto out;
    }

  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      draw_page (surface, width, height, style, draw, user_data);
      if (format == CS_PLOT_PNG)
        status = cairo_surface_write_to_png_stream (surface, sink_write, &sink);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  if (status != CAIRO_STATUS_SUCCESS || sink.errsv != 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display,
                   sink.errsv != 0 ? g_strerror (sink.errsv) : cairo_status_to_string (status));
      goto out;
    }

  if (fsync (sink.fd) != 0 && errno != EINVAL)
    {
      int errsv = errno;

      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display,
                   g_strerror (errsv));
      goto out;
    }
  if (close (sink.fd) != 0)
    {
      int errsv = errno;

      sink.fd = -1;
      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not write “%s”: %s"), display,
                   g_strerror (errsv));
      goto out;
    }
  sink.fd = -1;
  if (g_rename (tmp, path) != 0)
    {
      int errsv = errno;

      g_set_error (error, CS_ERROR, CS_ERROR_IO, _ ("Could not save “%s”: %s"), display,
                   g_strerror (errsv));
      goto out;
    }
  ok = TRUE;

out:
  if (surface != NULL)
    cairo_surface_destroy (surface);
  if (sink.fd >= 0)
    close (sink.fd);
  if (!ok)
    g_unlink (tmp);
  return ok;
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
