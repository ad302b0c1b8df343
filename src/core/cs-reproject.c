/* cs-reproject.c: a past epoch drawn again in another 2-D projection.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cs-checkpoint.h"
#include "cs-error.h"
#include "cs-reproject.h"
#include "cs-trainer.h"
#include "cs-tsne.h"

void
cs_reproject_options_init (CsReprojectOptions *options, CsProjectionKind kind)
{
  *options = (CsReprojectOptions){ .kind = kind, .n_threads = 1 };
}

void
cs_reprojection_free (CsReprojection *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->snapshot, cs_snapshot_unref);
  cs_projection_free (self->basis);
  g_free (self->layout);
  g_free (self);
}

/* t-SNE has no map for centroids: each sits at the mean position of its cluster's points, as
 * the trainer places them. */
static void
centroids_at_cluster_means (CsSnapshot *snap)
{
  g_autofree double *sum = g_new0 (double, 2 * (gsize) snap->k);
  g_autofree gsize *count = g_new0 (gsize, MAX (snap->k, 1));

  for (gsize i = 0; i < snap->n; i++)
    {
      guint c = snap->clusters[i];

      if (c >= snap->k)
        continue;
      sum[2 * c] += snap->xy[2 * i];
      sum[2 * c + 1] += snap->xy[2 * i + 1];
      count[c]++;
    }
  for (guint c = 0; c < snap->k; c++)
    for (guint a = 0; a < 2; a++)
      snap->centroids_xy[2 * c + a] = count[c] ? (float) (sum[2 * c + a] / count[c]) : 0.0f;
}

CsReprojection *
cs_reproject (const CsSnapshot *epoch,
              const float *codes,
              guint m,
              const CsReprojectOptions *options,
              GCancellable *cancellable,
              GError **error)
{
  g_autoptr (CsReprojection) self = NULL;
  CsSnapshot *snap;

  g_return_val_if_fail (epoch != NULL && codes != NULL && options != NULL, NULL);

  if (m != epoch->m || m == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("Codes of dimension %u cannot be the epoch’s (dimension %u)"), m, epoch->m);
      return NULL;
    }
  self = g_new0 (CsReprojection, 1);
  self->snapshot = snap = cs_snapshot_dup_light (epoch);
  snap->settings.projection = options->kind;
  /* A labelled CSV of the frame then has its z columns, as the epoch's own would. */
  if (epoch->codes != NULL)
    snap->codes = g_memdup2 (epoch->codes, epoch->n * (gsize) epoch->m * sizeof (float));

  if (options->kind == CS_PROJECTION_TSNE)
    {
      CsTsneOptions tsne_options;
      g_autoptr (CsTsne) tsne = NULL;
      const double *layout;

      cs_tsne_options_init (&tsne_options);
      tsne_options.seed = epoch->settings.seed;
      tsne_options.n_threads = MAX (options->n_threads, 1);
      tsne = cs_tsne_new (&tsne_options);
      if (options->tsne_layout != NULL && options->tsne_n > 0)
        cs_tsne_set_layout (tsne, options->tsne_layout, options->tsne_n);
      if (!cs_tsne_update (tsne, codes, epoch->n, m, snap->xy, cancellable))
        {
          g_set_error_literal (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("Re-projection cancelled"));
          return NULL;
        }
      centroids_at_cluster_means (snap);
      layout = cs_tsne_get_layout (tsne, &self->layout_n);
      self->layout = g_memdup2 (layout, 2 * self->layout_n * sizeof (double));
      return g_steal_pointer (&self);
    }

  self->basis = cs_projection_new (m);
  if (options->align_to != NULL && options->align_to->valid && options->align_to->m == m)
    {
      memcpy (self->basis->mean, options->align_to->mean, m * sizeof (double));
      memcpy (self->basis->basis, options->align_to->basis, 2 * (gsize) m * sizeof (double));
      self->basis->valid = TRUE;
    }
  if (options->kind == CS_PROJECTION_LDA)
    {
      g_autofree gint32 *labels = g_new (gint32, MAX (epoch->n, 1));

      for (gsize i = 0; i < epoch->n; i++)
        labels[i] = epoch->clusters[i];
      cs_projection_update_lda (self->basis, codes, epoch->n, labels, epoch->k, FALSE);
    }
  else
    cs_projection_update (self->basis, codes, epoch->n, FALSE);
  cs_projection_apply (self->basis, codes, epoch->n, snap->xy);
  cs_projection_apply (self->basis, epoch->centroids, epoch->k, snap->centroids_xy);
  return g_steal_pointer (&self);
}

CsReprojection *
cs_reproject_checkpoint (const CsDataset *dataset,
                         const char *checkpoint_path,
                         const CsSnapshot *epoch,
                         const CsReprojectOptions *options,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr (CsCheckpoint) checkpoint = NULL;
  g_autofree float *codes = NULL;
  guint ck_epoch = 0, m = 0;

  g_return_val_if_fail (dataset != NULL && checkpoint_path != NULL && epoch != NULL, NULL);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("Re-projection cancelled"));
      return NULL;
    }
  checkpoint = cs_checkpoint_load (checkpoint_path, error);
  if (checkpoint == NULL)
    return NULL;
  codes = cs_trainer_checkpoint_dup_codes (checkpoint, dataset, &ck_epoch, &m, error);
  if (codes == NULL)
    return NULL;
  if (ck_epoch != epoch->epoch || dataset->n != epoch->n)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("%s is the checkpoint of epoch %u, not %u"), checkpoint_path, ck_epoch,
                   epoch->epoch);
      return NULL;
    }
  g_clear_pointer (&checkpoint, cs_checkpoint_free);
  return cs_reproject (epoch, codes, m, options, cancellable, error);
}
