/* cs-reproject.h: a past epoch drawn again in another 2-D projection.
 *
 * The window keeps old epochs without their latent codes, each projected as the settings of
 * its epoch said. When the user picks another projection, an old epoch is drawn again from
 * its codes: those of its checkpoint (the codes the trainer projected at the end of that
 * epoch, byte for byte), or those of a snapshot that still has them. The projection is the
 * one the trainer would have made: PCA or LDA fitted on those codes (and, for LDA, that
 * epoch's clusters), aligned with a neighbouring frame's basis when one is given, as the
 * trainer aligns consecutive frames; t-SNE continued from a neighbouring frame's layout, as
 * the trainer continues from the previous epoch's, or laid out cold with the first frame's
 * schedule when there is none. Slow (a cold t-SNE takes seconds): meant for a worker thread.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-dataset.h"
#include "cs-projection.h"
#include "cs-settings.h"
#include "cs-snapshot.h"

G_BEGIN_DECLS

typedef struct
{
  CsProjectionKind kind;
  /* PCA / LDA: the basis of a neighbouring frame in the same projection, which this one is
   * rotated / reflected to match (cs_projection_update), or NULL. */
  const CsProjection *align_to;
  /* t-SNE: a neighbouring frame's layout to continue from (as cs_tsne_get_layout gives it),
   * or NULL for a cold layout. */
  const double *tsne_layout;
  gsize tsne_n;
  guint n_threads; /* t-SNE's gradient, 1; any count gives the same bytes */
} CsReprojectOptions;

/* kind, nothing to align with or continue from, one thread. */
void cs_reproject_options_init (CsReprojectOptions *options, CsProjectionKind kind);

typedef struct
{
  /* A copy of the epoch whose xy and centroids_xy are in the new projection and whose
   * settings.projection names it; everything else is the epoch's, its codes too when it has
   * them (a light epoch gives a light copy). */
  CsSnapshot *snapshot;
  CsProjection *basis; /* PCA / LDA: the basis used (align the next frame with it), or NULL */
  double *layout;      /* t-SNE: the layout (continue the next frame from it), or NULL */
  gsize layout_n;
} CsReprojection;

void cs_reprojection_free (CsReprojection *self);

/* Draws epoch again from codes (epoch->n x epoch->m). NULL with CS_ERROR_CANCELLED when
 * cancelled (t-SNE checks between iterations), or CS_ERROR_INVALID when codes do not fit. */
CsReprojection *cs_reproject (const CsSnapshot *epoch,
                              const float *codes,
                              guint m,
                              const CsReprojectOptions *options,
                              GCancellable *cancellable,
                              GError **error);

/* The same from the checkpoint file of that epoch (made on dataset): its codes are read
 * (cs_trainer_checkpoint_dup_codes) and projected. A checkpoint of another epoch, or of other
 * data, is an error that names the file. */
CsReprojection *cs_reproject_checkpoint (const CsDataset *dataset,
                                         const char *checkpoint_path,
                                         const CsSnapshot *epoch,
                                         const CsReprojectOptions *options,
                                         GCancellable *cancellable,
                                         GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsReprojection, cs_reprojection_free)

G_END_DECLS
