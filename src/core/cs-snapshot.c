/* cs-snapshot.c: allocation, light copies and reference counting of epoch snapshots.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-snapshot.h"

G_DEFINE_BOXED_TYPE (CsSnapshot, cs_snapshot, cs_snapshot_ref, cs_snapshot_unref)

/* A new metric must be added here too, or it would start at 0 instead of "not measured". */
G_STATIC_ASSERT (sizeof (CsEpochMetrics) == 11 * sizeof (double));

void
cs_epoch_metrics_init_nan (CsEpochMetrics *metrics)
{
  *metrics = (CsEpochMetrics){ .loss_rec = NAN,
                               .loss_clu = NAN,
                               .acc = NAN,
                               .nmi = NAN,
                               .ari = NAN,
                               .label_change = NAN,
                               .inertia = NAN,
                               .seconds = NAN,
                               .seconds_train = NAN,
                               .seconds_encode = NAN,
                               .seconds_kmeans = NAN };
}

CsSnapshot *
cs_snapshot_new (gsize n, guint m, guint k, guint n_classes, gboolean with_codes)
{
  CsSnapshot *self = g_new0 (CsSnapshot, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->n = n;
  self->m = m;
  self->k = k;
  self->n_classes = n_classes;
  self->xy = g_new0 (float, n * 2);
  self->clusters = g_new0 (guint16, MAX (n, 1));
  self->confidence = g_new0 (float, MAX (n, 1));
  self->codes = with_codes ? g_new0 (float, n *m) : NULL;
  self->centroids = g_new0 (float, (gsize) k *m);
  self->centroids_xy = g_new0 (float, (gsize) k * 2);
  self->cluster_sizes = g_new0 (gint64, k);
  if (n_classes > 0)
    {
      self->contingency = g_new0 (gint64, (gsize) n_classes * k);
      self->cluster_to_class = g_new (gint, k);
      for (guint j = 0; j < k; j++)
        self->cluster_to_class[j] = -1;
    }
  cs_epoch_metrics_init_nan (&self->metrics);
  return self;
}

void
cs_snapshot_copy_epoch (CsSnapshot *dst, const CsSnapshot *src)
{
  g_return_if_fail (dst != NULL && src != NULL);

  dst->epoch = src->epoch;
  dst->phase_epoch = src->phase_epoch;
  dst->phase = src->phase;
  dst->reinitialised = src->reinitialised;
  dst->changed = src->changed;
  dst->settings = src->settings;
}

CsSnapshot *
cs_snapshot_dup_light (const CsSnapshot *self)
{
  CsSnapshot *copy = cs_snapshot_new (self->n, self->m, self->k, self->n_classes, FALSE);

  cs_snapshot_copy_epoch (copy, self);
  copy->metrics = self->metrics;
  copy->xy_laid_out = self->xy_laid_out;
  memcpy (copy->xy, self->xy, self->n * 2 * sizeof (float));
  memcpy (copy->clusters, self->clusters, self->n * sizeof (guint16));
  memcpy (copy->confidence, self->confidence, self->n * sizeof (float));
  memcpy (copy->centroids, self->centroids, (gsize) self->k * self->m * sizeof (float));
  memcpy (copy->centroids_xy, self->centroids_xy, (gsize) self->k * 2 * sizeof (float));
  memcpy (copy->cluster_sizes, self->cluster_sizes, self->k * sizeof (gint64));
  if (self->n_classes > 0)
    {
      memcpy (copy->contingency, self->contingency,
              (gsize) self->n_classes * self->k * sizeof (gint64));
      memcpy (copy->cluster_to_class, self->cluster_to_class, self->k * sizeof (gint));
    }
  /* k x d is small, and the timeline scrubs the legend's prototypes with the epoch. */
  if (self->prototypes != NULL)
    {
      copy->prototypes = g_memdup2 (self->prototypes, (gsize) self->k * self->d * sizeof (float));
      copy->d = self->d;
    }
  return copy;
}

CsSnapshot *
cs_snapshot_ref (CsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_snapshot_unref (CsSnapshot *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->xy);
  g_free (self->clusters);
  g_free (self->confidence);
  g_free (self->codes);
  g_free (self->centroids);
  g_free (self->centroids_xy);
  g_free (self->cluster_sizes);
  g_free (self->contingency);
  g_free (self->cluster_to_class);
  g_free (self->prototypes);
  g_free (self);
}

const char *
cs_phase_to_string (CsPhase phase)
{
  switch (phase)
    {
    case CS_PHASE_PRETRAIN:
      return "pretrain";
    case CS_PHASE_CLUSTER:
      return "cluster";
    default:
      return "unknown";
    }
}
