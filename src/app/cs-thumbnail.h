/* cs-thumbnail.h: a sample of an image dataset as a texture (the tooltip's, the gallery's).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-dataset.h"

G_BEGIN_DECLS

/* A crisp grey-scale picture of sample i, each pixel enlarged to scale x scale (nearest
 * neighbour, so pixels stay square), dark on white; NULL when the dataset has no images. */
GdkTexture *cs_thumbnail_new (CsDataset *dataset, gsize i, guint scale);

G_END_DECLS
