/* cs-metrics.h: clustering quality against true labels (ACC, NMI, ARI) and between epochs.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

typedef enum
{
  CS_NMI_ARITHMETIC, /* 2 I / (H(U) + H(V)): scikit-learn's default */
  CS_NMI_GEOMETRIC,  /* I / sqrt(H(U) H(V)): as older papers used */
} CsNmiAverage;

/* Counts of (class, cluster) pairs. */
struct _CsContingency
{
  guint n_classes;
  guint k;
  gsize n;
  gint64 *counts; /* n_classes x k, row-major */
};

/* truth in [0, n_classes), pred in [0, k). */
CsContingency *cs_contingency_new  (const gint32 *truth,
                                    guint         n_classes,
                                    const gint32 *pred,
                                    guint         k,
                                    gsize         n);
void           cs_contingency_free (CsContingency *self);

/* Hungarian matching that maximises agreement. cluster_to_class[j] (k entries) receives the
 * class matched to cluster j, or -1 when K > n_classes leaves it unmatched. Returns the
 * number of correctly matched points. */
gint64 cs_contingency_match (const CsContingency *self,
                             gint                *cluster_to_class);

/* Two partitions of the same n points (two runs side by side): b's clusters matched to a's by
 * the most points in common (Hungarian). b_to_a[j] (kb entries) receives a's cluster matched to
 * b's j, or -1 when kb > ka leaves it unmatched. Returns the points in matched pairs. */
gint64 cs_match_clusters (const guint16 *a,
                          guint          ka,
                          const guint16 *b,
                          guint          kb,
                          gsize          n,
                          gint          *b_to_a);

double cs_metric_acc (const CsContingency *self);
double cs_metric_nmi (const CsContingency *self,
                      CsNmiAverage         average);
double cs_metric_ari (const CsContingency *self);

/* Fraction of points whose label differs between a and b (same numbering assumed). */
double cs_metric_label_change (const gint32 *a,
                               const gint32 *b,
                               gsize         n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsContingency, cs_contingency_free)

G_END_DECLS
