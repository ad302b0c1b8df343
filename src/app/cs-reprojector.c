/* cs-reprojector.c: past epochs drawn again in the projection in force, lazily, off the main
 * thread.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-reprojector"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-error.h"
#include "cs-history.h"
#include "cs-niced-thread.h"
#include "cs-plot.h"
#include "cs-reproject.h"
#include "cs-reprojector.h"
#include "cs-tsne.h"

/* Scrubbing moves the cursor many times a second: work starts once it rests this long. */
#define SETTLE_MS 40

/* A re-projected epoch. */
typedef struct
{
  guint epoch;
  CsProjectionKind kind;
  CsReprojection *reprojection;
  GPtrArray *trail; /* small snapshots: the trail's centroids in the same projection */
  guint64 used;     /* when it was last looked up */
} Frame;

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  cs_reprojection_free (frame->reprojection);
  g_clear_pointer (&frame->trail, g_ptr_array_unref);
  g_free (frame);
}

/* An epoch that cannot be re-projected: its checkpoint is gone (in any projection), or the
 * work failed (in kind). */
typedef struct
{
  CsReprojectState state;
  CsProjectionKind kind;
  char *message;
} Unavailable;

static void
unavailable_free (gpointer data)
{
  Unavailable *u = data;

  g_free (u->message);
  g_free (u);
}

struct _CsReprojector
{
  GObject parent_instance;

  CsHistoryModel *history;
  GMutex cache_lock;        /* the work's look-ups against cs_reprojector_shutdown */
  CsCheckpointCache *cache; /* borrowed; NULL once shut down */
  CsDataset *dataset;
  const char *cache_run;
  CsProjectionKind kind;

  GPtrArray *frames;       /* Frame, at most CS_REPROJECTOR_MAX_FRAMES */
  GHashTable *unavailable; /* epoch -> Unavailable */
  guint64 clock;           /* for the frames' use */
  guint generation;        /* bumped when the frames are forgotten: late work is dropped */

  GCancellable *cancellable; /* of the work under way, or NULL */
  guint work_epoch;
  CsProjectionKind work_kind;
  guint settle_id;

  CsReprojectState state; /* of the epoch at the cursor */
  const char *error;      /* its Unavailable's message, or NULL */
};

G_DEFINE_FINAL_TYPE (CsReprojector, cs_reprojector, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PROJECTION,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update (CsReprojector *self);

/* Frames ----------------------------------------------------------------------------------- */

static Frame *
find_frame (CsReprojector *self, guint epoch, CsProjectionKind kind)
{
  for (guint i = 0; i < self->frames->len; i++)
    {
      Frame *frame = g_ptr_array_index (self->frames, i);

      if (frame->epoch == epoch && frame->kind == kind)
        return frame;
    }
  return NULL;
}

static void
add_frame (CsReprojector *self, Frame *frame)
{
  frame->used = ++self->clock;
  g_ptr_array_add (self->frames, frame);
  while (self->frames->len > CS_REPROJECTOR_MAX_FRAMES)
    {
      guint oldest = 0;

      for (guint i = 1; i < self->frames->len; i++)
        if (((Frame *) g_ptr_array_index (self->frames, i))->used
            < ((Frame *) g_ptr_array_index (self->frames, oldest))->used)
          oldest = i;
      g_ptr_array_remove_index_fast (self->frames, oldest);
    }
}

CsSnapshot *
cs_reprojector_lookup (CsReprojector *self,
                       CsSnapshot *epoch,
                       CsReprojectState *state,
                       CsSnapshot *const **trail,
                       guint *n_trail)
{
  CsReprojectState dummy;
  Frame *frame;
  Unavailable *u;

  g_return_val_if_fail (CS_IS_REPROJECTOR (self), NULL);

  state = state != NULL ? state : &dummy;
  if (trail != NULL)
    *trail = NULL;
  if (n_trail != NULL)
    *n_trail = 0;
  if (epoch == NULL || epoch->settings.projection == self->kind)
    {
      *state = CS_REPROJECT_NONE;
      return NULL;
    }
  frame = find_frame (self, epoch->epoch, self->kind);
  if (frame != NULL && frame->reprojection->snapshot->n == epoch->n)
    {
      frame->used = ++self->clock;
      *state = CS_REPROJECT_READY;
      if (trail != NULL && frame->trail != NULL)
        *trail = (CsSnapshot *const *) frame->trail->pdata;
      if (n_trail != NULL && frame->trail != NULL)
        *n_trail = frame->trail->len;
      return frame->reprojection->snapshot;
    }
  u = g_hash_table_lookup (self->unavailable, GUINT_TO_POINTER (epoch->epoch));
  if (u != NULL && (u->state == CS_REPROJECT_MISSING || u->kind == self->kind))
    *state = u->state;
  else
    *state = CS_REPROJECT_WORKING;
  return NULL;
}

GPtrArray *
cs_reprojector_dup_history (CsReprojector *self, CsSnapshot *const *history, guint n)
{
  GPtrArray *out = g_ptr_array_new_full (n, (GDestroyNotify) cs_snapshot_unref);

  g_return_val_if_fail (CS_IS_REPROJECTOR (self), out);

  for (guint i = 0; i < n; i++)
    {
      CsSnapshot *frame = cs_reprojector_lookup (self, history[i], NULL, NULL, NULL);

      g_ptr_array_add (out, cs_snapshot_ref (frame != NULL ? frame : history[i]));
    }
  return out;
}

/* Work ------------------------------------------------------------------------------------- */

/* What one re-projection reads (referenced or copied: the main loop goes on meanwhile) and
 * what it makes. */
typedef struct
{
  guint generation;
  CsReprojector *self; /* the task's source object, so alive while the work runs */
  char *cache_run;
  CsDataset *dataset;
  CsSnapshot *epoch;
  CsProjectionKind kind;
  CsProjection *align_to;
  double *layout;
  gsize layout_n;
  GPtrArray *trail_in; /* CsSnapshot: the epochs whose centroids trail behind this one */

  CsReprojection *result;
  GPtrArray *trail;
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  g_free (work->cache_run);
  g_clear_pointer (&work->dataset, cs_dataset_unref);
  g_clear_pointer (&work->epoch, cs_snapshot_unref);
  cs_projection_free (work->align_to);
  g_free (work->layout);
  g_clear_pointer (&work->trail_in, g_ptr_array_unref);
  cs_reprojection_free (work->result);
  g_clear_pointer (&work->trail, g_ptr_array_unref);
  g_free (work);
}

/* A linear frame's centroid trail: each earlier epoch's centroids through this frame's basis,
 * in snapshots that carry nothing else. */
static GPtrArray *
project_trail (GPtrArray *epochs, const CsProjection *basis, CsProjectionKind kind)
{
  GPtrArray *trail = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);

  for (guint i = 0; i < epochs->len; i++)
    {
      CsSnapshot *e = g_ptr_array_index (epochs, i);
      CsSnapshot *t = cs_snapshot_new (0, e->m, e->k, 0, FALSE);

      cs_snapshot_copy_epoch (t, e);
      t->settings.projection = kind;
      memcpy (t->centroids, e->centroids, (gsize) e->k * e->m * sizeof (float));
      cs_projection_apply (basis, e->centroids, e->k, t->centroids_xy);
      g_ptr_array_add (trail, t);
    }
  return trail;
}

static void
work_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Work *work = task_data;
  CsReprojectOptions options;
  GError *error = NULL;

  cs_reproject_options_init (&options, work->kind);
  options.align_to = work->align_to;
  options.tsne_layout = work->layout;
  options.tsne_n = work->layout_n;
  if (work->epoch->codes != NULL)
    work->result = cs_reproject (work->epoch, work->epoch->codes, work->epoch->m, &options,
                                 cancellable, &error);
  else
    {
      g_autofree char *path = NULL;

      CsReprojector *self = work->self;

      g_mutex_lock (&self->cache_lock);
      if (self->cache != NULL && work->cache_run != NULL)
        {
          path = cs_checkpoint_cache_lookup (self->cache, work->cache_run, work->epoch->epoch);
          /* Not there yet: it may still be on its way to the disk (while training goes on,
           * the queue is never empty for long, so this waits only when it has to). */
          if (path == NULL)
            {
              cs_checkpoint_cache_flush (self->cache);
              path = cs_checkpoint_cache_lookup (self->cache, work->cache_run, work->epoch->epoch);
            }
        }
      g_mutex_unlock (&self->cache_lock);
      if (path == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                   _ ("The checkpoint of epoch %u is no longer in the cache"),
                                   work->epoch->epoch);
          return;
        }
      work->result = cs_reproject_checkpoint (work->dataset, path, work->epoch, &options,
                                              cancellable, &error);
    }
  if (work->result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (work->result->basis != NULL && work->trail_in != NULL)
    work->trail = project_trail (work->trail_in, work->result->basis, work->kind);
  g_task_return_boolean (task, TRUE);
}

/* The work runs on a thread of its own, at a lower priority than the main loop
 * (cs-niced-thread.h): a cold t-SNE keeps a core busy for seconds. One job at a time, in order:
 * work that was cancelled meanwhile returns at once. */
static void
run_work (GTask *task)
{
  static GThreadPool *pool;

  cs_niced_thread_run (&pool, task, work_thread);
}

static void
work_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CsReprojector *self = CS_REPROJECTOR (object);
  Work *work = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (g_task_get_cancellable (G_TASK (result)) == self->cancellable)
    {
      g_clear_object (&self->cancellable);
      self->work_epoch = 0;
    }
  if (work->generation != self->generation)
    return;
  if (ok && find_frame (self, work->epoch->epoch, work->kind) != NULL)
    ; /* cancelled late, and made again meanwhile: one is enough */
  else if (ok)
    {
      Frame *frame = g_new0 (Frame, 1);

      frame->epoch = work->epoch->epoch;
      frame->kind = work->kind;
      frame->reprojection = g_steal_pointer (&work->result);
      frame->trail = g_steal_pointer (&work->trail);
      g_hash_table_remove (self->unavailable, GUINT_TO_POINTER (frame->epoch));
      add_frame (self, frame);
    }
  else if (!g_error_matches (error, CS_ERROR, CS_ERROR_CANCELLED)
           && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      Unavailable *u = g_new0 (Unavailable, 1);

      u->state = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? CS_REPROJECT_MISSING
                                                                           : CS_REPROJECT_FAILED;
      u->kind = work->kind;
      u->message = g_strdup (error->message);
      g_debug ("epoch %u: %s", work->epoch->epoch, error->message);
      g_hash_table_replace (self->unavailable, GUINT_TO_POINTER (work->epoch->epoch), u);
    }
  else
    return;
  g_signal_emit (self, signals[CHANGED], 0);
  update (self);
}

/* Of the frames already laid out in kind, the one nearest to epoch (the cache's, or for t-SNE
 * also an epoch the trainer laid out itself): PCA and LDA align with it, t-SNE continues from
 * it, as the trainer goes from one epoch to the next. */
static void
find_neighbour (CsReprojector *self, CsSnapshot *epoch, Work *work)
{
  Frame *best = NULL;
  guint best_distance = G_MAXUINT;
  CsSnapshot *best_made = NULL;

  for (guint i = 0; i < self->frames->len; i++)
    {
      Frame *frame = g_ptr_array_index (self->frames, i);
      guint distance = (guint) ABS ((gint) frame->epoch - (gint) epoch->epoch);

      if (frame->kind == work->kind && distance < best_distance)
        best = frame, best_distance = distance;
    }
  if (work->kind == CS_PROJECTION_TSNE)
    {
      CsTsneOptions options;
      guint n;
      CsSnapshot *const *made = cs_history_peek (cs_history_model_get_history (self->history), &n);

      /* The trainer's frames are its layouts when it laid out every point (no sample). */
      cs_tsne_options_init (&options);
      for (guint i = 0; i < n; i++)
        {
          guint distance = (guint) ABS ((gint) made[i]->epoch - (gint) epoch->epoch);

          if (made[i]->settings.projection == CS_PROJECTION_TSNE && made[i]->n == epoch->n
              && (options.max_points == 0 || made[i]->n <= options.max_points)
              && distance < best_distance)
            best = NULL, best_made = made[i], best_distance = distance;
        }
    }
  if (best_made != NULL)
    {
      work->layout_n = best_made->n;
      work->layout = g_new (double, 2 * best_made->n);
      for (gsize i = 0; i < 2 * best_made->n; i++)
        work->layout[i] = best_made->xy[i];
    }
  else if (best != NULL && best->reprojection->layout != NULL)
    {
      work->layout_n = best->reprojection->layout_n;
      work->layout = g_memdup2 (best->reprojection->layout, 2 * work->layout_n * sizeof (double));
    }
  else if (best != NULL && best->reprojection->basis != NULL)
    {
      const CsProjection *b = best->reprojection->basis;

      work->align_to = cs_projection_new (b->m);
      memcpy (work->align_to->mean, b->mean, b->m * sizeof (double));
      memcpy (work->align_to->basis, b->basis, 2 * (gsize) b->m * sizeof (double));
      work->align_to->valid = b->valid;
    }
}

static void
cancel_work (CsReprojector *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->work_epoch = 0;
}

static gboolean
start_work (gpointer data)
{
  CsReprojector *self = data;
  CsSnapshot *epoch;
  CsHistory *history;
  CsReprojectState state;
  g_autoptr (GTask) task = NULL;
  Work *work;
  gint position;

  self->settle_id = 0;
  if (self->history == NULL)
    return G_SOURCE_REMOVE;
  epoch = cs_history_model_get_current (self->history);
  history = cs_history_model_get_history (self->history);
  cs_reprojector_lookup (self, epoch, &state, NULL, NULL);
  if (state != CS_REPROJECT_WORKING || self->dataset == NULL || self->cancellable != NULL)
    return G_SOURCE_REMOVE;

  work = g_new0 (Work, 1);
  work->generation = self->generation;
  work->self = self;
  work->cache_run = g_strdup (self->cache_run);
  work->dataset = cs_dataset_ref (self->dataset);
  work->epoch = cs_snapshot_ref (epoch);
  work->kind = self->kind;
  find_neighbour (self, epoch, work);
  position = cs_history_model_get_position (self->history);
  if (work->kind != CS_PROJECTION_TSNE && position > 0)
    {
      guint first = cs_history_get_trail_start (history, position, CS_PLOT_SCATTER_TRAIL_LENGTH);

      work->trail_in = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
      for (guint i = first; i < (guint) position; i++)
        g_ptr_array_add (work->trail_in, cs_snapshot_ref (cs_history_get (history, i)));
    }

  self->cancellable = g_cancellable_new ();
  self->work_epoch = epoch->epoch;
  self->work_kind = self->kind;
  task = g_task_new (self, self->cancellable, work_done, NULL);
  g_task_set_source_tag (task, start_work);
  g_task_set_name (task, "[clusterscope] re-projection");
  g_task_set_task_data (task, work, work_free);
  run_work (task);
  return G_SOURCE_REMOVE;
}

/* The cursor, the projection or the frames changed: the state of the epoch at the cursor, and
 * the work it needs (outdated work is cancelled). */
static void
update (CsReprojector *self)
{
  CsSnapshot *epoch;
  CsReprojectState state;
  Unavailable *u;

  if (self->history == NULL)
    return;
  epoch = cs_history_model_get_current (self->history);
  cs_reprojector_lookup (self, epoch, &state, NULL, NULL);
  if (self->cancellable != NULL
      && (state != CS_REPROJECT_WORKING || self->work_epoch != epoch->epoch
          || self->work_kind != self->kind))
    cancel_work (self);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (state == CS_REPROJECT_WORKING && self->cancellable == NULL)
    self->settle_id = g_timeout_add (SETTLE_MS, start_work, self);

  u = epoch != NULL ? g_hash_table_lookup (self->unavailable, GUINT_TO_POINTER (epoch->epoch))
                    : NULL;
  self->error = state == CS_REPROJECT_MISSING || state == CS_REPROJECT_FAILED ? u->message : NULL;
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* API -------------------------------------------------------------------------------------- */

void
cs_reprojector_clear (CsReprojector *self)
{
  g_return_if_fail (CS_IS_REPROJECTOR (self));

  cancel_work (self);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->generation++;
  g_ptr_array_set_size (self->frames, 0);
  g_hash_table_remove_all (self->unavailable);
  g_signal_emit (self, signals[CHANGED], 0);
  update (self);
}

void
cs_reprojector_set_source (CsReprojector *self, CsDataset *dataset, const char *cache_run)
{
  g_return_if_fail (CS_IS_REPROJECTOR (self));

  if (dataset == self->dataset && cache_run == self->cache_run)
    return;
  if (dataset != NULL)
    cs_dataset_ref (dataset);
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  self->dataset = dataset;
  self->cache_run = cache_run;
  cs_reprojector_clear (self);
}

void
cs_reprojector_set_projection (CsReprojector *self, CsProjectionKind kind)
{
  g_return_if_fail (CS_IS_REPROJECTOR (self));

  if (kind == self->kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECTION]);
  g_signal_emit (self, signals[CHANGED], 0);
  update (self);
}

CsProjectionKind
cs_reprojector_get_projection (CsReprojector *self)
{
  g_return_val_if_fail (CS_IS_REPROJECTOR (self), CS_PROJECTION_PCA);
  return self->kind;
}

CsReprojectState
cs_reprojector_get_state (CsReprojector *self)
{
  g_return_val_if_fail (CS_IS_REPROJECTOR (self), CS_REPROJECT_NONE);
  return self->state;
}

const char *
cs_reprojector_get_error (CsReprojector *self)
{
  g_return_val_if_fail (CS_IS_REPROJECTOR (self), NULL);
  return self->error;
}

static void
on_current (CsHistoryModel *history, GParamSpec *pspec, CsReprojector *self)
{
  update (self);
}

/* Epochs forgotten (a new run, a branch from an earlier epoch): their numbers will be used
 * again by other epochs. A light copy replacing a full snapshot is the same epoch. */
static void
on_items_changed (GListModel *list, guint position, guint removed, guint added, CsReprojector *self)
{
  if (removed > added)
    cs_reprojector_clear (self);
}

void
cs_reprojector_shutdown (CsReprojector *self)
{
  g_return_if_fail (CS_IS_REPROJECTOR (self));

  cancel_work (self);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  g_mutex_lock (&self->cache_lock);
  self->cache = NULL;
  g_mutex_unlock (&self->cache_lock);
}

/* GObject ---------------------------------------------------------------------------------- */

static void
cs_reprojector_dispose (GObject *object)
{
  cs_reprojector_shutdown (CS_REPROJECTOR (object));

  G_OBJECT_CLASS (cs_reprojector_parent_class)->dispose (object);
}

static void
cs_reprojector_finalize (GObject *object)
{
  CsReprojector *self = CS_REPROJECTOR (object);

  g_ptr_array_unref (self->frames);
  g_hash_table_unref (self->unavailable);
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  g_mutex_clear (&self->cache_lock);

  G_OBJECT_CLASS (cs_reprojector_parent_class)->finalize (object);
}

static void
cs_reprojector_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsReprojector *self = CS_REPROJECTOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_PROJECTION:
      g_value_set_int (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_reprojector_class_init (CsReprojectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_reprojector_dispose;
  object_class->finalize = cs_reprojector_finalize;
  object_class->get_property = cs_reprojector_get_property;

  properties[PROP_STATE] = g_param_spec_int (
      "state", NULL, NULL, CS_REPROJECT_NONE, CS_REPROJECT_FAILED, CS_REPROJECT_NONE,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECTION] = g_param_spec_int (
      "projection", NULL, NULL, CS_PROJECTION_PCA, CS_PROJECTION_TSNE, CS_PROJECTION_PCA,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A frame became ready or unavailable, or the projection in force changed: redraw. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
}

static void
cs_reprojector_init (CsReprojector *self)
{
  self->frames = g_ptr_array_new_with_free_func (frame_free);
  self->unavailable = g_hash_table_new_full (NULL, NULL, NULL, unavailable_free);
  g_mutex_init (&self->cache_lock);
}

CsReprojector *
cs_reprojector_new (CsHistoryModel *history, CsCheckpointCache *cache)
{
  CsReprojector *self;

  g_return_val_if_fail (CS_IS_HISTORY_MODEL (history), NULL);
  g_return_val_if_fail (cache != NULL, NULL);

  self = g_object_new (CS_TYPE_REPROJECTOR, NULL);
  self->history = g_object_ref (history);
  self->cache = cache;
  g_signal_connect_object (history, "notify::current", G_CALLBACK (on_current), self,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (history, "items-changed", G_CALLBACK (on_items_changed), self,
                           G_CONNECT_DEFAULT);
  return self;
}
