/* cs-thumbnail.c: a sample of an image dataset as a texture.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-thumbnail"

#include "config.h"

#include "cs-plot.h"
#include "cs-thumbnail.h"

GdkTexture *
cs_thumbnail_new (CsDataset *dataset, gsize i, guint scale)
{
  guint w, h;
  cairo_surface_t *surface;
  g_autoptr (GBytes) bytes = NULL;
  int stride;

  g_return_val_if_fail (dataset != NULL && scale > 0, NULL);

  w = dataset->image_width, h = dataset->image_height;
  if ((gsize) w * h != dataset->d || w == 0 || h == 0 || i >= dataset->n)
    return NULL;
  /* Drawn as the legend draws the prototypes: dark on white, crisp pixels. */
  surface = cs_plot_image_surface_new (dataset->x + i * dataset->d, w, h, scale, TRUE);
  if (surface == NULL)
    return NULL;
  /* The texture takes the surface's pixels without a copy. */
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * h * scale,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  return gdk_memory_texture_new (w * scale, h * scale, GDK_MEMORY_DEFAULT, bytes, stride);
}
