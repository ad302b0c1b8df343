/* cs-metrics.c: ACC, NMI and ARI from a contingency table, and the label change rate.
 *
 * The definitions follow scikit-learn (normalized_mutual_info_score, adjusted_rand_score)
 * so that numbers shown here can be compared with published ones; ACC is the usual
 * deep-clustering accuracy with a Hungarian matching of clusters to classes.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>

#include "cs-hungarian.h"
#include "cs-metrics.h"

CsContingency *
cs_contingency_new (const gint32 *truth, guint n_classes, const gint32 *pred, guint k, gsize n)
{
  CsContingency *self;

  g_return_val_if_fail (n == 0 || (truth != NULL && pred != NULL), NULL);

  for (gsize i = 0; i < n; i++)
    {
      if (truth[i] < 0 || (guint) truth[i] >= n_classes || pred[i] < 0 || (guint) pred[i] >= k)
        {
          g_critical ("%s: label out of range at %" G_GSIZE_FORMAT " (class %d of %u, cluster %d "
                      "of %u)",
                      G_STRFUNC, i, truth[i], n_classes, pred[i], k);
          return NULL;
        }
    }

  self = g_new0 (CsContingency, 1);
  self->n_classes = n_classes;
  self->k = k;
  self->n = n;
  self->counts = g_new0 (gint64, (gsize) n_classes * k + 1);
  for (gsize i = 0; i < n; i++)
    self->counts[(gsize) truth[i] * k + pred[i]]++;
  return self;
}

void
cs_contingency_free (CsContingency *self)
{
  if (self == NULL)
    return;
  g_free (self->counts);
  g_free (self);
}

gint64
cs_contingency_match (const CsContingency *self, gint *cluster_to_class)
{
  g_autofree double *cost = NULL;
  g_autofree gint *match = NULL;
  gint64 matched = 0;

  g_return_val_if_fail (self != NULL, 0);

  /* Rows are clusters, columns classes: maximising the matched counts is minimising
   * their negation. Extra clusters (K > classes) stay unmatched; with K < classes some
   * classes do. */
  cost = g_new (double, (gsize) self->k * self->n_classes + 1);
  match = g_new (gint, self->k + 1);
  for (guint j = 0; j < self->k; j++)
    for (guint c = 0; c < self->n_classes; c++)
      cost[(gsize) j * self->n_classes + c] = -(double) self->counts[(gsize) c * self->k + j];

  cs_hungarian_min (cost, self->k, self->n_classes, match);

  for (guint j = 0; j < self->k; j++)
    {
      if (match[j] >= 0)
        matched += self->counts[(gsize) match[j] * self->k + j];
      if (cluster_to_class != NULL)
        cluster_to_class[j] = match[j];
    }
  return matched;
}

gint64
cs_match_clusters (const guint16 *a, guint ka, const guint16 *b, guint kb, gsize n, gint *b_to_a)
{
  g_autofree gint64 *counts = g_new0 (gint64, (gsize) ka * kb + 1);
  CsContingency table = { ka, kb, n, counts };

  g_return_val_if_fail (ka > 0 && kb > 0, 0);
  /* a plays the classes, b the clusters. */
  for (gsize i = 0; i < n; i++)
    if (a[i] < ka && b[i] < kb)
      counts[(gsize) a[i] * kb + b[i]]++;
  return cs_contingency_match (&table, b_to_a);
}

double
cs_metric_acc (const CsContingency *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  if (self->n == 0)
    return 0.0;
  return (double) cs_contingency_match (self, NULL) / (double) self->n;
}

/* Entropy (natural log) of a distribution given by counts summing to n. */
static double
entropy (const gint64 *counts, gsize len, double n)
{
  double h = 0.0;

  for (gsize i = 0; i < len; i++)
    {
      double c = (double) counts[i];

      if (c > 0)
        h -= (c / n) * log (c / n);
    }
  return h;
}

double
cs_metric_nmi (const CsContingency *self, CsNmiAverage average)
{
  g_autofree gint64 *a = NULL; /* class sizes */
  g_autofree gint64 *b = NULL; /* cluster sizes */
  double n, mi = 0.0, hu, hv, norm;

  g_return_val_if_fail (self != NULL, 0.0);

  a = g_new0 (gint64, self->n_classes + 1);
  b = g_new0 (gint64, self->k + 1);
  for (guint c = 0; c < self->n_classes; c++)
    for (guint j = 0; j < self->k; j++)
      {
        a[c] += self->counts[(gsize) c * self->k + j];
        b[j] += self->counts[(gsize) c * self->k + j];
      }

  n = (double) self->n;
  hu = n > 0 ? entropy (a, self->n_classes, n) : 0.0;
  hv = n > 0 ? entropy (b, self->k, n) : 0.0;

  /* One part each: identical trivial partitions. Only one trivial: no information. */
  if (hu == 0.0 && hv == 0.0)
    return 1.0;
  if (hu == 0.0 || hv == 0.0)
    return 0.0;

  for (guint c = 0; c < self->n_classes; c++)
    for (guint j = 0; j < self->k; j++)
      {
        double nij = (double) self->counts[(gsize) c * self->k + j];

        if (nij > 0)
          mi += (nij / n) * log (nij * n / ((double) a[c] * (double) b[j]));
      }
  mi = MAX (mi, 0.0);

  switch (average)
    {
    case CS_NMI_GEOMETRIC:
      norm = sqrt (hu * hv);
      break;
    case CS_NMI_ARITHMETIC:
    default:
      norm = 0.5 * (hu + hv);
      break;
    }
  /* Rounding can put identical partitions a hair above 1. */
  return MIN (mi / norm, 1.0);
}

double
cs_metric_ari (const CsContingency *self)
{
  gint64 sum_sq = 0, sum_a2 = 0, sum_b2 = 0, n;
  g_autofree gint64 *b = NULL;
  double tp, fp, fn, tn, denom;

  g_return_val_if_fail (self != NULL, 0.0);

  b = g_new0 (gint64, self->k + 1);
  for (guint c = 0; c < self->n_classes; c++)
    {
      gint64 a = 0;

      for (guint j = 0; j < self->k; j++)
        {
          gint64 nij = self->counts[(gsize) c * self->k + j];

          a += nij;
          b[j] += nij;
          sum_sq += nij * nij;
        }
      sum_a2 += a * a;
    }
  for (guint j = 0; j < self->k; j++)
    sum_b2 += b[j] * b[j];

  /* Pair confusion matrix over ordered pairs, as scikit-learn's pair_confusion_matrix:
   * tp = pairs together in both, fp = together in the clustering only, fn = together in
   * the classes only. Products are taken in double: n^4 overflows 64 bits. */
  n = (gint64) self->n;
  tp = (double) (sum_sq - n);
  fp = (double) (sum_b2 - sum_sq);
  fn = (double) (sum_a2 - sum_sq);
  tn = (double) n * (double) n - fp - fn - (double) sum_sq;

  /* No pair disagrees (this covers the trivial identical partitions). */
  if (fn == 0 && fp == 0)
    return 1.0;

  denom = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  if (denom == 0.0)
    return 0.0;
  return 2.0 * (tp * tn - fn * fp) / denom;
}

double
cs_metric_label_change (const gint32 *a, const gint32 *b, gsize n)
{
  gsize changed = 0;

  g_return_val_if_fail (n == 0 || (a != NULL && b != NULL), 0.0);

  if (n == 0)
    return 0.0;
  for (gsize i = 0; i < n; i++)
    changed += a[i] != b[i];
  return (double) changed / (double) n;
}
