/* cs-controller.c: bridges the training thread and the main loop for one window.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-controller"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-checkpoint-cache.h"
#include "cs-controller.h"
#include "cs-dataset-load.h"
#include "cs-error.h"
#include "cs-niced-thread.h"
#include "cs-reprojector.h"
#include "cs-run.h"

/* Snapshots older than the newest few lose their latent codes (see cs_history_new()). */
#define KEEP_FULL_SNAPSHOTS 2
/* Until the checkpoint-cache-size key says otherwise. */
#define DEFAULT_CACHE_BYTES ((guint64) 2048 << 20)

/* One worker thread's view of the controller. Shared by the worker (callbacks) and the main
 * loop (deliveries), so it is refcounted; `controller` is only touched on the main thread.
 * (Not CsRun: that prefix is the run folder's, cs-run.h.) */
typedef struct
{
  gatomicrefcount ref_count;
  CsController *controller; /* NULL once the controller let go of this run */
  CsTrainer *trainer;
  GMainContext *context;
  CsCheckpointCache *cache; /* the controller's, which outlives the worker */
  const char *cache_run;    /* this run's folder in it */

  GMutex lock; /* guards the progress fields below */
  guint epoch;
  CsPhase phase;
  guint batch;
  guint n_batches;
  gboolean progress_pending;
} CsActiveRun;

struct _CsController
{
  GObject parent_instance;

  CsDataset *dataset;
  char *dataset_spec;
  guint load_serial;
  guint n_loading;

  CsSettings settings;
  char *model_path;

  CsRunState state;
  CsActiveRun *run; /* the run whose history is shown, or NULL */
  GCancellable *cancellable;
  gboolean worker_alive;
  gboolean holding_app;

  CsHistoryModel *history; /* the epochs of that run, with the cursor the views follow */

  CsCheckpointCache *cache;   /* checkpoints of the run's epochs, for branches */
  const char *cache_run;      /* the run's folder in it (branches keep it) */
  gint pending_branch;        /* history index to continue from once the worker returns, or -1 */
  CsReprojector *reprojector; /* old epochs in the projection in force */

  guint epoch;
  CsPhase phase;
  guint batch;
  guint n_batches;
};

G_DEFINE_FINAL_TYPE (CsController, cs_controller, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_LOADING,
  PROP_DATASET,
  PROP_N_HISTORY,
  N_PROPS
};

enum
{
  SNAPSHOT_ADDED,
  HISTORY_CLEARED,
  PROGRESS,
  ERROR,
  DIVERGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static CsActiveRun *
active_run_new (CsController *controller, CsTrainer *trainer)
{
  CsActiveRun *run = g_new0 (CsActiveRun, 1);

  g_atomic_ref_count_init (&run->ref_count);
  run->controller = controller;
  run->trainer = cs_trainer_ref (trainer);
  run->context = g_main_context_ref_thread_default ();
  g_mutex_init (&run->lock);
  return run;
}

static CsActiveRun *
active_run_ref (CsActiveRun *run)
{
  g_atomic_ref_count_inc (&run->ref_count);
  return run;
}

static void
active_run_unref (CsActiveRun *run)
{
  if (!g_atomic_ref_count_dec (&run->ref_count))
    return;
  cs_trainer_unref (run->trainer);
  g_main_context_unref (run->context);
  g_mutex_clear (&run->lock);
  g_free (run);
}

static void
emit_error (CsController *self, const char *title, const GError *error)
{
  g_signal_emit (self, signals[ERROR], 0, title, error ? error->message : "");
}

static void
set_state (CsController *self, CsRunState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
clear_history (CsController *self)
{
  if (cs_controller_get_n_history (self) == 0)
    return;
  cs_history_model_clear (self->history);
  g_signal_emit (self, signals[HISTORY_CLEARED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HISTORY]);
}

static void
detach_run (CsController *self)
{
  if (self->run == NULL)
    return;
  self->run->controller = NULL;
  g_clear_pointer (&self->run, active_run_unref);
}

/* Snapshots ----------------------------------------------------------------------------- */

typedef struct
{
  CsActiveRun *run;
  CsSnapshot *snapshot;
} Delivery;

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  active_run_unref (delivery->run);
  cs_snapshot_unref (delivery->snapshot);
  g_free (delivery);
}

static gboolean
deliver_snapshot (gpointer data)
{
  Delivery *delivery = data;
  CsController *self = delivery->run->controller;

  if (self == NULL || self->run != delivery->run)
    return G_SOURCE_REMOVE;

  cs_history_model_append (self->history, delivery->snapshot);
  g_signal_emit (self, signals[SNAPSHOT_ADDED], 0, cs_controller_get_n_history (self) - 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HISTORY]);
  return G_SOURCE_REMOVE;
}

/* Worker thread: runs func in the main context, always there. g_main_context_invoke_full ()
 * would run it on the calling thread itself whenever that thread could acquire the context:
 * the worker's thread-default context is the global default one, and the main thread releases
 * it between two iterations. GTK would then be called from the worker. Idle sources of one
 * priority run in the order they were attached, so deliveries keep their order. */
static void
invoke_in_main (CsActiveRun *run, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[clusterscope] training delivery");
  g_source_attach (source, run->context);
  g_source_unref (source);
}

/* Worker thread. */
static void
on_trainer_snapshot (CsSnapshot *snapshot, gpointer user_data)
{
  CsActiveRun *run = user_data;
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->run = active_run_ref (run);
  delivery->snapshot = cs_snapshot_ref (snapshot);
  invoke_in_main (run, deliver_snapshot, delivery, delivery_free);
}

/* Progress ------------------------------------------------------------------------------ */

static gboolean
deliver_progress (gpointer data)
{
  CsActiveRun *run = data;
  CsController *self = run->controller;
  guint epoch, batch, n_batches;
  CsPhase phase;

  g_mutex_lock (&run->lock);
  epoch = run->epoch;
  phase = run->phase;
  batch = run->batch;
  n_batches = run->n_batches;
  run->progress_pending = FALSE;
  g_mutex_unlock (&run->lock);

  if (self == NULL || self->run != run)
    return G_SOURCE_REMOVE;

  self->epoch = epoch;
  self->phase = phase;
  self->batch = batch;
  self->n_batches = n_batches;
  g_signal_emit (self, signals[PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

/* Worker thread: coalesced, so at most one progress idle is pending at a time. */
static void
on_trainer_progress (guint epoch, CsPhase phase, guint batch, guint n_batches, gpointer user_data)
{
  CsActiveRun *run = user_data;
  gboolean schedule;

  g_mutex_lock (&run->lock);
  run->epoch = epoch;
  run->phase = phase;
  run->batch = batch;
  run->n_batches = n_batches;
  schedule = !run->progress_pending;
  run->progress_pending = TRUE;
  g_mutex_unlock (&run->lock);

  if (schedule)
    invoke_in_main (run, deliver_progress, active_run_ref (run), (GDestroyNotify) active_run_unref);
}

/* Checkpoints and divergence --------------------------------------------------------------- */

/* Worker thread: into the cache, written on the cache's thread. */
static void
on_trainer_checkpoint (guint epoch, GBytes *bytes, gboolean notable, gpointer user_data)
{
  CsActiveRun *run = user_data;

  if (!cs_checkpoint_cache_put (run->cache, run->cache_run, epoch, bytes, notable))
    g_debug ("checkpoint of epoch %u dropped: the disk is behind", epoch);
}

typedef struct
{
  CsActiveRun *run;
  guint good_epoch;
  char *message;
} Divergence;

static void
divergence_free (gpointer data)
{
  Divergence *d = data;

  active_run_unref (d->run);
  g_free (d->message);
  g_free (d);
}

static gboolean
deliver_divergence (gpointer data)
{
  Divergence *d = data;
  CsController *self = d->run->controller;

  if (self == NULL || self->run != d->run)
    return G_SOURCE_REMOVE;
  /* The trainer paused itself at the last good epoch: the progress goes back there too. */
  if (self->state == CS_RUN_RUNNING)
    set_state (self, CS_RUN_PAUSED);
  self->epoch = d->good_epoch;
  self->batch = 0;
  g_signal_emit (self, signals[PROGRESS], 0);
  g_signal_emit (self, signals[DIVERGED], 0, d->good_epoch, d->message);
  return G_SOURCE_REMOVE;
}

/* Worker thread. */
static void
on_trainer_diverged (guint bad_epoch, guint good_epoch, const char *message, gpointer user_data)
{
  CsActiveRun *run = user_data;
  Divergence *d = g_new0 (Divergence, 1);

  d->run = active_run_ref (run);
  d->good_epoch = good_epoch;
  d->message = g_strdup (message);
  invoke_in_main (run, deliver_divergence, d, divergence_free);
}

/* The worker ------------------------------------------------------------------------------ */

static void
train_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CsActiveRun *run = task_data;
  GError *error = NULL;

  if (cs_trainer_run (run->trainer, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
train_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CsController *self = CS_CONTROLLER (object);
  CsActiveRun *run = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->worker_alive = FALSE;
  g_clear_object (&self->cancellable);

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && !g_error_matches (error, CS_ERROR, CS_ERROR_CANCELLED)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && run == self->run)
    emit_error (self, _ ("Training failed"), error);

  set_state (self, run == self->run ? CS_RUN_FINISHED : CS_RUN_IDLE);

  if (self->pending_branch >= 0 && run == self->run)
    {
      g_autoptr (GError) branch_error = NULL;
      guint index = (guint) self->pending_branch;

      self->pending_branch = -1;
      if (!cs_controller_continue_from (self, index, &branch_error))
        emit_error (self, _ ("Could not continue from that epoch"), branch_error);
    }

  if (self->holding_app)
    {
      GApplication *app = g_application_get_default ();

      self->holding_app = FALSE;
      if (app != NULL)
        g_application_release (app);
    }
}

/* The training's thread, at a lower priority than the main loop (cs-niced-thread.h). */
static GThreadPool *train_pool;

/* Runs trainer on a worker thread as the window's run; the history is the caller's to set. */
static void
start_worker (CsController *self, CsTrainer *trainer)
{
  g_autoptr (GTask) task = NULL;
  GApplication *app;

  detach_run (self);
  self->run = active_run_new (self, trainer);
  self->run->cache = self->cache;
  self->run->cache_run = self->cache_run;
  self->epoch = cs_trainer_get_start_epoch (trainer);
  self->batch = 0;
  self->n_batches = 0;
  self->phase = self->settings.pretrain_epochs > self->epoch && self->model_path == NULL
                    ? CS_PHASE_PRETRAIN
                    : CS_PHASE_CLUSTER;
  cs_trainer_set_snapshot_func (trainer, on_trainer_snapshot, self->run);
  cs_trainer_set_progress_func (trainer, on_trainer_progress, self->run);
  cs_trainer_set_checkpoint_func (trainer, 1, on_trainer_checkpoint, self->run);
  cs_trainer_set_pause_on_divergence (trainer, TRUE, on_trainer_diverged, self->run);

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, train_done, NULL);
  g_task_set_source_tag (task, cs_controller_start);
  g_task_set_name (task, "[clusterscope] training");
  g_task_set_task_data (task, active_run_ref (self->run), (GDestroyNotify) active_run_unref);
  /* cs_trainer_run() checks the cancellable itself, every batch. */
  g_task_set_return_on_cancel (task, FALSE);

  /* Quitting then waits for the worker to return instead of exiting under it. */
  app = g_application_get_default ();
  if (app != NULL)
    {
      g_application_hold (app);
      self->holding_app = TRUE;
    }

  self->worker_alive = TRUE;
  cs_niced_thread_run (&train_pool, task, train_thread);
  set_state (self, CS_RUN_RUNNING);
  g_signal_emit (self, signals[PROGRESS], 0);
}

gboolean
cs_controller_continue_from (CsController *self, guint index, GError **error)
{
  CsSnapshot *snap;
  g_autofree char *path = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  CsCheckpoint *checkpoint;
  guint epoch;

  g_return_val_if_fail (CS_IS_CONTROLLER (self), FALSE);

  snap = cs_controller_get_snapshot (self, index);
  if (snap == NULL || self->dataset == NULL || self->cache_run == NULL)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                           _ ("There is no epoch to continue from."));
      return FALSE;
    }
  if (self->worker_alive)
    {
      /* Paused (or running): stop it; the branch starts when the worker has returned. */
      self->pending_branch = (gint) index;
      cs_controller_stop (self);
      return TRUE;
    }
  epoch = snap->epoch;
  cs_checkpoint_cache_flush (self->cache);
  path = cs_checkpoint_cache_lookup (self->cache, self->cache_run, epoch);
  if (path == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_IO,
                   _ ("The checkpoint of epoch %u is no longer in the cache. A larger cache keeps "
                      "more epochs: gsettings set io.github.clusterscope.Clusterscope "
                      "checkpoint-cache-size MIB"),
                   epoch);
      return FALSE;
    }
  checkpoint = cs_checkpoint_load (path, error);
  trainer = checkpoint ? cs_trainer_new_from_checkpoint (self->dataset, checkpoint, error) : NULL;
  if (trainer == NULL)
    return FALSE;
  /* What the panel says now applies from the next epoch: that is the experiment. */
  cs_trainer_request_settings (trainer, &self->settings, cs_settings_live_mask (CS_APPLY_NEXT_RUN));

  cs_checkpoint_cache_drop_after (self->cache, self->cache_run, epoch);
  cs_history_model_truncate (self->history, index + 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HISTORY]);
  start_worker (self, trainer);
  return TRUE;
}

gboolean
cs_controller_start (CsController *self, GError **error)
{
  g_autoptr (CsTrainer) trainer = NULL;

  g_return_val_if_fail (CS_IS_CONTROLLER (self), FALSE);

  if (self->state == CS_RUN_PAUSED)
    {
      cs_controller_resume (self);
      return TRUE;
    }
  if (self->worker_alive)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                           _ ("A run is still in progress. Stop it first."));
      return FALSE;
    }
  if (self->dataset == NULL)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                           self->n_loading > 0
                               ? _ ("The dataset is still loading. Try again in a moment.")
                               : _ ("No dataset is loaded. Open a dataset first."));
      return FALSE;
    }

  trainer = cs_trainer_new (self->dataset, &self->settings, error);
  if (trainer == NULL)
    return FALSE;
  if (self->model_path != NULL && !cs_trainer_load_model (trainer, self->model_path, error))
    return FALSE;

  clear_history (self);
  self->cache_run = cs_checkpoint_cache_new_run (self->cache);
  cs_reprojector_set_source (self->reprojector, self->dataset, self->cache_run);
  start_worker (self, trainer);
  return TRUE;
}

void
cs_controller_pause (CsController *self)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));

  if (self->state != CS_RUN_RUNNING)
    return;
  cs_trainer_pause (self->run->trainer);
  set_state (self, CS_RUN_PAUSED);
}

void
cs_controller_resume (CsController *self)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));

  if (self->state != CS_RUN_PAUSED)
    return;
  cs_trainer_resume (self->run->trainer);
  set_state (self, CS_RUN_RUNNING);
}

void
cs_controller_stop (CsController *self)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));

  if (!self->worker_alive)
    return;
  g_cancellable_cancel (self->cancellable);
  if (self->run != NULL)
    cs_trainer_cancel (self->run->trainer);
  set_state (self, CS_RUN_STOPPING);
}

void
cs_controller_flush_checkpoints (CsController *self)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));
  if (self->cache != NULL)
    cs_checkpoint_cache_flush (self->cache);
}

void
cs_controller_reset (CsController *self)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));

  if (self->worker_alive)
    {
      g_cancellable_cancel (self->cancellable);
      if (self->run != NULL)
        cs_trainer_cancel (self->run->trainer);
    }
  detach_run (self);
  clear_history (self);
  cs_reprojector_clear (self->reprojector);
  self->epoch = 0;
  self->batch = 0;
  self->n_batches = 0;
  set_state (self, self->worker_alive ? CS_RUN_STOPPING : CS_RUN_IDLE);
  g_signal_emit (self, signals[PROGRESS], 0);
}

CsRunState
cs_controller_get_state (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), CS_RUN_IDLE);
  return self->state;
}

gboolean
cs_controller_is_active (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), FALSE);
  return self->worker_alive;
}

void
cs_controller_get_progress (
    CsController *self, guint *epoch, CsPhase *phase, guint *batch, guint *n_batches)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));

  if (epoch)
    *epoch = self->epoch;
  if (phase)
    *phase = self->phase;
  if (batch)
    *batch = self->batch;
  if (n_batches)
    *n_batches = self->n_batches;
}

guint
cs_controller_get_total_epochs (CsController *self)
{
  CsSettings settings;

  g_return_val_if_fail (CS_IS_CONTROLLER (self), 0);

  if (self->run != NULL)
    cs_trainer_get_settings (self->run->trainer, &settings);
  else
    settings = self->settings;
  return (self->model_path != NULL ? 0 : settings.pretrain_epochs) + settings.epochs;
}

/* Dataset --------------------------------------------------------------------------------- */

/* What load_done needs to know which request answered. */
typedef struct
{
  CsController *self; /* a reference: the load finishes even if the window closes */
  guint serial;
} LoadRequest;

static void
load_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  LoadRequest *request = user_data;
  g_autoptr (CsController) self = request->self;
  guint serial = request->serial;
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) dataset = cs_dataset_load_finish (result, &error);
  const char *spec = cs_dataset_load_get_spec (result);

  g_free (request);

  self->n_loading--;
  if (self->n_loading == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  /* A newer request superseded this one. */
  if (serial != self->load_serial)
    return;

  if (dataset == NULL)
    {
      g_autofree char *title = g_strdup_printf (_ ("Could not open “%s”"), spec);

      emit_error (self, title, error);
      return;
    }
  if (self->worker_alive)
    {
      g_autoptr (GError) busy = g_error_new_literal (
          CS_ERROR, CS_ERROR_INVALID, _ ("Stop the current run before opening another dataset."));
      emit_error (self, _ ("Dataset not changed"), busy);
      return;
    }

  g_clear_pointer (&self->dataset, cs_dataset_unref);
  self->dataset = g_steal_pointer (&dataset);
  g_free (self->dataset_spec);
  self->dataset_spec = g_strdup (spec);

  /* The history belongs to the old dataset. */
  detach_run (self);
  clear_history (self);
  set_state (self, CS_RUN_IDLE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATASET]);
}

void
cs_controller_load_dataset (CsController *self, const char *spec)
{
  CsLoadOptions options;
  LoadRequest *request;

  g_return_if_fail (CS_IS_CONTROLLER (self));
  g_return_if_fail (spec != NULL);

  if (self->worker_alive)
    {
      g_autoptr (GError) error = g_error_new_literal (
          CS_ERROR, CS_ERROR_INVALID, _ ("Stop the current run before opening another dataset."));
      emit_error (self, _ ("Dataset not changed"), error);
      return;
    }

  /* A model loaded with an earlier run belongs to that run's dataset. */
  g_clear_pointer (&self->model_path, g_free);
  self->load_serial++;
  self->n_loading++;
  request = g_new0 (LoadRequest, 1);
  request->self = g_object_ref (self);
  request->serial = self->load_serial;
  cs_load_options_init (&options);
  cs_dataset_load_async (spec, &options, NULL, load_done, request);
  if (self->n_loading == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

gboolean
cs_controller_is_loading (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), FALSE);
  return self->n_loading > 0;
}

CsDataset *
cs_controller_get_dataset (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return self->dataset;
}

const char *
cs_controller_get_dataset_spec (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return self->dataset_spec;
}

/* Settings -------------------------------------------------------------------------------- */

void
cs_controller_get_settings (CsController *self, CsSettings *out)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));
  *out = self->settings;
}

void
cs_controller_set_settings (CsController *self, const CsSettings *settings, CsSettingMask mask)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));

  self->settings = *settings;
  cs_reprojector_set_projection (self->reprojector, self->settings.projection);
  if (self->worker_alive && self->run != NULL && mask != 0)
    cs_trainer_request_settings (self->run->trainer, settings, mask);
}

static void
on_settings_changed (GSettings *gsettings, const char *key, CsController *self)
{
  const CsSettingDesc *desc = cs_settings_find_gsettings (key);
  g_autoptr (GVariant) value = NULL;

  if (g_str_equal (key, "checkpoint-cache-size"))
    cs_checkpoint_cache_set_limit (self->cache, (guint64) g_settings_get_uint (gsettings, key)
                                                    << 20);
  if (desc == NULL)
    return;
  value = g_settings_get_value (gsettings, key);
  cs_settings_set_variant (&self->settings, desc, value);
  cs_reprojector_set_projection (self->reprojector, self->settings.projection);
  if (self->worker_alive && self->run != NULL && desc->live != 0)
    cs_trainer_request_settings (self->run->trainer, &self->settings, desc->live);
}

void
cs_controller_follow_settings (CsController *self, GSettings *gsettings)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));
  g_return_if_fail (G_IS_SETTINGS (gsettings));

  cs_settings_load_gsettings (&self->settings, gsettings);
  cs_reprojector_set_projection (self->reprojector, self->settings.projection);
  cs_checkpoint_cache_set_limit (
      self->cache, (guint64) g_settings_get_uint (gsettings, "checkpoint-cache-size") << 20);
  g_signal_connect_object (gsettings, "changed", G_CALLBACK (on_settings_changed), self, 0);
}

void
cs_controller_set_model_path (CsController *self, const char *path)
{
  g_return_if_fail (CS_IS_CONTROLLER (self));
  g_free (self->model_path);
  self->model_path = g_strdup (path);
}

/* History --------------------------------------------------------------------------------- */

CsHistoryModel *
cs_controller_get_history_model (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return self->history;
}

guint
cs_controller_get_n_history (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), 0);
  return cs_history_get_n (cs_history_model_get_history (self->history));
}

CsSnapshot *const *
cs_controller_get_history (CsController *self, guint *n)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return cs_history_peek (cs_history_model_get_history (self->history), n);
}

CsSnapshot *
cs_controller_get_snapshot (CsController *self, guint index)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return cs_history_get (cs_history_model_get_history (self->history), index);
}

CsSnapshot *
cs_controller_get_latest (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return cs_history_get_latest (cs_history_model_get_history (self->history));
}

CsReprojector *
cs_controller_get_reprojector (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return self->reprojector;
}

char *
cs_controller_lookup_checkpoint (CsController *self, guint epoch, gboolean wait)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  if (self->cache_run == NULL)
    return NULL;
  if (wait)
    cs_checkpoint_cache_flush (self->cache);
  return cs_checkpoint_cache_lookup (self->cache, self->cache_run, epoch);
}

CsTrainer *
cs_controller_get_trainer (CsController *self)
{
  g_return_val_if_fail (CS_IS_CONTROLLER (self), NULL);
  return self->run ? self->run->trainer : NULL;
}

gboolean
cs_controller_get_run_to_save (CsController *self,
                               CsSettings *settings,
                               char **dataset_spec,
                               CsTrainer **trainer,
                               GError **error)
{
  CsSnapshot *latest;
  CsTrainer *current;

  g_return_val_if_fail (CS_IS_CONTROLLER (self), FALSE);

  if (self->dataset == NULL)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                           _ ("There is nothing to save yet: open a dataset and start a run."));
      return FALSE;
    }
  latest = cs_controller_get_latest (self);
  current = latest ? cs_controller_get_trainer (self) : NULL;
  *settings = latest ? latest->settings : self->settings;
  *dataset_spec = g_strdup (self->dataset_spec);
  *trainer = current ? cs_trainer_ref (current) : NULL;
  return TRUE;
}

/* GObject --------------------------------------------------------------------------------- */

static void
cs_controller_dispose (GObject *object)
{
  CsController *self = CS_CONTROLLER (object);

  /* A running task holds a reference to us, so the worker has returned by now. */
  g_assert (!self->worker_alive);
  detach_run (self);
  g_clear_object (&self->cancellable);
  /* Before the cache goes: work still on its way lets go of it first. */
  if (self->reprojector != NULL)
    cs_reprojector_shutdown (self->reprojector);

  G_OBJECT_CLASS (cs_controller_parent_class)->dispose (object);
}

static void
cs_controller_finalize (GObject *object)
{
  CsController *self = CS_CONTROLLER (object);

  g_clear_object (&self->reprojector);
  g_clear_object (&self->history);
  g_clear_pointer (&self->cache, cs_checkpoint_cache_free);
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  g_free (self->dataset_spec);
  g_free (self->model_path);

  G_OBJECT_CLASS (cs_controller_parent_class)->finalize (object);
}

static void
cs_controller_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsController *self = CS_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->n_loading > 0);
      break;
    case PROP_DATASET:
      g_value_set_pointer (value, self->dataset);
      break;
    case PROP_N_HISTORY:
      g_value_set_uint (value, cs_controller_get_n_history (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_controller_class_init (CsControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_controller_dispose;
  object_class->finalize = cs_controller_finalize;
  object_class->get_property = cs_controller_get_property;

  properties[PROP_STATE]
      = g_param_spec_int ("state", NULL, NULL, CS_RUN_IDLE, CS_RUN_FINISHED, CS_RUN_IDLE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING]
      = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATASET] = g_param_spec_pointer (
      "dataset", NULL, NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_HISTORY]
      = g_param_spec_uint ("n-history", NULL, NULL, 0, G_MAXUINT, 0,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (index of the new snapshot in the history) */
  signals[SNAPSHOT_ADDED]
      = g_signal_new ("snapshot-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[HISTORY_CLEARED] = g_signal_new ("history-cleared", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (title, message) */
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /* (good_epoch, message): training diverged, the run paused at the last good epoch. */
  signals[DIVERGED] = g_signal_new ("diverged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
cs_controller_init (CsController *self)
{
  self->history = cs_history_model_new (KEEP_FULL_SNAPSHOTS);
  cs_settings_init_default (&self->settings);
  self->cache = cs_checkpoint_cache_new (NULL, DEFAULT_CACHE_BYTES);
  self->pending_branch = -1;
  self->reprojector = cs_reprojector_new (self->history, self->cache);
  cs_reprojector_set_projection (self->reprojector, self->settings.projection);
}

CsController *
cs_controller_new (void)
{
  return g_object_new (CS_TYPE_CONTROLLER, NULL);
}
