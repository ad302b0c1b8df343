/* cs-tsne.h: Barnes-Hut t-SNE of the latent codes, warm-started from frame to frame.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  double perplexity;       /* 30; the kNN graph keeps 3 x perplexity neighbours */
  double theta;            /* Barnes-Hut opening angle, 0.8; 0 is the exact gradient */
  guint cold_iter;         /* iterations of the first layout, 750 */
  guint exaggeration_iter; /* of which with early exaggeration, 250 */
  double exaggeration;     /* 12 */
  guint warm_iter;         /* iterations of a later frame, 30 */
  double pull;             /* a later frame's pull toward the previous layout, 0.02 */
  /* A later frame whose codes moved so far that the last layout keeps less than this share of
   * their 10 nearest neighbours (on a sample of 1 000 points) is laid out again from it: early
   * exaggeration for relayout_exaggeration_iter of relayout_iter iterations, no pull. 0.3, 100
   * of 250; 0 turns it off. */
  double relayout_below;
  guint relayout_iter;
  guint relayout_exaggeration_iter;
  guint64 seed;
  guint n_threads;  /* threads the gradient is shared over, 1; any count, same bytes */
  guint max_points; /* 10000: beyond, a fixed random sample of this many is laid out and every
                     * other point placed by its nearest sampled code; 0 for no limit */
} CsTsneOptions;

typedef struct _CsTsne CsTsne;

void cs_tsne_options_init (CsTsneOptions *options);

/* A layout that remembers its last frame. */
CsTsne *cs_tsne_new (const CsTsneOptions *options);
void cs_tsne_free (CsTsne *self);

/* Lays out z (n x m) in 2-D into xy (n x 2). The first call, or a call with another n, runs
 * the full optimisation from a PCA start (early exaggeration, then free); later calls start
 * from the last layout, skip the exaggeration and add a pull toward it, so that points move
 * only as far as the codes' neighbourhoods changed; unless the last layout fits the new codes
 * too badly (options.relayout_below), when they lay it out again from there. The decision
 * reads only the last layout and z, so a chain of frames gives the same bytes however it was
 * interrupted (a checkpoint, a re-projection). The same inputs and seed give the same
 * bytes. Above options.max_points points, a fixed sample is laid out and the others follow
 * their nearest sampled code (cs_tsne_is_sampled). Returns FALSE only when cancelled. */
gboolean cs_tsne_update (
    CsTsne *self, const float *z, gsize n, guint m, float *xy, GCancellable *cancellable);

/* Forgets the last layout: the next update is a cold one. */
void cs_tsne_reset (CsTsne *self);

/* The last layout (n x 2, of the sample when sampled), for a checkpoint; NULL with *n = 0
 * before the first update. */
const double *cs_tsne_get_layout (const CsTsne *self, gsize *n);
/* The number of points cs_tsne_get_layout will give after a cs_tsne_update of n points that
 * is not cancelled (the sample's size above options.max_points), known before it runs: a
 * checkpoint can be written while the frame is computed elsewhere. */
gsize cs_tsne_layout_size_after (const CsTsne *self, gsize n);
/* Continues from layout y (n x 2), as if the last update had produced it. */
void cs_tsne_set_layout (CsTsne *self, const double *y, gsize n);

/* The k nearest neighbours of every row of x (n x m) by squared Euclidean distance, self
 * excluded, nearest first: idx and dist are n x k. Distances through BLAS
 * (||a||^2 - 2 a.b + ||b||^2, blocks of rows); ties go to the lower index. k < n. */
void cs_knn (const float *x, gsize n, guint m, guint k, guint32 *idx, float *dist);

/* The share of each point's k nearest neighbours in z (n x m) that are also among its k
 * nearest in xy (n x 2), averaged over the points: how much of the codes' neighbourhoods a
 * 2-D view keeps. */
double cs_knn_recall (const float *z, guint m, const float *xy, gsize n, guint k);

/* For tests: the t-SNE gradient of layout y (n x 2, double) for the symmetric sparse P in
 * CSR form (row_start n + 1, col, val; sum of val = 1) with exaggeration ex, by Barnes-Hut at
 * theta (theta = 0: every pair). Returns the normalisation Z = sum_{i != j} 1/(1 + d_ij^2). */
double cs_tsne_gradient (const double *y,
                         gsize n,
                         const guint32 *row_start,
                         const guint32 *col,
                         const double *val,
                         double ex,
                         double theta,
                         double *grad);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsTsne, cs_tsne_free)

G_END_DECLS
