/* cs-gallery.h: the selected points, one by one: thumbnails of an image dataset, a table of
 * feature values otherwise; without a selection, each cluster's most central or most
 * ambiguous members.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-dataset.h"
#include "cs-history-model.h"
#include "cs-selection.h"

G_BEGIN_DECLS

#define CS_TYPE_GALLERY (cs_gallery_get_type ())
G_DECLARE_FINAL_TYPE (CsGallery, cs_gallery, CS, GALLERY, GtkWidget)

/* How many members of each cluster the "central" and "ambiguous" modes show. */
#define CS_GALLERY_PER_CLUSTER 12

GtkWidget *cs_gallery_new (void);

/* The points to show and where their details come from: the dataset (images, labels,
 * features) and the epoch at the history's cursor (cluster, confidence). */
void cs_gallery_set_selection (CsGallery *self, CsSelection *selection);
void cs_gallery_set_history (CsGallery *self, CsHistoryModel *history);
void cs_gallery_set_dataset (CsGallery *self, CsDataset *dataset);

/* "selection": the selected points in index order; "central": per cluster the members
 * nearest the centroid (in the latent space when the epoch kept its codes, else in the
 * plane); "ambiguous": per cluster the members of lowest confidence (smallest margin to the
 * runner-up centroid). A selection that becomes non-empty switches to "selection". The
 * "gallery.mode" action (a string) sets it. */
void cs_gallery_set_mode (CsGallery *self, const char *mode);
const char *cs_gallery_get_mode (CsGallery *self);

/* The points listed (each item a CsGalleryItem), for tests. */
GListModel *cs_gallery_get_model (CsGallery *self);
/* The point index an item stands for. */
guint cs_gallery_item_get_index (gpointer item);

G_END_DECLS
