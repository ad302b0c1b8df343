/* cs-export.c: exports as jobs on a worker, fed by snapshots and a view-state record.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-error.h"
#include "cs-export.h"
#include "cs-run.h"

static const char *const kind_names[] = {
  [CS_EXPORT_SCATTER] = "scatter",
  [CS_EXPORT_CURVES] = "curves",
  [CS_EXPORT_CONFUSION] = "confusion",
  [CS_EXPORT_DASHBOARD] = "dashboard",
  [CS_EXPORT_LABELS] = "labels",
  [CS_EXPORT_METRICS] = "metrics",
  [CS_EXPORT_RUN] = "run",
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
  char *scatter_title, *curves_title, *confusion_title;
  CsPlotStyle style;
  CsScatterParams scatter;
  CsCurvesParams curves;
  CsConfusionParams confusion;
  gboolean has_labels;
} ExportJob;

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
  g_free (job->scatter_title);
  g_free (job->curves_title);
  g_free (job->confusion_title);
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

/* The plots' parameters from the snapshots and the view state, as the views fill theirs. */
static void
export_job_fill_plots (ExportJob *job)
{
  CsDataset *dataset = job->dataset;
  CsSnapshot *shown = job->shown;
  gboolean dashboard = job->kind == CS_EXPORT_DASHBOARD;

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
  job->scatter.snapshot = shown;
  job->scatter.trail = (CsSnapshot *const *) job->trail->pdata;
  job->scatter.n_trail = job->trail->len;
  if (job->has_labels && shown != NULL && shown->n == dataset->n)
    {
      job->scatter.labels = dataset->labels;
      job->scatter.n_classes = dataset->n_classes;
      job->scatter.class_names = (const char *const *) dataset->class_names;
    }
  job->scatter.color_by = job->scatter.labels != NULL ? job->view.color_by : CS_COLOR_BY_CLUSTER;
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

  memset (&job->confusion, 0, sizeof job->confusion);
  job->confusion.snapshot = shown;
  if (dataset != NULL)
    job->confusion.class_names = (const char *const *) dataset->class_names;
  job->confusion.title = dashboard ? NULL : job->confusion_title;
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

  switch (kind)
    {
    case CS_EXPORT_LABELS:
      ready = job->shown != NULL && job->dataset != NULL;
      break;
    case CS_EXPORT_METRICS:
      ready = job->history->len > 0;
      break;
    case CS_EXPORT_RUN:
      ready = job->dataset != NULL;
      job->settings = source->settings;
      job->dataset_spec = g_strdup (source->dataset_spec);
      job->model = source->model ? g_bytes_ref (source->model) : NULL;
      break;
    case CS_EXPORT_SCATTER:
    case CS_EXPORT_CURVES:
    case CS_EXPORT_CONFUSION:
    case CS_EXPORT_DASHBOARD:
    default:
      if (!cs_plot_format_from_path (path, &job->format))
        {
          g_autofree char *name = g_path_get_basename (path);

          g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                       _ ("“%s” does not end in .png, .svg or .pdf: add one of these to choose "
                          "the format"),
                       name);
          return NULL;
        }
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
    default:
      g_assert_not_reached ();
    }
}

/* Draws or formats, and writes; safe on a worker thread. */
static gboolean
export_job_run (ExportJob *job, GError **error)
{
  CsSnapshot *const *history = (CsSnapshot *const *) job->history->pdata;

  switch (job->kind)
    {
    case CS_EXPORT_LABELS:
      return cs_run_write_labels_csv (job->path, job->dataset, job->shown, error);
    case CS_EXPORT_METRICS:
      return cs_run_write_metrics_csv (job->path, history, job->history->len, error);
    case CS_EXPORT_RUN:
      return cs_run_write_folder (job->path, &job->settings, job->dataset_spec, job->dataset,
                                  history, job->history->len, job->model, error);
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
  return job != NULL && export_job_run (job, error);
}

static void
export_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  /* Cancelled before it began: nothing is written. Once writing, it finishes the file. */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (export_job_run (task_data, &error))
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
      g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) export_job_free);
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) export_job_free);
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
