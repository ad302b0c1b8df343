/* cs-kchoice.h: choosing K — K-means over a range of K on the latent codes, with inertia and
 * the silhouette of each clustering.
 *
 * The silhouette is measured on a sample of the points (drawn once, deterministic for the
 * seed) with the labels K-means gave them on all the points, as scikit-learn's
 * silhouette_score (sample_size=...) does; its Euclidean distances come from one BLAS product
 * shared by every K.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-types.h"

G_BEGIN_DECLS

typedef struct
{
  guint k_min, k_max; /* inclusive; 2 <= k_min <= k_max; default 2 .. 30 */
  guint n_init;       /* K-means restarts per K; default 3 */
  gsize sample;       /* points the silhouette is measured on (all when n is smaller); 2000 */
  guint64 seed;
} CsKChoiceOptions;

void cs_kchoice_options_init (CsKChoiceOptions *options);

/* Called after each K on the thread that runs the sweep. */
typedef void (*CsKChoiceFunc) (guint k, double inertia, double silhouette, gpointer user_data);

/* x: n x d codes. inertia and silhouette: k_max - k_min + 1 each, indexed by K - k_min. A K
 * larger than n is skipped (NAN in both). Returns FALSE when cancelled (CS_ERROR_CANCELLED)
 * or when x holds a non-finite value; the Ks done so far are filled in, the others NAN. */
gboolean cs_kchoice_run (const float *x,
                         gsize n,
                         guint d,
                         const CsKChoiceOptions *options,
                         CsKChoiceFunc func,
                         gpointer user_data,
                         double *inertia,
                         double *silhouette,
                         GCancellable *cancellable,
                         GError **error);

/* The mean silhouette of labels (n, values < k) over the points sample (n_sample indices into
 * x), from their pairwise distances dist (n_sample x n_sample, Euclidean). A point alone in its
 * cluster counts 0; NAN when fewer than two clusters appear in the sample. */
double cs_kchoice_silhouette (const float *dist,
                              const guint32 *sample,
                              gsize n_sample,
                              const gint32 *labels,
                              guint k);

/* Euclidean distances between the rows of y (n x d) into dist (n x n) through one sgemm. */
void cs_kchoice_distances (float *dist, const float *y, gsize n, guint d);

G_END_DECLS
