/* cs-snapshot.h: the immutable, refcounted state of a run after one epoch.
 *
 * The worker thread builds one per epoch and never touches it again; the main loop keeps
 * them as the run's history (for the timeline, the curves and the exports).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cs-settings.h"
#include "cs-types.h"

G_BEGIN_DECLS

typedef enum
{
  CS_PHASE_PRETRAIN,
  CS_PHASE_CLUSTER,
} CsPhase;

/* Metrics not defined for an epoch (ACC without labels, clustering loss while pretraining)
 * are NAN. */
typedef struct
{
  double loss_rec;
  double loss_clu;
  double acc;
  double nmi;
  double ari;
  double label_change;
  double inertia;
  double seconds; /* wall-clock time of the epoch, including encoding and K-means */
  /* Where that time went (for benchmarks and profiling). */
  double seconds_train;  /* the pass over the batches */
  double seconds_encode; /* encoding every point */
  double seconds_kmeans; /* K-means (re-)initialisation */
} CsEpochMetrics;

/* Every metric NAN (not measured), the state an epoch starts from. */
void cs_epoch_metrics_init_nan (CsEpochMetrics *metrics);

struct _CsSnapshot
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public, read-only >*/
  guint epoch;       /* 1-based over the whole run (pretraining, then clustering) */
  guint phase_epoch; /* 1-based within the phase */
  CsPhase phase;
  gboolean reinitialised; /* the centroids were (re)set by K-means at the end of this epoch */
  guint changed;          /* CsSettingMask of settings that changed since the last snapshot */
  CsSettings settings;    /* in force during this epoch */

  gsize n;         /* points */
  guint m;         /* latent dimension */
  guint k;         /* clusters */
  guint n_classes; /* 0 when the dataset has no labels */

  float *xy;              /* n x 2: the projection of every code */
  guint16 *clusters;      /* n: the cluster of each point (identities stable across epochs) */
  float *confidence;      /* n: margin 1 - |z - c1| / |z - c2| to the runner-up centroid, [0, 1] */
  float *codes;           /* n x m latent codes, or NULL in a light copy kept for history */
  float *centroids;       /* k x m */
  float *centroids_xy;    /* k x 2 */
  gint64 *cluster_sizes;  /* k */
  gint64 *contingency;    /* n_classes x k counts, or NULL */
  gint *cluster_to_class; /* k: Hungarian match (-1 unmatched), or NULL */
  /* k x d: the decoder applied to each centroid, the cluster's prototype in input space (an
   * image for image datasets), or NULL when there are no centroids. Derived from the
   * network and the centroids, so a checkpoint does not store it. */
  float *prototypes;
  guint d; /* input dimension: the length of a prototype (0 when prototypes is NULL) */
  /* A t-SNE view of more points than it lays out (cs-tsne.h, max_points): how many it laid
   * out; the others sit by their nearest laid-out code. 0 when every point was laid out. */
  gsize xy_laid_out;

  CsEpochMetrics metrics;
};

/* Allocates a snapshot with all arrays sized and zeroed. Only the trainer fills it. */
/* A boxed type, so that a snapshot can travel in properties and signals. */
#define CS_TYPE_SNAPSHOT (cs_snapshot_get_type ())
GType cs_snapshot_get_type (void) G_GNUC_CONST;

CsSnapshot *cs_snapshot_new (gsize n, guint m, guint k, guint n_classes, gboolean with_codes);
CsSnapshot *cs_snapshot_ref (CsSnapshot *self);
void cs_snapshot_unref (CsSnapshot *self);

/* Copies which epoch src is and how it was trained (epoch, phase, phase epoch, re-initialised,
 * changed, settings) into dst; nothing per point or per centroid. */
void cs_snapshot_copy_epoch (CsSnapshot *dst, const CsSnapshot *src);

/* A copy without the latent codes (the bulk of the memory), for long histories. */
CsSnapshot *cs_snapshot_dup_light (const CsSnapshot *self);

const char *cs_phase_to_string (CsPhase phase);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSnapshot, cs_snapshot_unref)

G_END_DECLS
