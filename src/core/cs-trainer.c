/* cs-trainer.c: the training loop of the three algorithms (roy, dkm, aekm).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-trainer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "cs-autoencoder.h"
#include "cs-error.h"
#include "cs-file.h"
#include "cs-hungarian.h"
#include "cs-kmeans.h"
#include "cs-loss.h"
#include "cs-metrics.h"
#include "cs-projection.h"
#include "cs-rng.h"
#include "cs-thread-tuner.h"
#include "cs-threads.h"
#include "cs-trainer.h"
#include "cs-tsne.h"

struct _CsTrainer
{
  gatomicrefcount ref_count;
  CsDataset *dataset;

  /* Shared with other threads, under lock. */
  GMutex lock;
  GCond cond;
  CsSettings requested;
  guint pending;        /* CsSettingMask of requested, not yet applied */
  CsSettings published; /* what cs_trainer_get_settings returns */
  gboolean paused;
  gboolean cancelled;
  CsSnapshot *last;
  gboolean running;       /* cs_trainer_run is on its way */
  gboolean model_asked;   /* cs_trainer_dup_model waits for the running thread's copy */
  GBytes *model_copy;     /* that copy, once made */
  GMutex model_lock;      /* one cs_trainer_dup_model at a time */
  GPtrArray *model_tasks; /* cs_trainer_dup_model_async waiting for the epoch's end (GTask) */

  CsSnapshotFunc snapshot_func;
  gpointer snapshot_data;
  CsProgressFunc progress_func;
  gpointer progress_data;

  /* Owned by the thread running cs_trainer_run. */
  CsSettings settings;
  CsAutoencoder *ae;
  gboolean model_loaded;
  float *loaded_centroids;
  guint loaded_k;
  guint k;
  float *centroids; /* k x m */
  float *cent_m;    /* DKM: Adam moments of the centroids */
  float *cent_v;
  guint64 cent_t;
  float *codes;   /* n x m */
  gint32 *labels; /* n: cluster of each point */
  gint32 *prev_labels;
  gboolean have_prev_labels;
  CsProjection *projection;
  CsTsne *tsne; /* made when t-SNE is first chosen; continues from frame to frame */
  CsRng rng;
  guint changed; /* settings changed since the last snapshot */
  gboolean adaptive_threads;
  CsThreadTuner tuner;
};

/* Refuses data the network cannot train on in single precision: NaN or infinite values,
 * and magnitudes whose squares overflow float. The first layer's weight gradients grow as
 * max|x|^2 and the squared distances between samples reach 4 d max|x|^2; past the float
 * range they become infinite, Adam turns them into NaN weights, and every code after that
 * is NaN. The limit leaves 2^10 of headroom for the sums over a batch. */
static gboolean
check_data_range (CsDataset *dataset, GError **error)
{
  const float *x = dataset->x;
  gsize count = dataset->n * dataset->d;
  float max_abs = 0.0f;
  double limit = sqrt (FLT_MAX / 1024.0 / (4.0 * dataset->d));

  for (gsize i = 0; i < count; i++)
    {
      float a = fabsf (x[i]);

      if (!isfinite (a))
        {
          if (isnan (a))
            g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                         _ ("%s: sample %zu, feature %u is NaN; remove or impute it"),
                         dataset->source, i / dataset->d, (guint) (i % dataset->d));
          else
            g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                         _ ("%s: sample %zu, feature %u is infinite; remove or impute it"),
                         dataset->source, i / dataset->d, (guint) (i % dataset->d));
          return FALSE;
        }
      max_abs = MAX (max_abs, a);
    }
  if (max_abs > limit)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("%s: values as large as %.3g overflow single precision in training (the "
                      "limit for %u features is %.3g); scale the features first, e.g. "
                      "standardise them (clusterscope-cli --standardize)"),
                   dataset->source, max_abs, dataset->d, limit);
      return FALSE;
    }
  return TRUE;
}

CsTrainer *
cs_trainer_new (CsDataset *dataset, const CsSettings *settings, GError **error)
{
  CsTrainer *self;

  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  if (!cs_settings_validate (settings, error))
    return NULL;
  if (dataset->n < settings->k)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("K = %u is larger than the number of samples (%zu)"), settings->k,
                   dataset->n);
      return NULL;
    }
  if (!check_data_range (dataset, error))
    return NULL;

  self = g_new0 (CsTrainer, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->model_lock);
  g_cond_init (&self->cond);
  self->model_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->dataset = cs_dataset_ref (dataset);
  self->settings = *settings;
  self->requested = *settings;
  self->published = *settings;
  return self;
}

CsTrainer *
cs_trainer_ref (CsTrainer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_trainer_unref (CsTrainer *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->last, cs_snapshot_unref);
  cs_dataset_unref (self->dataset);
  cs_autoencoder_free (self->ae);
  cs_projection_free (self->projection);
  cs_tsne_free (self->tsne);
  g_free (self->loaded_centroids);
  g_free (self->centroids);
  g_free (self->cent_m);
  g_free (self->cent_v);
  g_free (self->codes);
  g_free (self->labels);
  g_free (self->prev_labels);
  g_clear_pointer (&self->model_copy, g_bytes_unref);
  g_clear_pointer (&self->model_tasks, g_ptr_array_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->model_lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

void
cs_trainer_set_snapshot_func (CsTrainer *self, CsSnapshotFunc func, gpointer user_data)
{
  self->snapshot_func = func;
  self->snapshot_data = user_data;
}

void
cs_trainer_set_progress_func (CsTrainer *self, CsProgressFunc func, gpointer user_data)
{
  self->progress_func = func;
  self->progress_data = user_data;
}

CsDataset *
cs_trainer_get_dataset (CsTrainer *self)
{
  return self->dataset;
}

void
cs_trainer_request_settings (CsTrainer *self, const CsSettings *settings, CsSettingMask mask)
{
  mask &= cs_settings_live_mask (CS_APPLY_NEXT_RUN);
  g_mutex_lock (&self->lock);
  cs_settings_copy_live (&self->requested, settings, mask);
  /* The table bounds K; the dataset bounds it further. */
  self->requested.k = MIN (self->requested.k, (guint) MIN (self->dataset->n, CS_MAX_K));
  self->pending |= mask;
  g_mutex_unlock (&self->lock);
}

void
cs_trainer_get_settings (CsTrainer *self, CsSettings *out)
{
  g_mutex_lock (&self->lock);
  *out = self->published;
  g_mutex_unlock (&self->lock);
}

void
cs_trainer_pause (CsTrainer *self)
{
  g_mutex_lock (&self->lock);
  self->paused = TRUE;
  g_mutex_unlock (&self->lock);
}

void
cs_trainer_resume (CsTrainer *self)
{
  g_mutex_lock (&self->lock);
  self->paused = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

gboolean
cs_trainer_is_paused (CsTrainer *self)
{
  gboolean paused;

  g_mutex_lock (&self->lock);
  paused = self->paused;
  g_mutex_unlock (&self->lock);
  return paused;
}

void
cs_trainer_cancel (CsTrainer *self)
{
  g_mutex_lock (&self->lock);
  self->cancelled = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

CsSnapshot *
cs_trainer_dup_last_snapshot (CsTrainer *self)
{
  CsSnapshot *snap = NULL;

  g_mutex_lock (&self->lock);
  if (self->last)
    snap = cs_snapshot_ref (self->last);
  g_mutex_unlock (&self->lock);
  return snap;
}

float *
cs_trainer_dup_codes (CsTrainer *self, guint *m_out)
{
  g_autoptr (CsSnapshot) snap = cs_trainer_dup_last_snapshot (self);

  if (snap == NULL || snap->codes == NULL)
    return NULL;
  if (m_out)
    *m_out = snap->m;
  return g_memdup2 (snap->codes, snap->n * snap->m * sizeof (float));
}

static gboolean
is_running (CsTrainer *self)
{
  gboolean running;

  g_mutex_lock (&self->lock);
  running = self->running;
  g_mutex_unlock (&self->lock);
  return running;
}

gboolean
cs_trainer_load_model (CsTrainer *self, const char *path, GError **error)
{
  float *centroids = NULL;
  guint k = 0;
  CsAutoencoder *ae;

  g_return_val_if_fail (!is_running (self), FALSE);

  ae = cs_autoencoder_load (path, self->settings.batch_size, &centroids, &k, error);
  if (ae == NULL)
    return FALSE;
  if (ae->dims[0] != self->dataset->d)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("%s: the model takes %u features but the dataset has %u"), path, ae->dims[0],
                   self->dataset->d);
      cs_autoencoder_free (ae);
      g_free (centroids);
      return FALSE;
    }
  cs_autoencoder_free (self->ae);
  self->ae = ae;
  self->model_loaded = TRUE;
  /* The architecture comes from the file. */
  self->settings.embedding_dim = ae->dims[ae->code_layer];
  self->settings.n_hidden = ae->code_layer - 1;
  for (guint i = 0; i < self->settings.n_hidden; i++)
    self->settings.hidden[i] = ae->dims[i + 1];
  g_free (self->loaded_centroids);
  self->loaded_centroids = centroids;
  self->loaded_k = k;
  return TRUE;
}

/* The model file's bytes; the caller holds the lock and no run touches the model meanwhile. */
static GBytes *
serialize_model (CsTrainer *self, GError **error)
{
  if (self->ae == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("there is no trained model to save yet"));
      return NULL;
    }
  return cs_autoencoder_serialize (self->ae, self->centroids, self->centroids ? self->k : 0);
}

/* On the running thread between batches, lock held: the copy cs_trainer_dup_model waits for. */
static void
answer_model_request (CsTrainer *self)
{
  if (!self->model_asked)
    return;
  self->model_asked = FALSE;
  g_clear_pointer (&self->model_copy, g_bytes_unref);
  self->model_copy = serialize_model (self, NULL);
  g_cond_broadcast (&self->cond);
}

void
cs_trainer_set_adaptive_threads (CsTrainer *self, gboolean adaptive)
{
  g_return_if_fail (!is_running (self));
  self->adaptive_threads = adaptive;
}

guint
cs_trainer_get_thread_switches (CsTrainer *self)
{
  return self->tuner.n_switches;
}

GBytes *
cs_trainer_dup_model (CsTrainer *self, GError **error)
{
  GBytes *bytes = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->model_lock);
  g_mutex_lock (&self->lock);
  if (self->running)
    {
      /* The running thread copies its model at the next batch boundary, or at once when
       * paused (the broadcast wakes it); a run that ends first leaves the model to us. */
      self->model_asked = TRUE;
      g_cond_broadcast (&self->cond);
      while (self->model_asked && self->running)
        g_cond_wait (&self->cond, &self->lock);
      self->model_asked = FALSE;
      bytes = g_steal_pointer (&self->model_copy);
    }
  if (bytes == NULL)
    bytes = serialize_model (self, error);
  g_mutex_unlock (&self->lock);
  g_mutex_unlock (&self->model_lock);
  return bytes;
}

/* Lock held, where no other thread touches the model (the running thread, or any thread while
 * no run is on its way): answers every waiting cs_trainer_dup_model_async with one copy. The
 * tasks call back later, in their own main context, so the lock is not held then. */
static void
answer_model_tasks (CsTrainer *self)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  if (self->model_tasks->len == 0)
    return;
  bytes = serialize_model (self, &error);
  for (guint i = 0; i < self->model_tasks->len; i++)
    if (bytes != NULL)
      g_task_return_pointer (self->model_tasks->pdata[i], g_bytes_ref (bytes),
                             (GDestroyNotify) g_bytes_unref);
    else
      g_task_return_error (self->model_tasks->pdata[i], g_error_copy (error));
  g_ptr_array_set_size (self->model_tasks, 0);
}

/* Published lazily, at the end of the epoch: a copy of 3.3 M floats (13 MB) costs a few
 * milliseconds, and none is made in the epochs nobody asks for one. */
void
cs_trainer_dup_model_async (CsTrainer *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task;

  g_return_if_fail (self != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_trainer_dup_model_async);
  g_task_set_name (task, "[clusterscope] model bytes");
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->model_tasks, task);
  if (!self->running)
    answer_model_tasks (self);
  else
    g_cond_broadcast (&self->cond); /* a paused run answers at once */
  g_mutex_unlock (&self->lock);
}

GBytes *
cs_trainer_dup_model_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_trainer_dup_model_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cs_trainer_save_model (CsTrainer *self, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = cs_trainer_dup_model (self, error);
  const char *data;
  gsize len;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  return cs_file_write_atomic (path, data, len, error);
}

/* Waits while paused; FALSE once cancelled. */
static gboolean
check_continue (CsTrainer *self, GCancellable *cancellable)
{
  gboolean go;

  g_mutex_lock (&self->lock);
  answer_model_request (self);
  while (self->paused && !self->cancelled && !g_cancellable_is_cancelled (cancellable))
    {
      gint64 deadline = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;

      answer_model_tasks (self); /* a paused run answers at once */
      /* A timed wait so that a GCancellable cancelled without cs_trainer_cancel still ends it. */
      g_cond_wait_until (&self->cond, &self->lock, deadline);
      answer_model_request (self);
    }
  go = !self->cancelled && !g_cancellable_is_cancelled (cancellable);
  g_mutex_unlock (&self->lock);
  return go;
}

/* Applies the requested settings that take effect at when (all but K, which the epoch loop
 * applies itself: a new K needs new centroids). Under the lock. */
static void
apply_requested (CsTrainer *self, CsSettingApply when)
{
  CsSettingMask due = self->pending & cs_settings_live_mask (when) & ~CS_SETTING_K;

  if (due == 0)
    return;
  self->changed |= cs_settings_copy_live (&self->settings, &self->requested, due);
  self->pending &= ~(guint) due;
  self->published = self->settings;
}

static double
current_lr (CsTrainer *self)
{
  g_mutex_lock (&self->lock);
  apply_requested (self, CS_APPLY_NEXT_BATCH);
  g_mutex_unlock (&self->lock);
  return self->settings.lr;
}

/* Applies the settings that act at epoch boundaries; returns the K requested. */
static guint
apply_epoch_settings (CsTrainer *self)
{
  guint k;

  g_mutex_lock (&self->lock);
  apply_requested (self, CS_APPLY_NEXT_EPOCH);
  k = (self->pending & CS_SETTING_K) ? self->requested.k : self->settings.k;
  self->pending &= ~(guint) CS_SETTING_K;
  self->published = self->settings;
  g_mutex_unlock (&self->lock);
  return k;
}

static void
publish_settings (CsTrainer *self)
{
  g_mutex_lock (&self->lock);
  self->published = self->settings;
  g_mutex_unlock (&self->lock);
}

/* Reorders new centroids (k_new x m) so that each keeps the slot of the old centroid it is
 * closest to (Hungarian on squared distances): colours survive a re-initialisation. */
static void
match_identities (float *new_c, guint k_new, const float *old_c, guint k_old, guint m)
{
  g_autofree double *cost = g_new (double, (gsize) k_new *k_old);
  g_autofree gint *match = g_new (gint, k_new);
  g_autofree float *out = g_new (float, (gsize) k_new *m);
  g_autofree gboolean *used = g_new0 (gboolean, k_new);
  g_autofree gboolean *placed = g_new0 (gboolean, k_new);

  for (guint i = 0; i < k_new; i++)
    for (guint j = 0; j < k_old; j++)
      {
        double s = 0;
        for (guint c = 0; c < m; c++)
          {
            double t = (double) new_c[(gsize) i * m + c] - old_c[(gsize) j * m + c];
            s += t * t;
          }
        cost[(gsize) i * k_old + j] = s;
      }
  cs_hungarian_min (cost, k_new, k_old, match);

  for (guint i = 0; i < k_new; i++)
    if (match[i] >= 0 && (guint) match[i] < k_new)
      {
        memcpy (out + (gsize) match[i] * m, new_c + (gsize) i * m, m * sizeof (float));
        used[match[i]] = TRUE;
        placed[i] = TRUE;
      }
  for (guint i = 0, slot = 0; i < k_new; i++)
    if (!placed[i])
      {
        while (used[slot])
          slot++;
        memcpy (out + (gsize) slot * m, new_c + (gsize) i * m, m * sizeof (float));
        used[slot] = TRUE;
      }
  memcpy (new_c, out, (gsize) k_new * m * sizeof (float));
}

/* K-means on all codes into self->centroids (k x m), matched to the previous centroids. */
static gboolean
reinit_centroids (CsTrainer *self,
                  guint k,
                  gboolean warm,
                  guint n_init,
                  guint64 seed,
                  GCancellable *cancellable,
                  GError **error)
{
  CsDataset *ds = self->dataset;
  guint m = self->settings.embedding_dim;
  CsKMeansOptions opt;
  CsKMeansResult res;
  g_autofree float *centers = g_new (float, (gsize) k *m);
  g_autoptr (GError) local = NULL;

  cs_kmeans_options_init (&opt, k);
  opt.n_init = n_init;
  opt.max_iter = self->settings.kmeans_max_iter;
  opt.tol = self->settings.kmeans_tol;
  opt.seed = seed;
  if (warm && self->centroids != NULL && self->k == k)
    opt.init_centers = self->centroids;
  if (!cs_kmeans (self->codes, ds->n, m, &opt, centers, NULL, &res, cancellable, &local))
    {
      /* The data passed check_data_range (): NaN codes mean the network diverged. */
      if (local->code == CS_ERROR_INVALID)
        g_prefix_error (&local, _ ("training diverged (lower the learning rate, or scale the "
                                   "features, e.g. with --standardize): "));
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  if (self->centroids != NULL)
    match_identities (centers, k, self->centroids, self->k, m);
  if (k != self->k || self->cent_m == NULL)
    {
      g_free (self->cent_m);
      g_free (self->cent_v);
      self->cent_m = g_new0 (float, (gsize) k *m);
      self->cent_v = g_new0 (float, (gsize) k *m);
      self->cent_t = 0;
    }
  g_free (self->centroids);
  self->centroids = g_steal_pointer (&centers);
  self->k = k;
  return TRUE;
}

static guint64
epoch_seed (const CsTrainer *self, guint epoch)
{
  return self->settings.seed * 1000003ULL + epoch * 7919ULL + 17;
}

/* The 2-D view the settings ask for: points into snap->xy, centroids into snap->centroids_xy.
 * A t-SNE centroid sits at the mean position of its cluster's points (t-SNE has no map for
 * points it did not lay out). */
static void
project (CsTrainer *self, CsSnapshot *snap)
{
  CsDataset *ds = self->dataset;
  guint m = self->settings.embedding_dim, k = self->k;
  gboolean freeze = self->settings.freeze_projection;

  switch (self->settings.projection)
    {
    case CS_PROJECTION_TSNE:
      if (self->tsne == NULL)
        {
          CsTsneOptions options;

          cs_tsne_options_init (&options);
          options.seed = self->settings.seed;
          options.n_threads = cs_parallel_get_n_threads (self->ae->parallel);
          self->tsne = cs_tsne_new (&options);
        }
      cs_tsne_update (self->tsne, self->codes, ds->n, m, snap->xy, NULL);
      {
        g_autofree double *sum = g_new0 (double, 2 * (gsize) k);
        g_autofree gsize *count = g_new0 (gsize, k);

        for (gsize i = 0; i < ds->n; i++)
          {
            sum[2 * self->labels[i]] += snap->xy[2 * i];
            sum[2 * self->labels[i] + 1] += snap->xy[2 * i + 1];
            count[self->labels[i]]++;
          }
        for (guint c = 0; c < k; c++)
          {
            snap->centroids_xy[2 * c] = count[c] ? (float) (sum[2 * c] / count[c]) : 0.0f;
            snap->centroids_xy[2 * c + 1] = count[c] ? (float) (sum[2 * c + 1] / count[c]) : 0.0f;
          }
      }
      return;
    case CS_PROJECTION_LDA:
      cs_projection_update_lda (self->projection, self->codes, ds->n, self->labels, k, freeze);
      break;
    case CS_PROJECTION_PCA:
    default:
      cs_projection_update (self->projection, self->codes, ds->n, freeze);
      break;
    }
  cs_projection_apply (self->projection, self->codes, ds->n, snap->xy);
  cs_projection_apply (self->projection, self->centroids, k, snap->centroids_xy);
}

/* Encodes all points, assigns them to the centroids, computes the metrics and publishes a
 * snapshot. */
static void
finish_epoch (CsTrainer *self,
              guint epoch,
              guint phase_epoch,
              CsPhase phase,
              gboolean reinitialised,
              CsEpochMetrics *metrics)
{
  CsDataset *ds = self->dataset;
  guint m = self->settings.embedding_dim, k = self->k;
  CsSnapshot *snap = cs_snapshot_new (ds->n, m, k, ds->labels ? ds->n_classes : 0, TRUE);
  g_autofree float *dist = g_new (float, ds->n *(gsize) k);

  /* Nearest centroid (its identity) and the soft assignment to it as confidence. */
  cs_cluster_soft_assign (self->codes, ds->n, m, self->centroids, k, self->settings.alpha, dist,
                          NULL, self->labels, snap->confidence);
  metrics->inertia = 0.0;
  for (gsize i = 0; i < ds->n; i++)
    {
      metrics->inertia += dist[i * k + self->labels[i]];
      snap->clusters[i] = (guint16) self->labels[i];
      snap->cluster_sizes[self->labels[i]]++;
    }
  metrics->label_change = self->have_prev_labels
                              ? cs_metric_label_change (self->prev_labels, self->labels, ds->n)
                              : NAN;
  memcpy (self->prev_labels, self->labels, ds->n * sizeof (gint32));
  self->have_prev_labels = TRUE;

  if (ds->labels)
    {
      g_autoptr (CsContingency) cont
          = cs_contingency_new (ds->labels, ds->n_classes, self->labels, k, ds->n);
      metrics->acc = cs_metric_acc (cont);
      metrics->nmi = cs_metric_nmi (cont, self->settings.nmi_average);
      metrics->ari = cs_metric_ari (cont);
      memcpy (snap->contingency, cont->counts, (gsize) ds->n_classes * k * sizeof (gint64));
      cs_contingency_match (cont, snap->cluster_to_class);
    }

  project (self, snap);
  memcpy (snap->codes, self->codes, ds->n * (gsize) m * sizeof (float));
  memcpy (snap->centroids, self->centroids, (gsize) k * m * sizeof (float));

  snap->epoch = epoch;
  snap->phase_epoch = phase_epoch;
  snap->phase = phase;
  snap->reinitialised = reinitialised;
  snap->changed = self->changed;
  self->changed = 0;
  snap->settings = self->settings;
  snap->settings.k = k;
  snap->metrics = *metrics;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last, cs_snapshot_unref);
  self->last = cs_snapshot_ref (snap);
  g_mutex_unlock (&self->lock);

  if (self->snapshot_func)
    self->snapshot_func (snap, self->snapshot_data);
  cs_snapshot_unref (snap);

  /* After the snapshot, so that it reaches the main loop first. */
  g_mutex_lock (&self->lock);
  answer_model_tasks (self);
  g_mutex_unlock (&self->lock);
}

/* One pass over the data in shuffled batches. */
static gboolean
train_epoch (CsTrainer *self,
             guint epoch,
             CsPhase phase,
             guint32 *order,
             float *d_out,
             float *d_code,
             float *d_cent,
             float *work,
             CsEpochMetrics *metrics,
             GCancellable *cancellable)
{
  CsDataset *ds = self->dataset;
  CsAutoencoder *ae = self->ae;
  guint d = ds->d, m = self->settings.embedding_dim;
  guint bs = self->settings.batch_size;
  guint n_batches = (guint) ((ds->n + bs - 1) / bs);
  gboolean clustering = phase == CS_PHASE_CLUSTER && self->settings.algorithm != CS_ALGORITHM_AEKM;
  gboolean dkm = clustering && self->settings.algorithm == CS_ALGORITHM_DKM;
  CsAdamConfig adam;
  double rec_sum = 0, clu_sum = 0;

  cs_adam_config_init (&adam);
  cs_rng_shuffle_u32 (&self->rng, order, ds->n);

  for (guint b = 0; b < n_batches; b++)
    {
      gsize start = (gsize) b * bs;
      guint batch = (guint) MIN ((gsize) bs, ds->n - start);
      float *xb = cs_autoencoder_input (ae);
      double lr;

      if (!check_continue (self, cancellable))
        return FALSE;
      lr = current_lr (self);

      /* Gathered straight into the network's input cache: the forward pass copies nothing. */
      for (guint i = 0; i < batch; i++)
        memcpy (xb + (gsize) i * d, ds->x + (gsize) order[start + i] * d, d * sizeof (float));

      cs_autoencoder_forward (ae, xb, batch);
      rec_sum += cs_autoencoder_rec_loss (ae, xb, batch, d_out) * batch;
      if (clustering)
        {
          clu_sum += cs_cluster_loss (cs_autoencoder_code (ae), batch, m, self->centroids, self->k,
                                      self->settings.alpha, self->settings.lambda, d_code,
                                      dkm ? d_cent : NULL, work)
                     * batch;
          cs_autoencoder_backward_step (ae, d_out, d_code, batch, &adam, lr);
        }
      else
        cs_autoencoder_backward_step (ae, d_out, NULL, batch, &adam, lr);
      if (dkm)
        {
          self->cent_t++;
          cs_adam_update (self->centroids, d_cent, self->cent_m, self->cent_v, (gsize) self->k * m,
                          &adam, lr, self->cent_t);
        }

      if (self->adaptive_threads)
        {
          guint before = self->tuner.current;

          if (cs_thread_tuner_update (&self->tuner) != before)
            cs_parallel_set_n_active (ae->parallel, self->tuner.current);
        }

      if (self->progress_func && ((b & 3) == 3 || b + 1 == n_batches))
        self->progress_func (epoch, phase, b + 1, n_batches, self->progress_data);
    }

  metrics->loss_rec = rec_sum / ds->n;
  metrics->loss_clu = clustering ? clu_sum / ds->n : NAN;
  return TRUE;
}

gboolean
cs_trainer_run (CsTrainer *self, GCancellable *cancellable, GError **error)
{
  CsDataset *ds = self->dataset;
  guint d = ds->d, m, bs, kmax;
  guint pretrain, epoch = 0;
  g_autofree guint32 *order = NULL;
  g_autofree float *d_out = NULL, *d_code = NULL, *d_cent = NULL, *work = NULL;
  gboolean ok = FALSE;
  int blas_threads = 0;

  g_return_val_if_fail (!is_running (self), FALSE);
  if (self->codes != NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("a trainer runs once; create a new one for another run"));
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  self->running = TRUE;
  g_mutex_unlock (&self->lock);

  m = self->settings.embedding_dim;
  bs = self->settings.batch_size;
  cs_rng_init (&self->rng, self->settings.seed);
  if (self->ae == NULL)
    {
      self->ae
          = cs_autoencoder_new_symmetric (d, self->settings.hidden, self->settings.n_hidden, m, bs);
      if (self->settings.init == CS_INIT_FAN_IN)
        cs_autoencoder_init_fan_in (self->ae, &self->rng);
      else
        cs_autoencoder_init_glorot (self->ae, &self->rng);
    }
  else if (self->ae->max_batch < bs)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("the loaded model was prepared for batches of %u"), self->ae->max_batch);
      goto out;
    }
  pretrain = self->model_loaded ? 0 : self->settings.pretrain_epochs;
  if (self->adaptive_threads)
    cs_thread_tuner_init (&self->tuner, cs_parallel_get_n_threads (self->ae->parallel));
  /* The network splits its work over its own threads, the same way whatever their count
   * (cs-autoencoder.c); the rest of the run calls OpenBLAS on one thread, so that no number of
   * the run depends on the count. */
  blas_threads = cs_threads_blas_solo_begin ();

  self->codes = g_new (float, ds->n *(gsize) m);
  self->labels = g_new0 (gint32, ds->n);
  self->prev_labels = g_new0 (gint32, ds->n);
  self->projection = cs_projection_new (m);
  order = g_new (guint32, ds->n);
  for (gsize i = 0; i < ds->n; i++)
    order[i] = (guint32) i;
  kmax = CS_MAX_K;
  d_out = g_new (float, (gsize) bs *d);
  d_code = g_new (float, (gsize) bs *m);
  d_cent = g_new (float, (gsize) kmax *m);
  work = g_new (float, 2 * (gsize) bs * kmax);

  if (self->model_loaded && self->loaded_centroids && self->loaded_k == self->settings.k)
    {
      self->centroids = g_steal_pointer (&self->loaded_centroids);
      self->k = self->loaded_k;
      self->cent_m = g_new0 (float, (gsize) self->k *m);
      self->cent_v = g_new0 (float, (gsize) self->k *m);
    }

  /* Pretraining: reconstruction alone. Clusters for the picture come from a cheap K-means
   * (warm from the previous epoch); the last epoch sets the centroids with the full n_init. */
  for (guint e = 1; e <= pretrain; e++)
    {
      CsEpochMetrics metrics;
      gint64 t0 = g_get_monotonic_time (), t1, t2, t3;
      gboolean last = e == pretrain;

      cs_epoch_metrics_init_nan (&metrics);
      epoch++;
      apply_epoch_settings (self);
      if (!train_epoch (self, epoch, CS_PHASE_PRETRAIN, order, d_out, d_code, d_cent, work,
                        &metrics, cancellable))
        goto cancelled;
      t1 = g_get_monotonic_time ();
      cs_autoencoder_encode (self->ae, ds->x, ds->n, self->codes);
      t2 = g_get_monotonic_time ();
      if (!reinit_centroids (self, self->settings.k, !last, last ? self->settings.kmeans_n_init : 1,
                             epoch_seed (self, epoch), cancellable, error))
        goto out;
      t3 = g_get_monotonic_time ();
      metrics.seconds_train = (t1 - t0) / 1e6;
      metrics.seconds_encode = (t2 - t1) / 1e6;
      metrics.seconds_kmeans = (t3 - t2) / 1e6;
      metrics.seconds = (g_get_monotonic_time () - t0) / 1e6;
      finish_epoch (self, epoch, e, CS_PHASE_PRETRAIN, last, &metrics);
    }

  /* The clustering phase starts with a fresh optimiser, as DKM's code (and its PyTorch ports)
   * create a new Adam for it: moments built up on the reconstruction alone would damp the
   * first steps of the new objective. */
  cs_autoencoder_reset_adam (self->ae);

  if (self->centroids == NULL)
    {
      /* No pretraining (or a loaded model without matching centroids): K-means on the codes. */
      cs_autoencoder_encode (self->ae, ds->x, ds->n, self->codes);
      if (!reinit_centroids (self, self->settings.k, FALSE, self->settings.kmeans_n_init,
                             epoch_seed (self, 0), cancellable, error))
        goto out;
    }

  for (guint e = 1; e <= self->settings.epochs; e++)
    {
      CsEpochMetrics metrics;
      gint64 t0 = g_get_monotonic_time (), t1, t2, t3;
      gboolean reinit = FALSE;
      guint k;

      cs_epoch_metrics_init_nan (&metrics);
      epoch++;
      k = apply_epoch_settings (self);
      if (k != self->k)
        {
          /* A new K: centroids from K-means on the current codes, before the epoch trains. */
          if (!reinit_centroids (self, k, FALSE, self->settings.kmeans_n_init,
                                 epoch_seed (self, epoch) ^ 0x5bd1e995, cancellable, error))
            goto out;
          self->settings.k = k;
          self->changed |= CS_SETTING_K;
          publish_settings (self);
        }

      t1 = g_get_monotonic_time ();
      if (!train_epoch (self, epoch, CS_PHASE_CLUSTER, order, d_out, d_code, d_cent, work, &metrics,
                        cancellable))
        goto cancelled;
      t2 = g_get_monotonic_time ();
      cs_autoencoder_encode (self->ae, ds->x, ds->n, self->codes);
      t3 = g_get_monotonic_time ();
      metrics.seconds_train = (t2 - t1) / 1e6;
      metrics.seconds_encode = (t3 - t2) / 1e6;

      switch (self->settings.algorithm)
        {
        case CS_ALGORITHM_ROY:
          reinit = e % self->settings.reinit_every == 0;
          break;
        case CS_ALGORITHM_AEKM:
          reinit = TRUE;
          break;
        case CS_ALGORITHM_DKM:
        default:
          reinit = FALSE;
          break;
        }
      if (reinit
          && !reinit_centroids (self, self->k, self->settings.reinit_mode == CS_REINIT_WARM,
                                self->settings.kmeans_n_init, epoch_seed (self, epoch), cancellable,
                                error))
        goto out;
      metrics.seconds_kmeans = reinit ? (g_get_monotonic_time () - t3) / 1e6 : 0.0;
      metrics.seconds = (g_get_monotonic_time () - t0) / 1e6;
      finish_epoch (self, epoch, e, CS_PHASE_CLUSTER, reinit, &metrics);
    }
  ok = TRUE;
  goto out;

cancelled:
  g_set_error (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("training was stopped"));
out:
  if (!ok && error && *error && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      g_set_error (error, CS_ERROR, CS_ERROR_CANCELLED, _ ("training was stopped"));
    }
  /* Whatever the tuner chose last, the next run of this network gets every thread again. */
  if (self->adaptive_threads && self->tuner.current != self->tuner.max)
    cs_parallel_set_n_active (self->ae->parallel, self->tuner.max);
  cs_threads_blas_solo_end (blas_threads);
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  answer_model_tasks (self);
  /* A cs_trainer_dup_model still waiting copies the model itself now. */
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return ok;
}
