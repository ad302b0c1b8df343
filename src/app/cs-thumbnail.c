/* cs-thumbnail.c: a sample of an image dataset as a texture.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-thumbnail"

#include "config.h"

#include "cs-thumbnail.h"

GdkTexture *
cs_thumbnail_new (CsDataset *dataset, gsize i, guint scale)
{
  guint w, h, tw, th;
  const float *row;
  g_autoptr (GBytes) bytes = NULL;
  guint8 *pixels;

  g_return_val_if_fail (dataset != NULL && scale > 0, NULL);

  w = dataset->image_width, h = dataset->image_height;
  if ((gsize) w * h != dataset->d || w == 0 || h == 0 || i >= dataset->n)
    return NULL;
  tw = w * scale, th = h * scale;
  row = dataset->x + i * dataset->d;
  pixels = g_malloc ((gsize) tw * th * 3);
  for (guint y = 0; y < th; y++)
    for (guint x = 0; x < tw; x++)
      {
        float v = row[(y / scale) * w + x / scale];
        /* Fashion-MNIST is white on black; a dark object on white reads better. */
        guint8 g = (guint8) CLAMP (255.0f * (1.0f - v), 0.0f, 255.0f);
        guint8 *p = pixels + ((gsize) y * tw + x) * 3;

        p[0] = p[1] = p[2] = g;
      }
  bytes = g_bytes_new_take (pixels, (gsize) tw * th * 3);
  return gdk_memory_texture_new (tw, th, GDK_MEMORY_R8G8B8, bytes, (gsize) tw * 3);
}
