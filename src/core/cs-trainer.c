/* cs-trainer.c: the training loop of the three algorithms (roy, dkm, aekm).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-trainer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <cblas.h>
#include <json-glib/json-glib.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "cs-autoencoder.h"
#include "cs-checkpoint.h"
#include "cs-error.h"
#include "cs-file.h"
#include "cs-hungarian.h"
#include "cs-kmeans.h"
#include "cs-loss.h"
#include "cs-memory.h"
#include "cs-metrics.h"
#include "cs-projection.h"
#include "cs-rng.h"
#include "cs-thread-tuner.h"
#include "cs-threads.h"
#include "cs-trainer.h"
#include "cs-tsne.h"

/* A copy of the state at the end of an epoch, for the divergence guard to go back to: the
 * same fields a checkpoint holds, in buffers allocated once and overwritten each epoch (a
 * memcpy of the network's memory costs a few milliseconds, a checkpoint's CRC far more). */
typedef struct
{
  guint epoch;      /* 0: nothing kept */
  float *ae_memory; /* params, grads, Adam m and v */
  gsize n_params;
  guint64 adam_t;
  gboolean grads_zero;
  guint k;
  float *centroids, *cent_m, *cent_v; /* CS_MAX_K x m */
  guint64 cent_t;
  float *codes;
  gint32 *labels, *prev_labels;
  gboolean have_prev_labels;
  guint32 *order;
  gboolean projection_valid;
  double *projection; /* mean, then basis: 3 x m */
  double *layout;     /* t-SNE: tsne_n x 2 */
  gsize tsne_n;
  CsRng rng;
  double best_rec;
  guint best_epoch;
} Shadow;

static void shadow_clear (Shadow *sh);
static gboolean is_running (CsTrainer *self);
static void frame_collect (CsTrainer *self, gboolean wait);

/* An epoch's t-SNE frame, computed on a thread of its own while the next epoch trains. What
 * reads the layout waits for it: the epoch's snapshot, its checkpoint's t-SNE section and the
 * divergence guard's copy are completed and delivered, in today's order, once it is done
 * (frame_collect). Frames stay one after the other, each warm-started from the last, so the
 * layouts are the bytes an inline computation gives, whatever the timing. */
typedef struct
{
  CsTsne *tsne;
  CsSnapshot *snap; /* xy and centroids_xy are the frame's to fill */
  GThread *thread;  /* NULL when the frame ran in the trainer's thread */
  gint done;        /* atomic: the frame is complete */
  guint epoch;
  gboolean shadow;                /* the guard's copy of the epoch waits for the layout */
  gsize layout_n;                 /* the size of the layout once the frame is done */
  CsCheckpointWriter *checkpoint; /* the epoch's checkpoint but its t-SNE section, or NULL */
  gboolean notable;
  GBytes *model;          /* the epoch's model, for the tasks that waited for its end */
  GPtrArray *model_tasks; /* those tasks (GTask), or NULL */
} Frame;

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
  float *target;    /* DEC / IDEC: the sharpened target P, n x k, or NULL */
  gint32 *dec_prev; /* DEC / IDEC with target_every > 0: labels at the last target update */
  gboolean have_dec_prev;
  gboolean converged;    /* DEC / IDEC: labels changed less than dec_tol; the run ends */
  guint converged_epoch; /* the epoch it ended at, 0 while it has not */
  float *codes;          /* n x m */
  gint32 *labels;        /* n: cluster of each point */
  gint32 *prev_labels;
  gboolean have_prev_labels;
  CsProjection *projection;
  CsTsne *tsne;               /* made when t-SNE is first chosen; continues from frame to frame */
  Frame *frame;               /* the last epoch's t-SNE frame while it is computed, or NULL */
  gboolean projection_inline; /* t-SNE frames on the training thread (CS_PROJECTION_INLINE) */
  CsRng rng;
  guint changed;      /* settings changed since the last snapshot */
  guint32 *order;     /* the shuffled order of the points, reshuffled each epoch */
  guint epoch;        /* the epoch being trained (1-based), or the last finished */
  guint run_pretrain; /* pretraining epochs of this run */

  /* Checkpoints: the one to continue from, and the callback that receives them. */
  CsCheckpoint *resume;
  guint start_epoch;
  CsCheckpointFunc checkpoint_func;
  gpointer checkpoint_data;
  guint checkpoint_every;
  gboolean notable; /* the last epoch re-initialised the centroids or changed a setting */

  /* The divergence guard. */
  gboolean pause_on_divergence;
  CsDivergedFunc diverged_func;
  gpointer diverged_data;
  Shadow good;     /* the state at the end of the last good epoch */
  double best_rec; /* lowest reconstruction loss so far, and its epoch */
  guint best_epoch;
  guint change_epoch; /* the last settings change: when, which, and the values before it */
  guint change_mask;
  CsSettings before_change;
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
  float max_abs;
  gsize i;
  double limit = sqrt (FLT_MAX / 1024.0 / (4.0 * dataset->d));

  if (!cs_dataset_scan_values (dataset, &max_abs, &i))
    {
      if (isnan (dataset->x[i]))
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                     _ ("%s: sample %zu, feature %u is NaN; remove or impute it"), dataset->source,
                     i / dataset->d, (guint) (i % dataset->d));
      else
        g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                     _ ("%s: sample %zu, feature %u is infinite; remove or impute it"),
                     dataset->source, i / dataset->d, (guint) (i % dataset->d));
      return FALSE;
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

/* What a run of settings on dataset will allocate beyond the dataset itself, in bytes, with a
 * breakdown for the message. An estimate from the shapes, erring high: the network with its
 * gradients and Adam moments, a batch's activations, the codes and clustering state of every
 * point, t-SNE's neighbour graph, and the history the window keeps (a light snapshot per
 * epoch, the codes of the newest few). */
static guint64
estimate_memory (const CsDataset *dataset, const CsSettings *settings, char **detail)
{
  const guint64 n = dataset->n;
  const guint64 m = settings->embedding_dim;
  const guint64 k = settings->k;
  const guint64 epochs = (guint64) settings->pretrain_epochs + settings->epochs;
  guint64 params = 0, widths = 0, network, points, history, tsne = 0, in = dataset->d;
  g_autofree char *network_text = NULL, *points_text = NULL, *history_text = NULL;

  for (guint l = 0; l <= settings->n_hidden; l++)
    {
      guint64 out = l < settings->n_hidden ? settings->hidden[l] : m;

      params += 2 * (in * out + out); /* the layer and its mirror in the decoder */
      widths += 2 * out;
      in = out;
    }
  widths += dataset->d;
  /* Weights, gradients and two Adam moments; per batch row, pre-activations, activations and
   * deltas of every layer, and as much again for the threads' shares. */
  network
      = params * 4 * sizeof (float) + (guint64) settings->batch_size * widths * 6 * sizeof (float);
  /* The divergence guard's copy of the network, optimiser and codes. */
  if (settings->divergence_factor > 0)
    network += params * 4 * sizeof (float) + n * (m + 3) * sizeof (float);
  /* Codes (and their copy in the snapshot), K-means' distances and labels, the projection. */
  points = n * (3 * m + 2 * k + 16) * sizeof (float);
  if (settings->projection == CS_PROJECTION_TSNE)
    tsne = MIN (n, 10000) * 90 * (sizeof (float) + sizeof (guint32)) * 3 + n * 8 * sizeof (float);
  /* xy, cluster and confidence per point and the clusters' prototypes per epoch, and 3
   * snapshots with their codes. */
  history = epochs * n * (2 * sizeof (float) + sizeof (guint16) + sizeof (float))
            + epochs * k * dataset->d * sizeof (float) + 3 * n * m * sizeof (float);

  network_text = g_format_size (network);
  points_text = g_format_size (points + tsne);
  history_text = g_format_size (history);
  *detail = g_strdup_printf (ngettext ("network %s, codes and clusters %s, history of %u epoch %s",
                                       "network %s, codes and clusters %s, history of %u epochs %s",
                                       (gulong) epochs),
                             network_text, points_text, (guint) epochs, history_text);
  return network + points + tsne + history;
}

CsTrainer *
cs_trainer_new (CsDataset *dataset, const CsSettings *settings, GError **error)
{
  CsTrainer *self;
  g_autofree char *detail = NULL;
  g_autofree char *what = NULL;
  guint64 need;

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
  need = estimate_memory (dataset, settings, &detail);
  what = g_strdup_printf (_ ("Training on %s"), dataset->name);
  if (!cs_memory_check (need, what, detail, error))
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
  self->projection_inline = g_strcmp0 (g_getenv ("CS_PROJECTION_INLINE"), "1") == 0;
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
  /* cs_trainer_run collects its last frame before it returns. */
  g_assert (self->frame == NULL);
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
  g_free (self->target);
  g_free (self->dec_prev);
  g_free (self->labels);
  g_free (self->prev_labels);
  g_clear_pointer (&self->model_copy, g_bytes_unref);
  g_clear_pointer (&self->resume, cs_checkpoint_free);
  shadow_clear (&self->good);
  g_free (self->order);
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
cs_trainer_set_projection_inline (CsTrainer *self, gboolean projection_inline)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!is_running (self));

  self->projection_inline = projection_inline;
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

/* Waits while paused; FALSE once cancelled. Delivers the last epoch's t-SNE frame at the first
 * batch boundary after it is done, and before a pause. */
static gboolean
check_continue (CsTrainer *self, GCancellable *cancellable)
{
  gboolean go;

  frame_collect (self, FALSE);
  g_mutex_lock (&self->lock);
  answer_model_request (self);
  while (self->paused && !self->cancelled && !g_cancellable_is_cancelled (cancellable))
    {
      gint64 deadline = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;

      if (self->frame != NULL)
        {
          /* A paused run shows its last epoch, and answers for the model after it. */
          g_mutex_unlock (&self->lock);
          frame_collect (self, TRUE);
          g_mutex_lock (&self->lock);
          continue;
        }
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

  CsSettings before = self->settings;
  CsSettingMask changed;

  if (due == 0)
    return;
  changed = cs_settings_copy_live (&self->settings, &self->requested, due);
  if (changed != 0)
    {
      self->change_epoch = self->epoch;
      self->change_mask = changed;
      self->before_change = before;
    }
  self->changed |= changed;
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

/* The share of the learning rate a clustering step takes: a fresh Adam's first update moves
 * every weight by about the full learning rate (it is the sign of the gradient), which on a
 * network that pretraining has settled multiplies the reconstruction loss 10-300 times in the
 * first clustering epoch. A linear warm-up over settings.warmup steps of the new Adam lets its
 * second moments build up first. The step count is the optimiser's own, so a resumed run goes
 * on where it was. */
static double
warmup_factor (CsTrainer *self, CsPhase phase)
{
  guint w = self->settings.warmup;

  if (w == 0 || phase != CS_PHASE_CLUSTER || self->settings.optimizer != CS_OPTIMIZER_FRESH)
    return 1.0;
  return MIN (1.0, (double) (self->ae->adam_t + 1) / w);
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

static void
ensure_tsne (CsTrainer *self)
{
  CsTsneOptions options;

  if (self->tsne != NULL)
    return;
  cs_tsne_options_init (&options);
  options.seed = self->settings.seed;
  options.n_threads = cs_parallel_get_n_threads (self->ae->parallel);
  self->tsne = cs_tsne_new (&options);
}

/* The t-SNE frame of snap's codes into snap->xy, continuing tsne's last one. A centroid sits
 * at the mean position of its cluster's points (t-SNE has no map for points it did not lay
 * out). Reads and writes nothing but its arguments: it runs on the frame's thread. */
static void
tsne_frame (CsTsne *tsne, CsSnapshot *snap)
{
  guint k = snap->k;
  g_autofree double *sum = g_new0 (double, 2 * (gsize) k);
  g_autofree gsize *count = g_new0 (gsize, k);
  gsize laid_out = 0;

  cs_tsne_update (tsne, snap->codes, snap->n, snap->m, snap->xy, NULL);
  cs_tsne_get_layout (tsne, &laid_out);
  snap->xy_laid_out = laid_out < snap->n ? laid_out : 0;
  for (gsize i = 0; i < snap->n; i++)
    {
      sum[2 * snap->clusters[i]] += snap->xy[2 * i];
      sum[2 * snap->clusters[i] + 1] += snap->xy[2 * i + 1];
      count[snap->clusters[i]]++;
    }
  for (guint c = 0; c < k; c++)
    {
      snap->centroids_xy[2 * c] = count[c] ? (float) (sum[2 * c] / count[c]) : 0.0f;
      snap->centroids_xy[2 * c + 1] = count[c] ? (float) (sum[2 * c + 1] / count[c]) : 0.0f;
    }
}

static gpointer
frame_thread (gpointer data)
{
  Frame *frame = data;

  tsne_frame (frame->tsne, frame->snap);
  g_atomic_int_set (&frame->done, 1);
  return NULL;
}

/* Starts snap's t-SNE frame on a thread of its own (in this one if no thread can be made). */
static void
frame_start (CsTrainer *self, CsSnapshot *snap)
{
  Frame *frame = g_new0 (Frame, 1);
  g_autoptr (GError) error = NULL;

  g_assert (self->frame == NULL);
  ensure_tsne (self);
  frame->tsne = self->tsne;
  frame->snap = cs_snapshot_ref (snap);
  frame->epoch = snap->epoch;
  /* Before the thread starts: the checkpoint's state section needs it, and the frame's thread
   * owns the layout until it is done. */
  frame->layout_n = cs_tsne_layout_size_after (self->tsne, snap->n);
  self->frame = frame;
  frame->thread = g_thread_try_new ("cs-tsne", frame_thread, frame, &error);
  if (frame->thread == NULL)
    {
      g_debug ("t-SNE on the training thread: %s", error->message);
      frame_thread (frame);
    }
}

/* The 2-D view the settings ask for: points into snap->xy, centroids into snap->centroids_xy.
 * snap's codes and clusters are set. */
static void
project (CsTrainer *self, CsSnapshot *snap)
{
  CsDataset *ds = self->dataset;
  guint k = self->k;
  gboolean freeze = self->settings.freeze_projection;

  switch (self->settings.projection)
    {
    case CS_PROJECTION_TSNE:
      ensure_tsne (self);
      tsne_frame (self->tsne, snap);
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

/* The checkpoint's epoch as the trainer's last snapshot, not published (the run's history
 * already has it): a continued run that stops before its first epoch, at a divergence, still
 * has the points of the epoch it is back at for its labels.csv. Reads the restored state only:
 * the continued epochs stay the same bytes. */
static void
keep_restored_snapshot (CsTrainer *self)
{
  CsDataset *ds = self->dataset;
  guint m = self->settings.embedding_dim, k = self->k;
  CsSnapshot *snap = cs_snapshot_new (ds->n, m, k, ds->labels ? ds->n_classes : 0, TRUE);
  g_autofree float *dist = g_new (float, ds->n *(gsize) k);
  g_autofree gint32 *nearest = g_new (gint32, ds->n);
  gsize tsne_n = 0;
  const double *layout = self->tsne != NULL ? cs_tsne_get_layout (self->tsne, &tsne_n) : NULL;

  cs_cluster_soft_assign (self->codes, ds->n, m, self->centroids, k, self->settings.alpha, dist,
                          NULL, nearest, snap->confidence);
  for (gsize i = 0; i < ds->n; i++)
    {
      snap->clusters[i] = (guint16) self->labels[i];
      snap->cluster_sizes[self->labels[i]]++;
    }
  if (self->settings.projection == CS_PROJECTION_TSNE && layout != NULL && tsne_n == ds->n)
    {
      g_autofree double *sum = g_new0 (double, 2 * (gsize) k);

      for (gsize i = 0; i < ds->n; i++)
        {
          snap->xy[2 * i] = (float) layout[2 * i];
          snap->xy[2 * i + 1] = (float) layout[2 * i + 1];
          sum[2 * self->labels[i]] += layout[2 * i];
          sum[2 * self->labels[i] + 1] += layout[2 * i + 1];
        }
      for (guint c = 0; c < k; c++)
        for (guint a = 0; a < 2; a++)
          snap->centroids_xy[2 * c + a]
              = snap->cluster_sizes[c] ? (float) (sum[2 * c + a] / snap->cluster_sizes[c]) : 0.0f;
    }
  else if (self->projection->valid)
    {
      cs_projection_apply (self->projection, self->codes, ds->n, snap->xy);
      cs_projection_apply (self->projection, self->centroids, k, snap->centroids_xy);
    }
  memcpy (snap->codes, self->codes, ds->n * (gsize) m * sizeof (float));
  memcpy (snap->centroids, self->centroids, (gsize) k * m * sizeof (float));
  snap->epoch = self->epoch;
  snap->settings = self->settings;
  snap->settings.k = k;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last, cs_snapshot_unref);
  self->last = snap;
  g_mutex_unlock (&self->lock);
}

/* On the training thread: snap as the last snapshot, to the snapshot callback, then the model
 * to the cs_trainer_dup_model_async calls that waited for the end of its epoch (tasks with
 * model, or all those waiting now when tasks is NULL). */
static void
publish_snapshot (CsTrainer *self, CsSnapshot *snap, GPtrArray *tasks, GBytes *model)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->last, cs_snapshot_unref);
  self->last = cs_snapshot_ref (snap);
  g_mutex_unlock (&self->lock);

  if (self->snapshot_func)
    self->snapshot_func (snap, self->snapshot_data);

  /* After the snapshot, so that it reaches the main loop first. */
  if (tasks != NULL)
    {
      for (guint i = 0; i < tasks->len; i++)
        if (model != NULL)
          g_task_return_pointer (tasks->pdata[i], g_bytes_ref (model),
                                 (GDestroyNotify) g_bytes_unref);
        else
          g_task_return_new_error (tasks->pdata[i], CS_ERROR, CS_ERROR_INVALID,
                                   _ ("there is no trained model to save yet"));
      return;
    }
  g_mutex_lock (&self->lock);
  answer_model_tasks (self);
  g_mutex_unlock (&self->lock);
}

/* Encodes all points, assigns them to the centroids, computes the metrics and publishes a
 * snapshot; a t-SNE view's snapshot once its frame is done (frame_collect). */
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
  CsSnapshot *snap;
  g_autofree float *dist = g_new (float, ds->n *(gsize) k);

  /* The last epoch's frame first: snapshots go out in order, and this one's frame continues
   * that one's layout. */
  frame_collect (self, TRUE);
  snap = cs_snapshot_new (ds->n, m, k, ds->labels ? ds->n_classes : 0, TRUE);

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

  memcpy (snap->codes, self->codes, ds->n * (gsize) m * sizeof (float));
  memcpy (snap->centroids, self->centroids, (gsize) k * m * sizeof (float));
  /* Each cluster's prototype: one decoder pass over k rows, no randomness and no state. */
  snap->d = ds->d;
  snap->prototypes = g_new (float, (gsize) k * ds->d);
  cs_autoencoder_decode (self->ae, self->centroids, k, snap->prototypes);

  snap->epoch = epoch;
  snap->phase_epoch = phase_epoch;
  snap->phase = phase;
  snap->reinitialised = reinitialised;
  snap->changed = self->changed;
  self->notable = reinitialised || self->changed != 0;
  self->changed = 0;
  snap->settings = self->settings;
  snap->settings.k = k;
  snap->metrics = *metrics;

  if (self->settings.projection == CS_PROJECTION_TSNE && !self->projection_inline)
    {
      frame_start (self, snap);
      /* The model of this epoch goes with its snapshot; asking for it later waits for the
       * next epoch's end, as it would have while this one trained. */
      g_mutex_lock (&self->lock);
      if (self->model_tasks->len > 0)
        {
          self->frame->model = serialize_model (self, NULL);
          self->frame->model_tasks = g_steal_pointer (&self->model_tasks);
          self->model_tasks = g_ptr_array_new_with_free_func (g_object_unref);
        }
      g_mutex_unlock (&self->lock);
    }
  else
    {
      project (self, snap);
      publish_snapshot (self, snap, NULL, NULL);
    }
  cs_snapshot_unref (snap);
}

static gboolean
is_dec (CsAlgorithm algorithm)
{
  return algorithm == CS_ALGORITHM_DEC || algorithm == CS_ALGORITHM_IDEC;
}

/* DEC / IDEC: the target P from the Student's t assignments of self->codes to the centroids.
 * With target_every > 0 (updates within epochs), the share of labels that changed since the
 * last update decides convergence; with updates at each epoch's start, the epoch's label
 * change does (see the run loop), which needs no state of its own across a checkpoint. */
static void
update_target (CsTrainer *self)
{
  CsDataset *ds = self->dataset;
  guint m = self->settings.embedding_dim, k = self->k;

  self->target = g_renew (float, self->target, ds->n *(gsize) k);
  cs_dec_soft_assign (self->codes, ds->n, m, self->centroids, k, self->target);
  if (self->settings.target_every > 0)
    {
      gsize changed = 0;

      if (self->dec_prev == NULL)
        self->dec_prev = g_new (gint32, ds->n);
      for (gsize i = 0; i < ds->n; i++)
        {
          const float *qi = self->target + i * k;
          gint32 best = 0;

          for (guint j = 1; j < k; j++)
            if (qi[j] > qi[best])
              best = (gint32) j;
          changed += self->have_dec_prev && best != self->dec_prev[i];
          self->dec_prev[i] = best;
        }
      if (self->have_dec_prev && self->settings.dec_tol > 0
          && (double) changed / (double) ds->n < self->settings.dec_tol)
        self->converged = TRUE;
      self->have_dec_prev = TRUE;
    }
  cs_dec_target (self->target, ds->n, k, self->target);
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
  gboolean dec = clustering && is_dec (self->settings.algorithm);
  /* Centroids trained with the network: DKM's, DEC's and IDEC's. */
  gboolean dkm = clustering && (self->settings.algorithm == CS_ALGORITHM_DKM || dec);
  guint target_every = self->settings.target_every;
  /* IDEC's gamma weighs KL against a mean squared error; the engine's reconstruction loss is
   * summed over the d features, so the same balance takes gamma * d. */
  double dec_weight
      = self->settings.algorithm == CS_ALGORITHM_IDEC ? self->settings.gamma * d : 1.0;
  /* Pretraining epochs but the last keep, for the picture, the codes the training pass computes
   * anyway (each from the weights of its batch, at most one epoch old) instead of encoding every
   * point again after the epoch: 15 % of a pretraining epoch. The last pretraining epoch encodes
   * afresh, since the clustering phase starts from K-means on its codes. */
  gboolean capture_codes = phase == CS_PHASE_PRETRAIN && epoch < self->run_pretrain;
  CsAdamConfig adam;
  double rec_sum = 0, clu_sum = 0;

  cs_adam_config_init (&adam);
  cs_rng_shuffle_u32 (&self->rng, order, ds->n);
  /* The codes from the end of the last epoch give the target for this one. */
  if (dec && target_every == 0)
    update_target (self);

  for (guint b = 0; b < n_batches; b++)
    {
      gsize start = (gsize) b * bs;
      guint batch = (guint) MIN ((gsize) bs, ds->n - start);
      float *xb = cs_autoencoder_input (ae);
      double lr;

      if (!check_continue (self, cancellable))
        return FALSE;
      lr = current_lr (self) * warmup_factor (self, phase);
      if (dec && target_every > 0 && b % target_every == 0)
        {
          /* Before the batch is gathered: encoding all points reuses the network's buffers. */
          cs_autoencoder_encode (ae, ds->x, ds->n, self->codes);
          update_target (self);
        }

      /* Gathered straight into the network's input cache: the forward pass copies nothing. */
      for (guint i = 0; i < batch; i++)
        memcpy (xb + (gsize) i * d, ds->x + (gsize) order[start + i] * d, d * sizeof (float));

      cs_autoencoder_forward (ae, xb, batch);
      if (capture_codes)
        {
          const float *code = cs_autoencoder_code (ae);

          for (guint i = 0; i < batch; i++)
            memcpy (self->codes + (gsize) order[start + i] * m, code + (gsize) i * m,
                    m * sizeof (float));
        }
      rec_sum += cs_autoencoder_rec_loss (ae, xb, batch, d_out) * batch;
      if (dec)
        {
          /* The batch's rows of the target, gathered into the work buffer. */
          for (guint i = 0; i < batch; i++)
            memcpy (work + (gsize) i * self->k, self->target + (gsize) order[start + i] * self->k,
                    self->k * sizeof (float));
          if (self->settings.algorithm == CS_ALGORITHM_DEC)
            memset (d_out, 0, (gsize) batch * d * sizeof (float)); /* DEC drops the decoder */
          clu_sum += cs_dec_loss (cs_autoencoder_code (ae), batch, m, self->centroids, self->k,
                                  work, dec_weight, d_code, d_cent, NULL)
                     * batch;
          cs_autoencoder_backward_step (ae, d_out, d_code, batch, &adam, lr);
        }
      else if (clustering)
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

/* Checkpoints ----------------------------------------------------------------------------- */

#define TAG_SETTINGS CS_CHECKPOINT_TAG ('S', 'E', 'T', 'T')
#define TAG_STATE CS_CHECKPOINT_TAG ('S', 'T', 'A', 'T')
#define TAG_MODEL CS_CHECKPOINT_TAG ('M', 'O', 'D', 'L')
#define TAG_OPTIMISER CS_CHECKPOINT_TAG ('O', 'P', 'T', 'M')
#define TAG_CENTROID_ADAM CS_CHECKPOINT_TAG ('C', 'E', 'N', 'T')
#define TAG_CODES CS_CHECKPOINT_TAG ('C', 'O', 'D', 'E')
#define TAG_LABELS CS_CHECKPOINT_TAG ('L', 'A', 'B', 'L')
#define TAG_ORDER CS_CHECKPOINT_TAG ('O', 'R', 'D', 'R')
#define TAG_PROJECTION CS_CHECKPOINT_TAG ('P', 'R', 'O', 'J')
#define TAG_TSNE CS_CHECKPOINT_TAG ('T', 'S', 'N', 'E')

/* The STAT section: little-endian u64 words (doubles by their bits). */
enum
{
  STATE_EPOCH,
  STATE_PRETRAIN,
  STATE_N,
  STATE_D,
  STATE_DATA_HASH,
  STATE_K,
  STATE_M,
  STATE_ADAM_T,
  STATE_GRADS_ZERO,
  STATE_CENT_T,
  STATE_HAVE_PREV,
  STATE_PROJECTION_VALID,
  STATE_RNG,
  STATE_TSNE_N = STATE_RNG + 4,
  STATE_BEST_REC,
  STATE_BEST_EPOCH,
  STATE_WORDS
};

/* A fingerprint of the data: FNV-1a over the shape and up to 2^16 evenly spaced values, so
 * that a checkpoint is not continued on other data of the same shape. */
static guint64
data_hash (const CsDataset *ds)
{
  gsize count = ds->n * (gsize) ds->d;
  gsize stride = MAX (count >> 16, 1);
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  guint64 words[2] = { ds->n, ds->d };

  for (guint i = 0; i < 2; i++)
    h = (h ^ words[i]) * G_GUINT64_CONSTANT (0x100000001b3);
  for (gsize i = 0; i < count; i += stride)
    {
      guint32 bits;

      memcpy (&bits, ds->x + i, 4);
      h = (h ^ bits) * G_GUINT64_CONSTANT (0x100000001b3);
    }
  return h;
}

static guint64
double_bits (double v)
{
  guint64 bits;

  memcpy (&bits, &v, 8);
  return bits;
}

static double
bits_double (guint64 bits)
{
  double v;

  memcpy (&v, &bits, 8);
  return v;
}

/* Everything the run needs to continue after epoch as it would have, but the t-SNE layout,
 * which serialize_state_finish adds: it may still be computed (a frame on its way), and then
 * pending_tsne_n is the size it will have. Arrays are written in the host's byte order, which
 * the checkpoint format fixes as little-endian (cs-checkpoint.h). */
static CsCheckpointWriter *
serialize_state_begin (CsTrainer *self, guint epoch, gboolean frame_pending, gsize pending_tsne_n)
{
  CsDataset *ds = self->dataset;
  CsAutoencoder *ae = self->ae;
  guint m = self->settings.embedding_dim;
  CsCheckpointWriter *w = cs_checkpoint_writer_new (
      4 * ae->n_params * sizeof (float) + ds->n * ((gsize) m * sizeof (float) + 12) + (1 << 16));
  g_autoptr (JsonNode) settings = cs_settings_to_json (&self->settings);
  g_autofree char *json = json_to_string (settings, FALSE);
  guint64 state[STATE_WORDS] = { 0 };
  gsize tsne_n = 0;

  G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);
  if (frame_pending)
    tsne_n = pending_tsne_n;
  else if (self->tsne != NULL)
    cs_tsne_get_layout (self->tsne, &tsne_n);
  state[STATE_EPOCH] = epoch;
  state[STATE_PRETRAIN] = self->run_pretrain;
  state[STATE_N] = ds->n;
  state[STATE_D] = ds->d;
  state[STATE_DATA_HASH] = data_hash (ds);
  state[STATE_K] = self->k;
  state[STATE_M] = m;
  state[STATE_ADAM_T] = ae->adam_t;
  state[STATE_GRADS_ZERO] = ae->grads_zero;
  state[STATE_CENT_T] = self->cent_t;
  state[STATE_HAVE_PREV] = self->have_prev_labels;
  state[STATE_PROJECTION_VALID] = self->projection->valid;
  memcpy (state + STATE_RNG, self->rng.s, sizeof self->rng.s);
  state[STATE_TSNE_N] = tsne_n;
  state[STATE_BEST_REC] = double_bits (self->best_rec);
  state[STATE_BEST_EPOCH] = self->best_epoch;

  cs_checkpoint_writer_add (w, TAG_SETTINGS, json, strlen (json));
  cs_checkpoint_writer_add (w, TAG_STATE, state, sizeof state);
  /* Sections in pieces, straight into the file's one buffer: no temporary copies, which on
   * worker threads left the heap fragmented (the display suite's soak). */
  cs_autoencoder_serialize_append (ae, self->centroids, self->k,
                                   cs_checkpoint_writer_begin (w, TAG_MODEL));
  cs_checkpoint_writer_end (w);
  /* Gradients, then Adam's two moments: one block in the network's memory. */
  cs_checkpoint_writer_add (w, TAG_OPTIMISER, ae->grads, 3 * ae->n_params * sizeof (float));
  {
    gsize km = (gsize) self->k * m;
    GByteArray *buf = cs_checkpoint_writer_begin (w, TAG_CENTROID_ADAM);

    if (self->cent_m != NULL)
      {
        g_byte_array_append (buf, (const guint8 *) self->cent_m, (guint) (km * sizeof (float)));
        g_byte_array_append (buf, (const guint8 *) self->cent_v, (guint) (km * sizeof (float)));
      }
    else
      {
        guint at = buf->len;

        g_byte_array_set_size (buf, at + (guint) (2 * km * sizeof (float)));
        memset (buf->data + at, 0, 2 * km * sizeof (float));
      }
    cs_checkpoint_writer_end (w);
  }
  cs_checkpoint_writer_add (w, TAG_CODES, self->codes, ds->n * (gsize) m * sizeof (float));
  {
    GByteArray *buf = cs_checkpoint_writer_begin (w, TAG_LABELS);

    g_byte_array_append (buf, (const guint8 *) self->labels, (guint) (ds->n * sizeof (gint32)));
    g_byte_array_append (buf, (const guint8 *) self->prev_labels,
                         (guint) (ds->n * sizeof (gint32)));
    cs_checkpoint_writer_end (w);
  }
  cs_checkpoint_writer_add (w, TAG_ORDER, self->order, ds->n * sizeof (guint32));
  {
    GByteArray *buf = cs_checkpoint_writer_begin (w, TAG_PROJECTION);

    g_byte_array_append (buf, (const guint8 *) self->projection->mean,
                         (guint) (m * sizeof (double)));
    g_byte_array_append (buf, (const guint8 *) self->projection->basis,
                         (guint) (2 * m * sizeof (double)));
    cs_checkpoint_writer_end (w);
  }
  return w;
}

/* The checkpoint's last section, the t-SNE layout as it is now, of the size its state section
 * announced. */
static GBytes *
serialize_state_finish (CsTrainer *self, CsCheckpointWriter *w, gsize tsne_n)
{
  gsize n = 0;
  const double *layout = self->tsne != NULL ? cs_tsne_get_layout (self->tsne, &n) : NULL;

  g_assert (n == tsne_n);
  if (tsne_n > 0)
    cs_checkpoint_writer_add (w, TAG_TSNE, layout, 2 * tsne_n * sizeof (double));
  return cs_checkpoint_writer_finish (w);
}

static GBytes *
serialize_state (CsTrainer *self, guint epoch)
{
  gsize tsne_n = 0;

  if (self->tsne != NULL)
    cs_tsne_get_layout (self->tsne, &tsne_n);
  return serialize_state_finish (self, serialize_state_begin (self, epoch, FALSE, 0), tsne_n);
}

/* Reads the STAT section and checks that it belongs to dataset. */
static gboolean
read_state (CsCheckpoint *ck, const CsDataset *ds, guint64 *state, GError **error)
{
  const guint8 *p = cs_checkpoint_get (ck, TAG_STATE, STATE_WORDS * 8, NULL, error);

  if (p == NULL)
    return FALSE;
  memcpy (state, p, STATE_WORDS * 8);
  if (state[STATE_N] != ds->n || state[STATE_D] != ds->d
      || state[STATE_DATA_HASH] != data_hash (ds))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("%s was made on other data (%llu x %llu values) than %s (%zu x %u)"),
                   cs_checkpoint_get_name (ck), (unsigned long long) state[STATE_N],
                   (unsigned long long) state[STATE_D], ds->name, ds->n, ds->d);
      return FALSE;
    }
  return TRUE;
}

/* Puts the run back at the end of the checkpoint's epoch. The trainer's arrays exist (the run
 * has begun); the network is replaced by the checkpoint's. */
static gboolean
restore_state (CsTrainer *self, CsCheckpoint *ck, GError **error)
{
  CsDataset *ds = self->dataset;
  guint64 state[STATE_WORDS];
  const guint8 *p;
  gsize len, km;
  guint m, k;
  CsAutoencoder *ae;
  g_autofree float *centroids = NULL;

  if (!read_state (ck, ds, state, error))
    return FALSE;
  m = (guint) state[STATE_M];
  k = (guint) state[STATE_K];
  if (m != self->settings.embedding_dim || k == 0 || k > CS_MAX_K)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid state (K %u, dimension %u)"),
                   cs_checkpoint_get_name (ck), k, m);
      return FALSE;
    }
  km = (gsize) k * m;
  if ((p = cs_checkpoint_get (ck, TAG_MODEL, 0, &len, error)) == NULL)
    return FALSE;
  ae = cs_autoencoder_parse (p, len, cs_checkpoint_get_name (ck), self->settings.batch_size,
                             &centroids, NULL, error);
  if (ae == NULL)
    return FALSE;
  if (ae->dims[0] != ds->d || ae->dims[ae->code_layer] != m || centroids == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: the network does not match its state"),
                   cs_checkpoint_get_name (ck));
      cs_autoencoder_free (ae);
      return FALSE;
    }
  if ((p = cs_checkpoint_get (ck, TAG_OPTIMISER, 3 * ae->n_params * sizeof (float), NULL, error))
      == NULL)
    {
      cs_autoencoder_free (ae);
      return FALSE;
    }
  memcpy (ae->grads, p, 3 * ae->n_params * sizeof (float));
  ae->adam_t = state[STATE_ADAM_T];
  ae->grads_zero = state[STATE_GRADS_ZERO] != 0;
  cs_autoencoder_free (self->ae);
  self->ae = ae;

  g_free (self->centroids);
  self->centroids = g_steal_pointer (&centroids);
  self->k = k;
  if ((p = cs_checkpoint_get (ck, TAG_CENTROID_ADAM, 2 * km * sizeof (float), NULL, error)) == NULL)
    return FALSE;
  g_free (self->cent_m);
  g_free (self->cent_v);
  self->cent_m = g_memdup2 (p, km * sizeof (float));
  self->cent_v = g_memdup2 (p + km * sizeof (float), km * sizeof (float));
  self->cent_t = state[STATE_CENT_T];

  if ((p = cs_checkpoint_get (ck, TAG_CODES, ds->n * (gsize) m * sizeof (float), NULL, error))
      == NULL)
    return FALSE;
  memcpy (self->codes, p, ds->n * (gsize) m * sizeof (float));
  if ((p = cs_checkpoint_get (ck, TAG_LABELS, 2 * ds->n * sizeof (gint32), NULL, error)) == NULL)
    return FALSE;
  memcpy (self->labels, p, ds->n * sizeof (gint32));
  memcpy (self->prev_labels, p + ds->n * sizeof (gint32), ds->n * sizeof (gint32));
  /* Checked in the copies: a section's payload need not be aligned. */
  for (gsize i = 0; i < ds->n; i++)
    if (self->labels[i] < 0 || self->labels[i] >= (gint32) k || self->prev_labels[i] < 0
        || self->prev_labels[i] >= (gint32) k)
      {
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: a cluster index out of range"),
                     cs_checkpoint_get_name (ck));
        return FALSE;
      }
  self->have_prev_labels = state[STATE_HAVE_PREV] != 0;
  if ((p = cs_checkpoint_get (ck, TAG_ORDER, ds->n * sizeof (guint32), NULL, error)) == NULL)
    return FALSE;
  memcpy (self->order, p, ds->n * sizeof (guint32));
  for (gsize i = 0; i < ds->n; i++)
    if (self->order[i] >= ds->n)
      {
        g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: the order of the points is damaged"),
                     cs_checkpoint_get_name (ck));
        return FALSE;
      }
  if ((p = cs_checkpoint_get (ck, TAG_PROJECTION, 3 * m * sizeof (double), NULL, error)) == NULL)
    return FALSE;
  memcpy (self->projection->mean, p, m * sizeof (double));
  memcpy (self->projection->basis, p + m * sizeof (double), 2 * m * sizeof (double));
  self->projection->valid = state[STATE_PROJECTION_VALID] != 0;
  if (state[STATE_TSNE_N] > 0)
    {
      gsize tn = (gsize) state[STATE_TSNE_N];

      if (tn > ds->n
          || (p = cs_checkpoint_get (ck, TAG_TSNE, 2 * tn * sizeof (double), NULL, error)) == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid t-SNE layout"),
                         cs_checkpoint_get_name (ck));
          return FALSE;
        }
      ensure_tsne (self);
      cs_tsne_set_layout (self->tsne, (const double *) (gconstpointer) p, tn);
    }
  else if (self->tsne != NULL)
    cs_tsne_reset (self->tsne);
  memcpy (self->rng.s, state + STATE_RNG, sizeof self->rng.s);
  self->best_rec = bits_double (state[STATE_BEST_REC]);
  self->best_epoch = (guint) state[STATE_BEST_EPOCH];
  self->epoch = (guint) state[STATE_EPOCH];
  return TRUE;
}

float *
cs_trainer_checkpoint_dup_codes (
    CsCheckpoint *checkpoint, const CsDataset *dataset, guint *epoch, guint *m, GError **error)
{
  guint64 state[STATE_WORDS];
  const guint8 *p;

  g_return_val_if_fail (checkpoint != NULL && dataset != NULL, NULL);

  if (!read_state (checkpoint, dataset, state, error))
    return NULL;
  if (state[STATE_M] == 0 || state[STATE_M] > G_MAXUINT16)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid state (dimension %llu)"),
                   cs_checkpoint_get_name (checkpoint), (unsigned long long) state[STATE_M]);
      return NULL;
    }
  p = cs_checkpoint_get (checkpoint, TAG_CODES,
                         dataset->n * (gsize) state[STATE_M] * sizeof (float), NULL, error);
  if (p == NULL)
    return NULL;
  if (epoch != NULL)
    *epoch = (guint) state[STATE_EPOCH];
  if (m != NULL)
    *m = (guint) state[STATE_M];
  return g_memdup2 (p, dataset->n * (gsize) state[STATE_M] * sizeof (float));
}

CsTrainer *
cs_trainer_new_from_checkpoint (CsDataset *dataset, CsCheckpoint *checkpoint, GError **error)
{
  g_autoptr (CsCheckpoint) ck = checkpoint;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  guint64 state[STATE_WORDS];
  CsSettings settings;
  CsTrainer *self;
  const guint8 *p;
  gsize len;

  g_return_val_if_fail (dataset != NULL && checkpoint != NULL, NULL);

  if ((p = cs_checkpoint_get (ck, TAG_SETTINGS, 0, &len, error)) == NULL
      || !read_state (ck, dataset, state, error))
    return NULL;
  cs_settings_init_default (&settings);
  if (!json_parser_load_from_data (parser, (const char *) p, (gssize) len, &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !cs_settings_update_from_json (
          &settings, json_node_get_object (json_parser_get_root (parser)), &local))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid settings: %s"),
                   cs_checkpoint_get_name (ck), local ? local->message : "not an object");
      return NULL;
    }
  if (state[STATE_EPOCH] == 0 || state[STATE_EPOCH] > G_MAXUINT
      || state[STATE_PRETRAIN] > settings.pretrain_epochs)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_FORMAT, _ ("%s: invalid epoch"),
                   cs_checkpoint_get_name (ck));
      return NULL;
    }
  self = cs_trainer_new (dataset, &settings, error);
  if (self == NULL)
    return NULL;
  self->start_epoch = (guint) state[STATE_EPOCH];
  self->run_pretrain = (guint) state[STATE_PRETRAIN];
  self->resume = g_steal_pointer (&ck);
  return self;
}

guint
cs_trainer_get_start_epoch (CsTrainer *self)
{
  return self->start_epoch;
}

guint
cs_trainer_get_converged_epoch (CsTrainer *self)
{
  return self->converged_epoch;
}

void
cs_trainer_set_checkpoint_func (CsTrainer *self,
                                guint every,
                                CsCheckpointFunc func,
                                gpointer user_data)
{
  self->checkpoint_every = MAX (every, 1);
  self->checkpoint_func = func;
  self->checkpoint_data = user_data;
}

void
cs_trainer_set_pause_on_divergence (CsTrainer *self,
                                    gboolean pause,
                                    CsDivergedFunc func,
                                    gpointer user_data)
{
  self->pause_on_divergence = pause;
  self->diverged_func = func;
  self->diverged_data = user_data;
}

static void
shadow_clear (Shadow *sh)
{
  g_free (sh->ae_memory);
  g_free (sh->centroids);
  g_free (sh->cent_m);
  g_free (sh->cent_v);
  g_free (sh->codes);
  g_free (sh->labels);
  g_free (sh->prev_labels);
  g_free (sh->order);
  g_free (sh->projection);
  g_free (sh->layout);
  memset (sh, 0, sizeof *sh);
}

/* The t-SNE layout into sh. */
static void
shadow_capture_layout (CsTrainer *self, Shadow *sh)
{
  const double *layout = NULL;
  gsize tsne_n = 0;

  if (self->tsne != NULL)
    layout = cs_tsne_get_layout (self->tsne, &tsne_n);
  if (tsne_n != sh->tsne_n)
    {
      g_free (sh->layout);
      sh->layout = tsne_n ? g_new (double, 2 * tsne_n) : NULL;
      sh->tsne_n = tsne_n;
    }
  if (tsne_n > 0)
    memcpy (sh->layout, layout, 2 * tsne_n * sizeof (double));
}

/* The trainer's state into sh; the buffers are made on the first call. */
static void
shadow_capture (CsTrainer *self, Shadow *sh, guint epoch)
{
  CsDataset *ds = self->dataset;
  CsAutoencoder *ae = self->ae;
  guint m = self->settings.embedding_dim;
  gsize km = (gsize) self->k * m;

  if (sh->ae_memory == NULL || sh->n_params != ae->n_params)
    {
      shadow_clear (sh);
      sh->n_params = ae->n_params;
      sh->ae_memory = g_new (float, 4 * ae->n_params);
      sh->centroids = g_new (float, (gsize) CS_MAX_K *m);
      sh->cent_m = g_new (float, (gsize) CS_MAX_K *m);
      sh->cent_v = g_new (float, (gsize) CS_MAX_K *m);
      sh->codes = g_new (float, ds->n *(gsize) m);
      sh->labels = g_new (gint32, ds->n);
      sh->prev_labels = g_new (gint32, ds->n);
      sh->order = g_new (guint32, ds->n);
      sh->projection = g_new (double, 3 * (gsize) m);
    }
  sh->epoch = epoch;
  memcpy (sh->ae_memory, ae->params, 4 * ae->n_params * sizeof (float));
  sh->adam_t = ae->adam_t;
  sh->grads_zero = ae->grads_zero;
  sh->k = self->k;
  memcpy (sh->centroids, self->centroids, km * sizeof (float));
  if (self->cent_m != NULL)
    {
      memcpy (sh->cent_m, self->cent_m, km * sizeof (float));
      memcpy (sh->cent_v, self->cent_v, km * sizeof (float));
    }
  else
    {
      memset (sh->cent_m, 0, km * sizeof (float));
      memset (sh->cent_v, 0, km * sizeof (float));
    }
  sh->cent_t = self->cent_t;
  memcpy (sh->codes, self->codes, ds->n * (gsize) m * sizeof (float));
  memcpy (sh->labels, self->labels, ds->n * sizeof (gint32));
  memcpy (sh->prev_labels, self->prev_labels, ds->n * sizeof (gint32));
  sh->have_prev_labels = self->have_prev_labels;
  memcpy (sh->order, self->order, ds->n * sizeof (guint32));
  sh->projection_valid = self->projection->valid;
  memcpy (sh->projection, self->projection->mean, m * sizeof (double));
  memcpy (sh->projection + m, self->projection->basis, 2 * m * sizeof (double));
  /* With a frame on its way, its layout is added when it is done. */
  if (self->frame == NULL)
    shadow_capture_layout (self, sh);
  sh->rng = self->rng;
  sh->best_rec = self->best_rec;
  sh->best_epoch = self->best_epoch;
}

/* The trainer back to sh's epoch (the settings stay as they are). */
static void
shadow_restore (CsTrainer *self, const Shadow *sh)
{
  CsDataset *ds = self->dataset;
  CsAutoencoder *ae = self->ae;
  guint m = self->settings.embedding_dim;
  gsize km = (gsize) sh->k * m;

  memcpy (ae->params, sh->ae_memory, 4 * ae->n_params * sizeof (float));
  ae->adam_t = sh->adam_t;
  ae->grads_zero = sh->grads_zero;
  if (self->k != sh->k)
    {
      g_free (self->centroids);
      g_free (self->cent_m);
      g_free (self->cent_v);
      self->centroids = g_new (float, km);
      self->cent_m = g_new (float, km);
      self->cent_v = g_new (float, km);
      self->k = sh->k;
    }
  memcpy (self->centroids, sh->centroids, km * sizeof (float));
  memcpy (self->cent_m, sh->cent_m, km * sizeof (float));
  memcpy (self->cent_v, sh->cent_v, km * sizeof (float));
  self->cent_t = sh->cent_t;
  memcpy (self->codes, sh->codes, ds->n * (gsize) m * sizeof (float));
  memcpy (self->labels, sh->labels, ds->n * sizeof (gint32));
  memcpy (self->prev_labels, sh->prev_labels, ds->n * sizeof (gint32));
  self->have_prev_labels = sh->have_prev_labels;
  memcpy (self->order, sh->order, ds->n * sizeof (guint32));
  self->projection->valid = sh->projection_valid;
  memcpy (self->projection->mean, sh->projection, m * sizeof (double));
  memcpy (self->projection->basis, sh->projection + m, 2 * m * sizeof (double));
  if (self->tsne != NULL)
    {
      if (sh->tsne_n > 0)
        cs_tsne_set_layout (self->tsne, sh->layout, sh->tsne_n);
      else
        cs_tsne_reset (self->tsne);
    }
  self->rng = sh->rng;
  self->best_rec = sh->best_rec;
  self->best_epoch = sh->best_epoch;
  self->epoch = sh->epoch;
}

/* At the end of a good epoch: the guard's copy, and the checkpoint for the callback. With the
 * epoch's t-SNE frame on its way, both are taken now but for the layout, which frame_collect
 * adds before the checkpoint goes out. */
static void
keep_checkpoint (CsTrainer *self, guint epoch)
{
  Frame *frame = self->frame;

  if (self->settings.divergence_factor > 0)
    {
      shadow_capture (self, &self->good, epoch);
      if (frame != NULL)
        frame->shadow = TRUE;
    }
  if (self->checkpoint_func != NULL && epoch % self->checkpoint_every == 0)
    {
      g_autoptr (GBytes) bytes = NULL;

      if (frame != NULL)
        {
          frame->checkpoint = serialize_state_begin (self, epoch, TRUE, frame->layout_n);
          frame->notable = self->notable;
          return;
        }
      bytes = serialize_state (self, epoch);
      self->checkpoint_func (epoch, bytes, self->notable, self->checkpoint_data);
    }
}

/* On the training thread: the t-SNE frame on its way, once it is done (at once when wait),
 * completed and delivered as an inline one would have been at its epoch's end: the snapshot,
 * the model for the tasks that waited for it, the guard's copy, the checkpoint. Every path
 * that reads the layout or ends the run comes here first. */
static void
frame_collect (CsTrainer *self, gboolean wait)
{
  Frame *frame = self->frame;

  if (frame == NULL || (!wait && !g_atomic_int_get (&frame->done)))
    return;
  if (frame->thread != NULL)
    g_thread_join (frame->thread);
  g_assert (g_atomic_int_get (&frame->done));
  self->frame = NULL;

  if (frame->shadow && self->good.epoch == frame->epoch)
    shadow_capture_layout (self, &self->good);
  publish_snapshot (self, frame->snap, frame->model_tasks, frame->model);
  if (frame->checkpoint != NULL)
    {
      g_autoptr (GBytes) bytes = serialize_state_finish (self, frame->checkpoint, frame->layout_n);

      self->checkpoint_func (frame->epoch, bytes, frame->notable, self->checkpoint_data);
    }
  cs_snapshot_unref (frame->snap);
  g_clear_pointer (&frame->model, g_bytes_unref);
  g_clear_pointer (&frame->model_tasks, g_ptr_array_unref);
  g_free (frame);
}

/* Why epoch's losses count as divergence, or NULL when they do not. */
static char *
divergence_reason (CsTrainer *self, const CsEpochMetrics *metrics, gboolean clustering)
{
  double factor = self->settings.divergence_factor;

  if (factor <= 0)
    return NULL;
  if (!isfinite (metrics->loss_rec) || (clustering && !isfinite (metrics->loss_clu)))
    return isfinite (metrics->loss_rec)
               ? g_strdup_printf (_ ("the clustering loss is %g"), metrics->loss_clu)
               : g_strdup_printf (_ ("the reconstruction loss is %g"), metrics->loss_rec);
  /* DEC drops the decoder in its clustering phase: its reconstruction loss grows as the
   * encoder moves (tenfold within three epochs on all of Fashion-MNIST), and says nothing
   * about divergence. Only a loss that is not a number stops it. */
  if (clustering && self->settings.algorithm == CS_ALGORITHM_DEC)
    return NULL;
  /* Losses of data near float's smallest normal numbers (1e-38) are rounding noise, and
   * their ratios say nothing: below 1e-30 per feature the guard does not compare. */
  if (self->best_epoch > 0 && metrics->loss_rec > factor * self->best_rec
      && metrics->loss_rec > 1e-30 * self->dataset->d)
    return g_strdup_printf (_ ("reconstruction loss %.4g, %.3g times its best, %.4g at epoch %u"),
                            metrics->loss_rec, metrics->loss_rec / self->best_rec, self->best_rec,
                            self->best_epoch);
  return NULL;
}

/* "; learning rate 0.001 -> 0.01 at epoch 7" for the last settings change, or "". */
static char *
describe_last_change (CsTrainer *self)
{
  g_autoptr (GString) s = g_string_new (NULL);
  guint n;
  const CsSettingDesc *descs = cs_settings_get_descs (&n);

  if (self->change_mask == 0)
    return g_strdup ("");
  for (guint i = 0; i < n; i++)
    if (descs[i].live & self->change_mask)
      {
        g_autofree char *before = cs_settings_format (&self->before_change, &descs[i]);
        g_autofree char *after = cs_settings_format (&self->settings, &descs[i]);

        g_string_append_printf (s, "%s %s %s -> %s", s->len ? "," : ";", descs[i].option, before,
                                after);
      }
  g_string_append_printf (s, _ (" at epoch %u"), self->change_epoch);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* An epoch diverged: back to the last good one. FALSE with the error when the run must end
 * (the guard ends it, or there is nothing to go back to); TRUE when it paused and continues. */
static gboolean
undo_divergence (CsTrainer *self, guint epoch, const char *reason, GError **error)
{
  g_autofree char *change = describe_last_change (self);
  g_autofree char *message
      = g_strdup_printf (_ ("diverged at epoch %u (%s%s)"), epoch, reason, change);

  /* The last good epoch goes out whole, and the guard's copy gets its layout. */
  frame_collect (self, TRUE);
  if (self->good.epoch == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_DIVERGED, _ ("%s; no earlier epoch to go back to"),
                   message);
      return FALSE;
    }
  shadow_restore (self, &self->good);
  if (!self->pause_on_divergence)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_DIVERGED, _ ("%s; epoch %u restored"), message,
                   self->good.epoch);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  self->paused = TRUE;
  g_mutex_unlock (&self->lock);
  if (self->diverged_func)
    self->diverged_func (epoch, self->good.epoch, message, self->diverged_data);
  return TRUE;
}

gboolean
cs_trainer_run (CsTrainer *self, GCancellable *cancellable, GError **error)
{
  CsDataset *ds = self->dataset;
  guint d = ds->d, m, bs, kmax;
  guint pretrain, last_epoch, epoch;
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
  if (self->resume == NULL && self->ae == NULL)
    {
      self->ae
          = cs_autoencoder_new_symmetric (d, self->settings.hidden, self->settings.n_hidden, m, bs);
      if (self->settings.init == CS_INIT_FAN_IN)
        cs_autoencoder_init_fan_in (self->ae, &self->rng);
      else
        cs_autoencoder_init_glorot (self->ae, &self->rng);
    }
  else if (self->resume == NULL && self->ae->max_batch < bs)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("the loaded model was prepared for batches of %u"), self->ae->max_batch);
      goto out;
    }
  if (self->resume == NULL)
    self->run_pretrain = self->model_loaded ? 0 : self->settings.pretrain_epochs;
  pretrain = self->run_pretrain;
  last_epoch = pretrain + self->settings.epochs;
  self->best_rec = INFINITY;
  self->best_epoch = 0;

  self->codes = g_new (float, ds->n *(gsize) m);
  self->labels = g_new0 (gint32, ds->n);
  self->prev_labels = g_new0 (gint32, ds->n);
  self->projection = cs_projection_new (m);
  self->order = g_new (guint32, ds->n);
  for (gsize i = 0; i < ds->n; i++)
    self->order[i] = (guint32) i;
  kmax = CS_MAX_K;
  d_out = g_new (float, (gsize) bs *d);
  d_code = g_new (float, (gsize) bs *m);
  d_cent = g_new (float, (gsize) kmax *m);
  work = g_new (float, 2 * (gsize) bs * kmax);

  if (self->resume != NULL)
    {
      /* Continue after the checkpoint's epoch: network, optimiser, centroids, codes, order,
       * projection and random state as they were. */
      if (!restore_state (self, self->resume, error))
        goto out;
      g_clear_pointer (&self->resume, cs_checkpoint_free);
      keep_restored_snapshot (self);
      publish_settings (self);
      if (self->settings.divergence_factor > 0)
        shadow_capture (self, &self->good, self->epoch);
    }
  else if (self->model_loaded && self->loaded_centroids && self->loaded_k == self->settings.k)
    {
      self->centroids = g_steal_pointer (&self->loaded_centroids);
      self->k = self->loaded_k;
      self->cent_m = g_new0 (float, (gsize) self->k *m);
      self->cent_v = g_new0 (float, (gsize) self->k *m);
      /* What a pretraining's last epoch would have left: DEC's and IDEC's first target is
       * computed from these codes. */
      cs_autoencoder_encode (self->ae, ds->x, ds->n, self->codes);
    }
  if (self->adaptive_threads)
    cs_thread_tuner_init (&self->tuner, cs_parallel_get_n_threads (self->ae->parallel));
  /* The network splits its work over its own threads, the same way whatever their count
   * (cs-autoencoder.c); the rest of the run calls OpenBLAS on one thread, so that no number of
   * the run depends on the count. */
  blas_threads = cs_threads_blas_solo_begin ();

  /* One loop over the run's epochs: pretraining (reconstruction alone) up to pretrain, then
   * clustering. The divergence guard may send it back to an earlier epoch. */
  for (epoch = self->start_epoch + 1; epoch <= last_epoch; epoch++)
    {
      CsEpochMetrics metrics;
      gint64 t0 = g_get_monotonic_time (), t1, t2, t3;
      gboolean pretraining = epoch <= pretrain;
      guint e = pretraining ? epoch : epoch - pretrain; /* within the phase */
      gboolean reinit = FALSE;
      g_autofree char *reason = NULL;
      g_autofree float *trained = NULL;
      guint k;

      cs_epoch_metrics_init_nan (&metrics);
      self->epoch = epoch;

      if (epoch == pretrain + 1)
        {
          /* The clustering phase starts with a fresh optimiser, as DKM's code (and its PyTorch
           * ports) create a new Adam for it: moments built up on the reconstruction alone
           * would damp the first steps of the new objective. */
          if (self->settings.optimizer == CS_OPTIMIZER_FRESH)
            cs_autoencoder_reset_adam (self->ae);
          /* A new objective: the guard compares the clustering epochs with each other. The
           * first one's reconstruction loss may well jump (20x on the synthetic glyphs) as the
           * clustering term pulls the codes; that is the method, not a divergence. */
          self->best_rec = INFINITY;
          self->best_epoch = 0;
          if (self->centroids == NULL)
            {
              /* No pretraining (or a loaded model without matching centroids): K-means on the
               * codes. */
              cs_autoencoder_encode (self->ae, ds->x, ds->n, self->codes);
              if (!reinit_centroids (self, self->settings.k, FALSE, self->settings.kmeans_n_init,
                                     epoch_seed (self, 0), cancellable, error))
                goto out;
            }
        }

      k = apply_epoch_settings (self);
      if (pretraining && k != self->settings.k)
        {
          /* A K asked for while pretraining: the picture's K-means takes it from now on. */
          self->settings.k = k;
          self->changed |= CS_SETTING_K;
          publish_settings (self);
        }
      else if (!pretraining && k != self->k)
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
      if (!train_epoch (self, epoch, pretraining ? CS_PHASE_PRETRAIN : CS_PHASE_CLUSTER,
                        self->order, d_out, d_code, d_cent, work, &metrics, cancellable))
        goto cancelled;
      t2 = g_get_monotonic_time ();

      reason = divergence_reason (self, &metrics,
                                  !pretraining && self->settings.algorithm != CS_ALGORITHM_AEKM);
      if (reason != NULL)
        {
          if (!undo_divergence (self, epoch, reason, error))
            goto out;
          epoch = self->epoch; /* the loop goes on after the restored epoch */
          if (!check_continue (self, cancellable))
            goto cancelled;
          continue;
        }

      if (!pretraining || epoch == pretrain)
        cs_autoencoder_encode (self->ae, ds->x, ds->n, self->codes);
      t3 = g_get_monotonic_time ();
      metrics.seconds_train = (t2 - t1) / 1e6;
      metrics.seconds_encode = (t3 - t2) / 1e6;

      if (pretraining)
        {
          /* Clusters for the picture from a cheap K-means (warm from the previous epoch); the
           * last pretraining epoch sets the centroids with the full n_init. */
          reinit = epoch == pretrain;
          if (!reinit_centroids (self, self->settings.k, !reinit,
                                 reinit ? self->settings.kmeans_n_init : 1,
                                 epoch_seed (self, epoch), cancellable, error))
            goto out;
        }
      else
        {
          switch (self->settings.algorithm)
            {
            case CS_ALGORITHM_ROY:
              reinit = e % self->settings.reinit_every == 0;
              break;
            case CS_ALGORITHM_AEKM:
              reinit = TRUE;
              break;
            case CS_ALGORITHM_DKM:
            case CS_ALGORITHM_DEC:
            case CS_ALGORITHM_IDEC:
            default:
              reinit = FALSE;
              break;
            }
          /* The partition of the centroids this epoch trained with, reported instead of
           * K-means' new one when asked (what the reference's code reports). */
          if (reinit && self->settings.report == CS_REPORT_EPOCH && self->centroids != NULL)
            trained = g_memdup2 (self->centroids, (gsize) self->k * m * sizeof (float));
          if (reinit
              && !reinit_centroids (self, self->k, self->settings.reinit_mode == CS_REINIT_WARM,
                                    self->settings.kmeans_n_init, epoch_seed (self, epoch),
                                    cancellable, error))
            goto out;
        }
      metrics.seconds_kmeans = pretraining || reinit ? (g_get_monotonic_time () - t3) / 1e6 : 0.0;
      metrics.seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (metrics.loss_rec < self->best_rec)
        {
          self->best_rec = metrics.loss_rec;
          self->best_epoch = epoch;
        }
      if (trained != NULL)
        {
          /* The same K: a re-initialisation keeps it. The snapshot shows those centroids. */
          float *fresh = self->centroids;

          self->centroids = trained;
          finish_epoch (self, epoch, e, CS_PHASE_CLUSTER, reinit, &metrics);
          self->centroids = fresh;
          g_clear_pointer (&trained, g_free);
        }
      else
        finish_epoch (self, epoch, e, pretraining ? CS_PHASE_PRETRAIN : CS_PHASE_CLUSTER, reinit,
                      &metrics);
      keep_checkpoint (self, epoch);
      /* DEC / IDEC stop once the labels settle: with a target at each epoch's start, the
       * labels between two updates are this epoch's and the last one's. */
      if (!pretraining && is_dec (self->settings.algorithm) && self->settings.dec_tol > 0
          && self->settings.target_every == 0 && metrics.label_change < self->settings.dec_tol)
        self->converged = TRUE;
      if (self->converged)
        {
          self->converged_epoch = epoch;
          break;
        }
    }
  /* A run that ends in pretraining (no clustering epochs) still leaves the clustering phase's
   * optimiser, as before: nothing reads it. */
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
  /* The last frame goes out before the run ends, whatever ended it: the snapshot and checkpoint
   * of every epoch that trained, as without a frame thread, and no thread left behind. */
  frame_collect (self, TRUE);
  /* Whatever the tuner chose last, the next run of this network gets every thread again. */
  if (self->adaptive_threads && self->ae != NULL && self->tuner.current != self->tuner.max)
    cs_parallel_set_n_active (self->ae->parallel, self->tuner.max);
  if (blas_threads != 0)
    cs_threads_blas_solo_end (blas_threads);
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  answer_model_tasks (self);
  /* A cs_trainer_dup_model still waiting copies the model itself now. */
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return ok;
}
