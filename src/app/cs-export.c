/* cs-export.c: exports as jobs on a worker, fed by snapshots and a view-state record.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cs-animation.h"
#include "cs-error.h"
#include "cs-export.h"
#include "cs-history.h"
#include "cs-reproject.h"
#include "cs-run.h"

static const char *const kind_names[] = {
  [CS_EXPORT_SCATTER] = "scatter",
  [CS_EXPORT_CURVES] = "curves",
  [CS_EXPORT_CONFUSION] = "confusion",
  [CS_EXPORT_DASHBOARD] = "dashboard",
  [CS_EXPORT_LABELS] = "labels",
  [CS_EXPORT_METRICS] = "metrics",
  [CS_EXPORT_RUN] = "run",
  [CS_EXPORT_ANIMATION] = "animation",
  [CS_EXPORT_SELECTION] = "selection",
};

gboolean
cs_export_kind_from_string (const char *name, CsExportKind *out)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (name, kind_names[i]))
      {
        *out = (CsExportKind) i;
        return TRUE;
      }
  return FALSE;
}

void
cs_export_view_init (CsExportView *view)
{
  g_return_if_fail (view != NULL);

  memset (view, 0, sizeof *view);
  view->color_by = CS_COLOR_BY_CLUSTER;
  view->cursor = -1;
  view->width = 1600;
  view->height = 1000;
  view->fps = 4;
  view->first = 0;
  view->last = -1;
  view->animate = CS_EXPORT_SCATTER;
}

void
cs_export_source_init (CsExportSource *source)
{
  g_return_if_fail (source != NULL);

  memset (source, 0, sizeof *source);
  cs_export_view_init (&source->view);
}

/* Everything one export needs, owned by the job: references to the immutable snapshots and
 * dataset, copies of the arrays that point to them, the parameters the plots draw from. */
typedef struct
{
  CsExportKind kind;
  char *path;
  CsPlotFormat format;
  CsExportView view;
  CsDataset *dataset;
  CsSnapshot *shown;
  GPtrArray *trail;   /* CsSnapshot, referenced */
  GPtrArray *history; /* CsSnapshot, referenced */
  CsSettings settings;
  char *dataset_spec;
  GBytes *model;
  guint8 *selection; /* dataset->n bytes, or NULL */
  char *scatter_title, *curves_title, *confusion_title;
  CsPlotStyle style;
  CsScatterParams scatter;
  CsCurvesParams curves;
  CsConfusionParams confusion;
  gboolean has_labels;
  /* A compared run: its scores on the curves, its epoch beside the shown one. */
  GPtrArray *compare; /* CsSnapshot, referenced */
  char *compare_name;
  CsSnapshot *compare_shown;
  CsScatterParams compare_scatter;
  guint *colors, *compare_colors;
  char *compare_title;
  /* Animations: the frames' epochs (history[first .. first + n_frames)) and their format. */
  CsAnimationFormat animation_format;
  CsHistory *frames; /* the history again, for the centroid trails */
  guint first, n_frames;
  gboolean reproject; /* draw every frame in projection (checkpoints: n_history, or NULL) */
  CsProjectionKind projection;
  GPtrArray *checkpoints;
  /* Progress, reported from the worker to the caller's main context (see report_progress). */
  CsExportProgressFunc progress;
  gpointer progress_data;
  GDestroyNotify progress_destroy;
  GMainContext *context;
  GTask *task;                        /* while running; the task owns the job */
  gint frames_done, progress_pending; /* atomic */
} ExportJob;

static gboolean
release_progress_data (gpointer data)
{
  /* The source's destroy notify is the caller's. */
  return G_SOURCE_REMOVE;
}

static void
export_job_free (ExportJob *job)
{
  g_free (job->path);
  g_clear_pointer (&job->dataset, cs_dataset_unref);
  g_clear_pointer (&job->shown, cs_snapshot_unref);
  g_clear_pointer (&job->trail, g_ptr_array_unref);
  g_clear_pointer (&job->history, g_ptr_array_unref);
  g_free (job->dataset_spec);
  g_clear_pointer (&job->model, g_bytes_unref);
  g_free (job->selection);
  g_free (job->scatter_title);
  g_free (job->curves_title);
  g_free (job->confusion_title);
  g_clear_pointer (&job->frames, cs_history_unref);
  g_clear_pointer (&job->checkpoints, g_ptr_array_unref);
  g_clear_pointer (&job->compare, g_ptr_array_unref);
  g_free (job->compare_name);
  g_clear_pointer (&job->compare_shown, cs_snapshot_unref);
  g_free (job->colors);
  g_free (job->compare_colors);
  g_free (job->compare_title);
  /* The last reference to the task may go on the worker: the caller's data (a window, say)
   * is released in the caller's context all the same. */
  if (job->progress_destroy != NULL)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_static_name (source, "[clusterscope] export progress data");
      g_source_set_callback (source, release_progress_data, job->progress_data,
                             job->progress_destroy);
      g_source_attach (source, job->context);
      g_source_unref (source);
    }
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportJob, export_job_free)

static GPtrArray *
keep_array (CsSnapshot *const *array, guint n)
{
  GPtrArray *copy = g_ptr_array_new_full (n, (GDestroyNotify) cs_snapshot_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (copy, cs_snapshot_ref (array[i]));
  return copy;
}

/* The scatter's epoch, with the true labels when they describe its points. */
static void
export_job_set_scatter_snapshot (ExportJob *job, CsSnapshot *shown)
{
  CsDataset *dataset = job->dataset;

  job->scatter.snapshot = shown;
  job->scatter.labels = NULL;
  job->scatter.n_classes = 0;
  job->scatter.class_names = NULL;
  if (job->has_labels && shown != NULL && shown->n == dataset->n)
    {
      job->scatter.labels = dataset->labels;
      job->scatter.n_classes = dataset->n_classes;
      job->scatter.class_names = (const char *const *) dataset->class_names;
    }
  job->scatter.color_by = job->scatter.labels != NULL ? job->view.color_by : CS_COLOR_BY_CLUSTER;
  job->scatter.image_width = 0;
  job->scatter.image_height = 0;
  if (dataset != NULL && shown != NULL && shown->n == dataset->n)
    {
      job->scatter.image_width = dataset->image_width;
      job->scatter.image_height = dataset->image_height;
    }
  job->scatter.selected = NULL;
  job->scatter.n_selected = 0;
  if (job->selection != NULL && shown != NULL && shown->n == dataset->n)
    {
      job->scatter.selected = job->selection;
      job->scatter.n_selected = shown->n;
    }
}

/* The compared run's epoch beside the shown one: both titled with their run and epoch, its
 * clusters in the colours of those they match. */
static void
export_job_fill_compare_scatter (ExportJob *job)
{
  CsSnapshot *shown = job->shown, *other = job->compare_shown;
  CsDataset *dataset = job->dataset;
  guint palette_k = 0;

  g_free (job->scatter_title);
  /* Translators: a run's algorithm and seed, above its scatter beside another run's */
  job->scatter_title
      = g_strdup_printf (_ ("%s, seed %llu"), cs_algorithm_to_string (shown->settings.algorithm),
                         (unsigned long long) shown->settings.seed);
  job->scatter.title = job->scatter_title;
  job->compare_title = g_strdup (job->compare_name != NULL ? job->compare_name : "");
  cs_plot_scatter_params_init (&job->compare_scatter);
  job->compare_scatter.snapshot = other;
  if (job->has_labels && other->n == dataset->n)
    {
      job->compare_scatter.labels = dataset->labels;
      job->compare_scatter.n_classes = dataset->n_classes;
      job->compare_scatter.class_names = (const char *const *) dataset->class_names;
    }
  job->compare_scatter.color_by
      = job->compare_scatter.labels != NULL ? job->view.color_by : CS_COLOR_BY_CLUSTER;
  if (other->n == dataset->n)
    {
      job->compare_scatter.image_width = dataset->image_width;
      job->compare_scatter.image_height = dataset->image_height;
    }
  job->compare_scatter.title = job->compare_title;
  if (job->selection != NULL && other->n == dataset->n)
    {
      job->compare_scatter.selected = job->selection;
      job->compare_scatter.n_selected = other->n;
    }
  job->colors = g_new (guint, shown->k);
  job->compare_colors = g_new (guint, other->k);
  if (cs_plot_scatter_match_colors (shown, other, job->colors, job->compare_colors, &palette_k))
    {
      job->scatter.cluster_colors = job->colors;
      job->scatter.n_cluster_colors = shown->k;
      job->compare_scatter.cluster_colors = job->compare_colors;
      job->compare_scatter.n_cluster_colors = other->k;
      job->scatter.palette_k = job->compare_scatter.palette_k = palette_k;
    }
}

/* The plots' parameters from the snapshots and the view state, as the views fill theirs. */
static void
export_job_fill_plots (ExportJob *job)
{
  CsDataset *dataset = job->dataset;
  CsSnapshot *shown = job->shown;
  gboolean dashboard
      = job->kind == CS_EXPORT_DASHBOARD
        || (job->kind == CS_EXPORT_ANIMATION && job->view.animate == CS_EXPORT_DASHBOARD);

  /* Exports are for papers and slides: always the light style. */
  cs_plot_style_init (&job->style, FALSE);
  job->has_labels = dataset != NULL && dataset->labels != NULL;

  if (shown != NULL && dataset != NULL)
    {
      job->scatter_title
          = g_strdup_printf (_ ("%s — latent space, epoch %u"), dataset->name, shown->epoch);
      job->confusion_title
          = g_strdup_printf (_ ("%s — confusion matrix, epoch %u"), dataset->name, shown->epoch);
    }
  if (dataset != NULL)
    job->curves_title = g_strdup_printf (_ ("%s — metrics"), dataset->name);

  cs_plot_scatter_params_init (&job->scatter);
  job->scatter.trail = (CsSnapshot *const *) job->trail->pdata;
  job->scatter.n_trail = job->trail->len;
  export_job_set_scatter_snapshot (job, shown);
  job->scatter.view = job->view.zoom;
  job->scatter.empty_message
      = dataset == NULL ? _ ("Open a dataset to begin") : _ ("No data yet — press Start");
  job->scatter.title = dashboard ? NULL : job->scatter_title;

  memset (&job->curves, 0, sizeof job->curves);
  job->curves.history = (CsSnapshot *const *) job->history->pdata;
  job->curves.n = job->history->len;
  job->curves.cursor = job->view.cursor < (gint) job->history->len ? job->view.cursor : -1;
  job->curves.show_losses = TRUE;
  job->curves.title = dashboard ? NULL : job->curves_title;

  if (job->compare->len > 0)
    {
      job->curves.compare = (CsSnapshot *const *) job->compare->pdata;
      job->curves.n_compare = job->compare->len;
      job->curves.compare_name = job->compare_name;
    }
  /* Animations draw one run. */
  if (job->compare_shown != NULL && shown != NULL && job->kind == CS_EXPORT_SCATTER)
    export_job_fill_compare_scatter (job);

  memset (&job->confusion, 0, sizeof job->confusion);
  job->confusion.snapshot = shown;
  if (dataset != NULL)
    job->confusion.class_names = (const char *const *) dataset->class_names;
  job->confusion.title = dashboard ? NULL : job->confusion_title;
}

/* Animations ------------------------------------------------------------------------------ */

/* Fitted: the frames share one fit, so the axes stay still and the points move. */
static void
export_job_fit_frames (ExportJob *job)
{
  CsSnapshot *const *history = (CsSnapshot *const *) job->history->pdata;

  if (job->view.zoom.x0 == job->view.zoom.x1)
    {
      CsViewport all = { 0 };
      gboolean any = FALSE;

      for (guint i = job->first; i < job->first + job->n_frames; i++)
        {
          CsViewport fit;

          cs_plot_scatter_fit (history[i], &fit);
          if (!(fit.x1 > fit.x0 && fit.y1 > fit.y0))
            continue;
          if (!any)
            all = fit;
          all.x0 = MIN (all.x0, fit.x0);
          all.y0 = MIN (all.y0, fit.y0);
          all.x1 = MAX (all.x1, fit.x1);
          all.y1 = MAX (all.y1, fit.y1);
          any = TRUE;
        }
      job->scatter.view = all;
    }
}

/* The frames' range and a viewport for all of them; FALSE with an error that says what to do. */
static gboolean
export_job_prepare_animation (ExportJob *job, GError **error)
{
  CsSnapshot *const *history = (CsSnapshot *const *) job->history->pdata;
  gint n = (gint) job->history->len;
  gint first = MAX (job->view.first, 0);
  gint last = job->view.last < 0 ? n + job->view.last : MIN (job->view.last, n - 1);
  g_autofree char *name = g_path_get_basename (job->path);

  if (!cs_animation_format_from_path (job->path, &job->animation_format))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("“%s” does not end in .webm or .gif: add one of these to choose the "
                      "format"),
                   name);
      return FALSE;
    }
  if (first > last)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("Cannot export “%s”: the run has %d epochs, none in the range chosen"), name,
                   n);
      return FALSE;
    }
  if (job->view.animate != CS_EXPORT_DASHBOARD)
    job->view.animate = CS_EXPORT_SCATTER;
  job->first = (guint) first;
  job->n_frames = (guint) (last - first + 1);
  job->frames = cs_history_new (MAX (job->history->len, 1));
  for (guint i = 0; i < job->history->len; i++)
    cs_history_append (job->frames, history[i]);
  export_job_fit_frames (job);
  return TRUE;
}

/* On the worker, before the first frame: the epochs of the frames (and of the trails behind
 * them) made in another projection than job->projection, re-projected one after the other,
 * each aligned with (or continued from) the one before, as the trainer chains its frames. An
 * epoch that cannot be re-projected (no codes, no checkpoint) stays as it was drawn. FALSE
 * only when cancelled. */
static gboolean
export_job_reproject_frames (ExportJob *job, GCancellable *cancellable, GError **error)
{
  g_autoptr (CsReprojection) prev = NULL;
  guint from
      = job->first > CS_PLOT_SCATTER_TRAIL_LENGTH ? job->first - CS_PLOT_SCATTER_TRAIL_LENGTH : 0;
  gboolean any = FALSE;

  for (guint i = from; i < job->first + job->n_frames; i++)
    {
      CsSnapshot *epoch = g_ptr_array_index (job->history, i);
      const char *path = job->checkpoints != NULL && i < job->checkpoints->len
                             ? g_ptr_array_index (job->checkpoints, i)
                             : NULL;
      g_autoptr (GError) local = NULL;
      CsReprojectOptions options;
      CsReprojection *r = NULL;

      if (epoch->settings.projection == job->projection)
        {
          g_clear_pointer (&prev, cs_reprojection_free);
          continue;
        }
      cs_reproject_options_init (&options, job->projection);
      if (prev != NULL)
        {
          options.align_to = prev->basis;
          options.tsne_layout = prev->layout;
          options.tsne_n = prev->layout_n;
        }
      if (epoch->codes != NULL)
        r = cs_reproject (epoch, epoch->codes, epoch->m, &options, cancellable, &local);
      else if (path != NULL)
        r = cs_reproject_checkpoint (job->dataset, path, epoch, &options, cancellable, &local);
      if (g_cancellable_is_cancelled (cancellable))
        {
          cs_reprojection_free (r);
          return !g_cancellable_set_error_if_cancelled (cancellable, error);
        }
      g_clear_pointer (&prev, cs_reprojection_free);
      if (r == NULL)
        {
          g_debug ("animation: epoch %u stays as it was drawn: %s", epoch->epoch,
                   local != NULL ? local->message : "no checkpoint");
          continue;
        }
      g_ptr_array_index (job->history, i) = cs_snapshot_ref (r->snapshot);
      cs_snapshot_unref (epoch);
      prev = r;
      any = TRUE;
    }
  if (any)
    export_job_fit_frames (job);
  return TRUE;
}

/* "Fashion-MNIST — epoch 12 · ACC 0.612 · NMI 0.587 · ARI 0.452": a frame says which epoch it
 * is and how good the clusters are, as the window's header and curves do (the scatter's own
 * caption gives the phase), short enough for a 640-pixel frame. */
static char *
animation_title (ExportJob *job, const CsSnapshot *shown)
{
  const CsEpochMetrics *mt = &shown->metrics;
  const struct
  {
    const char *name;
    double value;
  } metrics[] = { { "ACC", mt->acc }, { "NMI", mt->nmi }, { "ARI", mt->ari } };
  GString *title = g_string_new (NULL);

  g_string_printf (title, _ ("%s — epoch %u"), job->dataset->name, shown->epoch);
  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (!isnan (metrics[i].value))
      g_string_append_printf (title, " · %s %.3f", metrics[i].name, metrics[i].value);
  return g_string_free (title, FALSE);
}

/* Frame i is the epoch history[first + i], drawn as the window draws it there: centroid trails
 * from the clustering epochs before it, the curves' cursor on it. */
static void
draw_animation_frame (cairo_t *cr, double width, double height, guint frame, gpointer user_data)
{
  ExportJob *job = user_data;
  guint index = job->first + frame;
  CsSnapshot *shown = g_ptr_array_index (job->history, index);
  guint trail_start = cs_history_get_trail_start (job->frames, index, CS_PLOT_SCATTER_TRAIL_LENGTH);

  export_job_set_scatter_snapshot (job, shown);
  job->scatter.trail = (CsSnapshot *const *) job->history->pdata + trail_start;
  job->scatter.n_trail = index - trail_start;
  g_free (job->scatter_title);
  job->scatter_title = animation_title (job, shown);
  job->scatter.title = job->scatter_title;
  job->curves.cursor = (gint) index;
  job->confusion.snapshot = shown;

  if (job->view.animate == CS_EXPORT_DASHBOARD)
    cs_plot_dashboard_draw (cr, width, height, &job->style, &job->scatter, &job->curves,
                            job->has_labels ? &job->confusion : NULL);
  else
    cs_plot_scatter_draw (cr, width, height, &job->style, &job->scatter);
}

/* In the caller's main context: the latest count, unless the export has already finished. */
static gboolean
report_progress (gpointer data)
{
  GTask *task = data;
  ExportJob *job = g_task_get_task_data (task);

  g_atomic_int_set (&job->progress_pending, 0);
  if (!g_task_get_completed (task))
    job->progress ((guint) g_atomic_int_get (&job->frames_done), job->n_frames, job->progress_data);
  return G_SOURCE_REMOVE;
}

/* On the worker, after each frame: one report at a time on its way, holding the task (and so
 * the job and the caller's progress data) until it has run. */
static void
animation_progress (guint done, guint total, gpointer user_data)
{
  ExportJob *job = user_data;
  GSource *source;

  if (job->progress == NULL || job->task == NULL)
    return;
  g_atomic_int_set (&job->frames_done, (gint) done);
  if (!g_atomic_int_compare_and_exchange (&job->progress_pending, 0, 1))
    return;
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[clusterscope] export progress");
  g_source_set_callback (source, report_progress, g_object_ref (job->task), g_object_unref);
  g_source_attach (source, job->context);
  g_source_unref (source);
}

static gboolean
export_job_write_animation (ExportJob *job, GCancellable *cancellable, GError **error)
{
  CsAnimationParams params;

  if (job->reproject && !export_job_reproject_frames (job, cancellable, error))
    return FALSE;
  cs_animation_params_init (&params);
  params.format = job->animation_format;
  params.width = (guint) ceil (job->view.width);
  params.height = (guint) ceil (job->view.height);
  params.fps = job->view.fps;
  params.n_frames = job->n_frames;
  params.style = &job->style;
  params.draw = draw_animation_frame;
  params.progress = animation_progress;
  params.user_data = job;
  return cs_animation_write (job->path, &params, cancellable, error);
}

/* Checks the request and takes what the job needs; NULL with an error that says what to do. */
static ExportJob *
export_job_new (CsExportKind kind, const char *path, const CsExportSource *source, GError **error)
{
  g_autoptr (ExportJob) job = g_new0 (ExportJob, 1);
  gboolean ready;

  job->kind = kind;
  job->path = g_strdup (path);
  job->view = source->view;
  job->dataset = source->dataset ? cs_dataset_ref (source->dataset) : NULL;
  job->shown = source->shown ? cs_snapshot_ref (source->shown) : NULL;
  job->trail = keep_array (source->trail, source->trail ? source->n_trail : 0);
  job->history = keep_array (source->history, source->history ? source->n_history : 0);
  job->compare = keep_array (source->compare, source->compare ? source->n_compare : 0);
  job->compare_name = g_strdup (source->compare_name);
  job->compare_shown = source->compare_shown ? cs_snapshot_ref (source->compare_shown) : NULL;
  if (source->selection != NULL && job->dataset != NULL)
    job->selection = g_memdup2 (source->selection, job->dataset->n);
  job->reproject = source->reproject;
  job->projection = source->projection;
  if (source->reproject && source->checkpoints != NULL)
    {
      job->checkpoints = g_ptr_array_new_full (source->n_history, g_free);
      for (guint i = 0; i < source->n_history; i++)
        g_ptr_array_add (job->checkpoints, g_strdup (source->checkpoints[i]));
    }

  switch (kind)
    {
    case CS_EXPORT_LABELS:
      ready = job->shown != NULL && job->dataset != NULL;
      break;
    case CS_EXPORT_METRICS:
      ready = job->history->len > 0;
      break;
    case CS_EXPORT_SELECTION:
      if (job->shown != NULL && job->dataset != NULL && job->selection == NULL)
        {
          g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                               _ ("No points are selected: select some in the latent space "
                                  "first."));
          return NULL;
        }
      ready = job->shown != NULL && job->dataset != NULL;
      break;
    case CS_EXPORT_RUN:
      ready = job->dataset != NULL;
      job->settings = source->settings;
      job->dataset_spec = g_strdup (source->dataset_spec);
      job->model = source->model ? g_bytes_ref (source->model) : NULL;
      break;
    case CS_EXPORT_ANIMATION:
      ready = job->history->len > 0 && job->dataset != NULL;
      if (ready)
        {
          export_job_fill_plots (job);
          if (!export_job_prepare_animation (job, error))
            return NULL;
        }
      break;
    case CS_EXPORT_SCATTER:
    case CS_EXPORT_CURVES:
    case CS_EXPORT_CONFUSION:
    case CS_EXPORT_DASHBOARD:
    default:
      if (!cs_plot_format_for_path (path, &job->format, error))
        return NULL;
      export_job_fill_plots (job);
      ready = TRUE;
      break;
    }
  if (!ready)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                           kind == CS_EXPORT_RUN
                               ? _ ("There is nothing to save yet: open a dataset and start a run.")
                               : _ ("There is nothing to export yet: start a run first."));
      return NULL;
    }
  return g_steal_pointer (&job);
}

static void
draw_export (cairo_t *cr, double width, double height, gpointer user_data)
{
  ExportJob *job = user_data;

  switch (job->kind)
    {
    case CS_EXPORT_SCATTER:
      if (job->compare_scatter.snapshot != NULL)
        cs_plot_scatter_draw_pair (cr, width, height, &job->style, &job->scatter,
                                   &job->compare_scatter);
      else
        cs_plot_scatter_draw (cr, width, height, &job->style, &job->scatter);
      break;
    case CS_EXPORT_CURVES:
      cs_plot_curves_draw (cr, width, height, &job->style, &job->curves);
      break;
    case CS_EXPORT_CONFUSION:
      cs_plot_confusion_draw (cr, width, height, &job->style, &job->confusion);
      break;
    case CS_EXPORT_DASHBOARD:
      cs_plot_dashboard_draw (cr, width, height, &job->style, &job->scatter, &job->curves,
                              job->has_labels ? &job->confusion : NULL);
      break;
    case CS_EXPORT_LABELS:
    case CS_EXPORT_METRICS:
    case CS_EXPORT_RUN:
    case CS_EXPORT_ANIMATION:
    case CS_EXPORT_SELECTION:
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  const CsPlotStyle *style;
  const CsSnapshot *snapshot;
  guint w, h;
} PrototypesDraw;

static void
draw_prototypes (cairo_t *cr, double width, double height, gpointer user_data)
{
  const PrototypesDraw *d = user_data;

  cs_plot_prototypes_draw (cr, width, height, d->style, d->snapshot, d->w, d->h);
}

gboolean
cs_export_write_prototypes (const char *dir,
                            const CsDataset *dataset,
                            CsSnapshot *const *history,
                            guint n_history,
                            GError **error)
{
  g_autofree char *path = NULL;
  CsPlotStyle style;
  PrototypesDraw d;
  double width, height;

  g_return_val_if_fail (dir != NULL, FALSE);

  if (dataset == NULL || n_history == 0
      || !cs_plot_prototypes_size (history[n_history - 1], dataset->image_width,
                                   dataset->image_height, &width, &height))
    return TRUE;
  cs_plot_style_init (&style, FALSE);
  d = (PrototypesDraw){ &style, history[n_history - 1], dataset->image_width,
                        dataset->image_height };
  path = g_build_filename (dir, "prototypes.png", NULL);
  return cs_plot_export (path, CS_PLOT_PNG, width, height, &style, draw_prototypes, &d, error);
}

/* Draws or formats, and writes; safe on a worker thread. Only an animation, which takes
 * seconds, checks cancellable (between frames). */
static gboolean
export_job_run (ExportJob *job, GCancellable *cancellable, GError **error)
{
  CsSnapshot *const *history = (CsSnapshot *const *) job->history->pdata;

  switch (job->kind)
    {
    case CS_EXPORT_LABELS:
      return cs_run_write_labels_csv (job->path, job->dataset, job->shown, error);
    case CS_EXPORT_SELECTION:
      return cs_run_write_labels_csv_rows (job->path, job->dataset, job->shown, job->selection,
                                           error);
    case CS_EXPORT_METRICS:
      return cs_run_write_metrics_csv (job->path, history, job->history->len, error);
    case CS_EXPORT_RUN:
      return cs_run_write_folder (job->path, &job->settings, job->dataset_spec, job->dataset,
                                  history, job->history->len, job->model, error)
             && cs_export_write_prototypes (job->path, job->dataset, history, job->history->len,
                                            error);
    case CS_EXPORT_ANIMATION:
      return export_job_write_animation (job, cancellable, error);
    case CS_EXPORT_SCATTER:
    case CS_EXPORT_CURVES:
    case CS_EXPORT_CONFUSION:
    case CS_EXPORT_DASHBOARD:
    default:
      return cs_plot_export (job->path, job->format, job->view.width, job->view.height, &job->style,
                             draw_export, job, error);
    }
}

gboolean
cs_export_write (CsExportKind kind, const char *path, const CsExportSource *source, GError **error)
{
  g_autoptr (ExportJob) job = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  job = export_job_new (kind, path, source, error);
  return job != NULL && export_job_run (job, NULL, error);
}

static void
export_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  gboolean ok;

  /* Cancelled before it began: nothing is written. Once writing, it finishes the file, but
   * for an animation, which gives up between frames. */
  if (g_task_return_error_if_cancelled (task))
    return;
  job->task = task;
  ok = export_job_run (job, cancellable, &error);
  job->task = NULL;
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Writes on a worker: a 70 000-row labelled CSV takes about half a second, a PDF of the
 * dashboard longer, and the window must not freeze meanwhile. */
void
cs_export_async (CsExportKind kind,
                 const char *path,
                 const CsExportSource *source,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  cs_export_async_with_progress (kind, path, source, NULL, NULL, NULL, cancellable, callback,
                                 user_data);
}

void
cs_export_async_with_progress (CsExportKind kind,
                               const char *path,
                               const CsExportSource *source,
                               CsExportProgressFunc progress,
                               gpointer progress_data,
                               GDestroyNotify progress_destroy,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (ExportJob) job = NULL;
  GError *error = NULL;

  g_return_if_fail (path != NULL);
  g_return_if_fail (source != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_export_async);
  g_task_set_name (task, "[clusterscope] export");
  job = export_job_new (kind, path, source, &error);
  if (job == NULL)
    {
      /* The report still needs to know what and where. */
      job = g_new0 (ExportJob, 1);
      job->kind = kind;
      job->path = g_strdup (path);
    }
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_destroy = progress_destroy;
  job->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) export_job_free);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_run_in_thread (task, export_thread);
}

gboolean
cs_export_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_export_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

CsExportKind
cs_export_get_kind (GAsyncResult *result)
{
  ExportJob *job = g_task_get_task_data (G_TASK (result));

  return job->kind;
}

const char *
cs_export_get_path (GAsyncResult *result)
{
  ExportJob *job = g_task_get_task_data (G_TASK (result));

  return job->path;
}
