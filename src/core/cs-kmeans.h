/* cs-kmeans.h: classical K-means as scikit-learn users expect it.
 *
 * k-means++ seeding (greedy, 2 + floor(ln K) candidates per step), Lloyd iterations,
 * n_init restarts keeping the lowest inertia, max_iter, tol relative to the mean feature
 * variance, an explicit seed, a warm start from given centres, and an empty cluster
 * re-seeded from the point farthest from its centre.
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
  guint k;
  guint n_init;              /* restarts with fresh k-means++ seeding; default 10 */
  guint max_iter;            /* Lloyd iterations per restart; default 300 */
  double tol;                /* stop when the centre shift (sum of squared moves) is below
                              * tol * mean per-feature variance of x; default 1e-4 */
  guint64 seed;
  const float *init_centers; /* k x d: warm start (one run, n_init ignored), or NULL */
  guint n_threads;           /* threads for the restarts; 0: every core (one when d is large
                              * enough for BLAS, which has its own). Never changes the result */
} CsKMeansOptions;

typedef struct
{
  double inertia;   /* sum of squared distances to the assigned centre */
  guint n_iter;     /* Lloyd iterations of the kept run */
  guint n_empty_reseeded;
} CsKMeansResult;

void cs_kmeans_options_init (CsKMeansOptions *options,
                             guint            k);

/* x: n x d row-major. centers: k x d output. labels: n output (may be NULL).
 * Returns FALSE only when cancelled, when n < k, or when x (or init_centers) holds a NaN or
 * infinite value (with error set). Any finite magnitude works, from subnormals to FLT_MAX:
 * data whose squares would overflow or underflow float is clustered at a scale of a power
 * of two and scaled back. */
gboolean cs_kmeans (const float           *x,
                    gsize                  n,
                    guint                  d,
                    const CsKMeansOptions *options,
                    float                 *centers,
                    gint32                *labels,
                    CsKMeansResult        *result,
                    GCancellable          *cancellable,
                    GError               **error);

/* Nearest centre for every row: labels (n) and, when non-NULL, the squared distance to it
 * (n; infinite past FLT_MAX). Returns the inertia. */
double cs_kmeans_assign (const float *x,
                         gsize        n,
                         guint        d,
                         const float *centers,
                         guint        k,
                         gint32      *labels,
                         float       *min_dist);

G_END_DECLS
