/* cs-projection.h: linear 2-D views of the latent codes (PCA, LDA), aligned frame to frame.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

struct _CsProjection
{
  guint m;
  gboolean valid; /* a basis has been computed */
  double *mean;   /* m */
  double *basis;  /* 2 x m, rows orthonormal */
};

CsProjection *cs_projection_new (guint m);
void cs_projection_free (CsProjection *self);

/* Recomputes the mean and the two leading principal axes of z (n x m) by LAPACK's
 * eigen-decomposition of the covariance, then rotates / reflects the new basis within its
 * plane (2-D Procrustes) to best match the previous one, so the picture does not jump or
 * mirror between epochs. With freeze, the previous basis is kept when there is one. */
void cs_projection_update (CsProjection *self, const float *z, gsize n, gboolean freeze);

/* The plane that best separates the clusters labels (n, in [0, k)) of z: the two leading
 * directions of the between-cluster scatter against the within-cluster scatter (LAPACK's
 * generalised symmetric eigensolver), orthonormalised so the view is a true projection, and
 * aligned to the previous frame like PCA's. Falls back to PCA below two clusters or three
 * dimensions. */
void cs_projection_update_lda (
    CsProjection *self, const float *z, gsize n, const gint32 *labels, guint k, gboolean freeze);

/* xy (n x 2) = (z - mean) basis^T. */
void cs_projection_apply (const CsProjection *self, const float *z, gsize n, float *xy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsProjection, cs_projection_free)

G_END_DECLS
