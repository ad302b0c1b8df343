/* cs-window-actions.c: the window's actions, which are the UI's API (menus, keys and tests).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-window-actions"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "cs-error.h"
#include "cs-run.h"
#include "cs-window-private.h"

/* Run -------------------------------------------------------------------------------------- */

static void
start_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr (GError) error = NULL;
  CsSettings settings;

  /* The panel is the truth for the next run, even if a spin button still has focus. */
  cs_controller_get_settings (self->controller, &settings);
  cs_controls_get_settings (self->controls, &settings);
  cs_controller_set_settings (self->controller, &settings, 0);

  if (!cs_controller_start (self->controller, &error))
    cs_window_show_error (self, _ ("Could not start training"), error->message);
}

static void
pause_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  if (cs_controller_get_state (self->controller) == CS_RUN_PAUSED)
    cs_controller_resume (self->controller);
  else
    cs_controller_pause (self->controller);
}

static void
toggle_run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  switch (cs_controller_get_state (self->controller))
    {
    case CS_RUN_RUNNING:
    case CS_RUN_PAUSED:
      pause_action (widget, action_name, param);
      break;
    case CS_RUN_STOPPING:
      break;
    case CS_RUN_IDLE:
    case CS_RUN_FINISHED:
    default:
      if (cs_controller_get_dataset (self->controller) != NULL)
        start_action (widget, action_name, param);
      break;
    }
}

static void
stop_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_controller_stop (CS_WINDOW (widget)->controller);
}

static void
reset_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_controller_reset (CS_WINDOW (widget)->controller);
}

/* Settings --------------------------------------------------------------------------------- */

static void
set_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *name = NULL;
  g_autoptr (GVariant) value = NULL;

  g_variant_get (param, "(&sv)", &name, &value);
  if (!cs_controls_set_named (self->controls, name, value))
    g_warning ("win.set: unknown setting or value for “%s”", name);
}

static void
set_lr_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_controls_set_named (CS_WINDOW (widget)->controls, "learning-rate", param);
}

static void
set_k_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_controls_set_named (CS_WINDOW (widget)->controls, "k", param);
}

/* Timeline and view ------------------------------------------------------------------------ */

static void
timeline_step_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  if (cs_controller_get_n_history (self->controller) == 0)
    return;
  cs_window_set_timeline_index (self, MAX (cs_window_get_timeline_index (self), 0)
                                          + g_variant_get_int32 (param));
}

static void
timeline_seek_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_window_set_timeline_index (CS_WINDOW (widget), g_variant_get_int32 (param));
}

static void
timeline_latest_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  cs_window_set_timeline_index (self, (gint) cs_controller_get_n_history (self->controller) - 1);
}

static void
zoom_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  if (g_str_equal (action_name, "win.zoom-in"))
    cs_scatter_view_zoom (self->scatter_view, 1.25);
  else if (g_str_equal (action_name, "win.zoom-out"))
    cs_scatter_view_zoom (self->scatter_view, 0.8);
  else
    cs_scatter_view_zoom_to_fit (self->scatter_view);
}

/* File choosers ---------------------------------------------------------------------------- */

typedef void (*ChooserDone) (CsWindow *self, GFile *file, const char *what);

static void
on_chooser_response (GtkNativeDialog *dialog, int response, CsWindow *self)
{
  ChooserDone done = g_object_get_data (G_OBJECT (dialog), "cs-done");
  const char *what = g_object_get_data (G_OBJECT (dialog), "cs-what");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        done (self, file, what);
    }
  gtk_native_dialog_destroy (dialog);
  if (self->file_chooser == dialog)
    g_clear_object (&self->file_chooser);
}

static GtkFileChooser *
open_chooser (CsWindow *self,
              const char *title,
              GtkFileChooserAction action,
              const char *accept,
              ChooserDone done,
              const char *what)
{
  GtkFileChooserNative *chooser;

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "cs-done", done);
  g_object_set_data_full (G_OBJECT (chooser), "cs-what", g_strdup (what), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  return GTK_FILE_CHOOSER (chooser);
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *const *patterns)
{
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

/* Datasets and runs ------------------------------------------------------------------------ */

static void
open_dataset_done (CsWindow *self, GFile *file, const char *what)
{
  cs_window_open_file (self, file);
}

static void
open_dataset_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *data_patterns[]
      = { "*.csv", "*.CSV", "*.npy", "*.idx*", "*-ubyte", "*-ubyte.gz", "*.gz", NULL };
  const char *all_patterns[] = { "*", NULL };
  GtkFileChooser *chooser;

  chooser = open_chooser (self, _ ("Open Dataset"), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"),
                          open_dataset_done, NULL);
  add_filter (chooser, _ ("Datasets (CSV, NumPy, IDX)"), data_patterns);
  add_filter (chooser, _ ("All Files"), all_patterns);
  gtk_native_dialog_show (self->file_chooser);
}

static void
select_dataset_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_window_select_dataset (CS_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
open_run_done (CsWindow *self, GFile *file, const char *what)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    cs_window_open_run (self, path);
}

static void
open_run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  open_chooser (self, _ ("Open Run Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _ ("_Open"),
                open_run_done, NULL);
  gtk_native_dialog_show (self->file_chooser);
}

static void
open_run_from_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_window_open_run (CS_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* Exports ---------------------------------------------------------------------------------- */

typedef enum
{
  EXPORT_SCATTER,
  EXPORT_CURVES,
  EXPORT_CONFUSION,
  EXPORT_DASHBOARD,
  EXPORT_LABELS,
  EXPORT_METRICS,
  EXPORT_RUN,
} ExportKind;

static const struct
{
  const char *name;
  ExportKind kind;
} export_kinds[] = {
  { "scatter", EXPORT_SCATTER },
  { "curves", EXPORT_CURVES },
  { "confusion", EXPORT_CONFUSION },
  { "dashboard", EXPORT_DASHBOARD },
  { "labels", EXPORT_LABELS },
  { "metrics", EXPORT_METRICS },
  { "run", EXPORT_RUN },
};

static gboolean
export_kind_from_string (const char *what, ExportKind *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (export_kinds); i++)
    if (g_str_equal (what, export_kinds[i].name))
      {
        *out = export_kinds[i].kind;
        return TRUE;
      }
  return FALSE;
}

typedef struct
{
  ExportKind kind;
  CsPlotStyle style;
  CsScatterParams scatter;
  CsCurvesParams curves;
  CsConfusionParams confusion;
  gboolean has_labels;
} ExportData;

static void
draw_export (cairo_t *cr, double width, double height, gpointer user_data)
{
  ExportData *data = user_data;

  switch (data->kind)
    {
    case EXPORT_SCATTER:
      cs_plot_scatter_draw (cr, width, height, &data->style, &data->scatter);
      break;
    case EXPORT_CURVES:
      cs_plot_curves_draw (cr, width, height, &data->style, &data->curves);
      break;
    case EXPORT_CONFUSION:
      cs_plot_confusion_draw (cr, width, height, &data->style, &data->confusion);
      break;
    case EXPORT_DASHBOARD:
      cs_plot_dashboard_draw (cr, width, height, &data->style, &data->scatter, &data->curves,
                              data->has_labels ? &data->confusion : NULL);
      break;
    case EXPORT_LABELS:
    case EXPORT_METRICS:
    case EXPORT_RUN:
    default:
      g_assert_not_reached ();
    }
}

static void
export_size (CsWindow *self, double *width, double *height)
{
  g_autofree char *size = g_settings_get_string (self->settings, "export-size");
  int w = 0, h = 0;

  if (sscanf (size, "%dx%d", &w, &h) != 2 || w < 16 || h < 16)
    {
      w = 1600;
      h = 1000;
    }
  *width = w;
  *height = h;
}

/* Everything one export needs, owned by the job: references to the immutable snapshots and
 * dataset, so the worker can draw and write while training goes on. */
typedef struct
{
  ExportKind kind;
  char *path;
  CsPlotFormat format;
  double width, height;
  ExportData data;
  CsDataset *dataset;
  CsSnapshot *shown;    /* for the labelled CSV */
  GPtrArray *snapshots; /* every other snapshot the parameters point to, referenced */
  CsSnapshot **trail;   /* copies of the pointer arrays the parameters hold */
  CsSnapshot **history;
  char *scatter_title, *curves_title, *confusion_title;
  /* A run folder: the settings in force, the dataset spec, the trainer that has the model. */
  CsSettings settings;
  char *dataset_spec;
  CsTrainer *trainer;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_free (job->path);
  g_clear_pointer (&job->dataset, cs_dataset_unref);
  g_clear_pointer (&job->shown, cs_snapshot_unref);
  g_clear_pointer (&job->snapshots, g_ptr_array_unref);
  g_free (job->trail);
  g_free (job->history);
  g_free (job->scatter_title);
  g_free (job->curves_title);
  g_free (job->confusion_title);
  g_free (job->dataset_spec);
  g_clear_pointer (&job->trainer, cs_trainer_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportJob, export_job_free)

static CsSnapshot *
job_keep (ExportJob *job, CsSnapshot *snapshot)
{
  if (snapshot != NULL)
    g_ptr_array_add (job->snapshots, cs_snapshot_ref (snapshot));
  return snapshot;
}

static CsSnapshot **
job_keep_array (ExportJob *job, CsSnapshot *const *array, guint n)
{
  CsSnapshot **copy;

  if (array == NULL || n == 0)
    return NULL;
  copy = g_new (CsSnapshot *, n);
  for (guint i = 0; i < n; i++)
    copy[i] = job_keep (job, array[i]);
  return copy;
}

/* Gathers what the export needs on the main thread; NULL with error when it cannot be done. */
static ExportJob *
export_job_new (CsWindow *self, const char *what, const char *path, GError **error)
{
  g_autoptr (ExportJob) job = g_new0 (ExportJob, 1);
  CsDataset *dataset = cs_controller_get_dataset (self->controller);
  CsSnapshot *shown = cs_scatter_view_get_snapshot (self->scatter_view);
  guint n_history = 0;
  CsSnapshot *const *history = cs_controller_get_history (self->controller, &n_history);
  ExportData *data = &job->data;

  if (!export_kind_from_string (what, &job->kind))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("Unknown export “%s”"), what);
      return NULL;
    }
  job->path = g_strdup (path);
  job->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  job->dataset = dataset ? cs_dataset_ref (dataset) : NULL;

  switch (job->kind)
    {
    case EXPORT_LABELS:
      if (shown == NULL || dataset == NULL)
        break;
      job->shown = cs_snapshot_ref (shown);
      return g_steal_pointer (&job);
    case EXPORT_METRICS:
      if (n_history == 0)
        break;
      job->history = job_keep_array (job, history, n_history);
      data->curves.n = n_history;
      return g_steal_pointer (&job);
    case EXPORT_RUN:
      if (!cs_controller_get_run_to_save (self->controller, &job->settings, &job->dataset_spec,
                                          &job->trainer, error))
        return NULL;
      job->history = job_keep_array (job, history, n_history);
      data->curves.n = n_history;
      return g_steal_pointer (&job);
    case EXPORT_SCATTER:
    case EXPORT_CURVES:
    case EXPORT_CONFUSION:
    case EXPORT_DASHBOARD:
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
      data->kind = job->kind;
      /* Exports are for papers and slides: always the light style. */
      cs_plot_style_init (&data->style, FALSE);
      cs_scatter_view_get_params (self->scatter_view, &data->scatter);
      data->scatter.highlight = -1;
      cs_curves_view_get_params (self->curves_view, &data->curves);
      cs_confusion_view_get_params (self->confusion_view, &data->confusion);
      data->has_labels = dataset != NULL && dataset->labels != NULL;
      /* The views' arrays may change while the worker draws: point at our own copies. */
      data->scatter.snapshot = job_keep (job, data->scatter.snapshot);
      job->trail = job_keep_array (job, data->scatter.trail, data->scatter.n_trail);
      data->scatter.trail = job->trail;
      job->history = job_keep_array (job, data->curves.history, data->curves.n);
      data->curves.history = job->history;
      data->confusion.snapshot = job_keep (job, data->confusion.snapshot);
      if (shown != NULL && dataset != NULL)
        {
          job->scatter_title
              = g_strdup_printf (_ ("%s — latent space, epoch %u"), dataset->name, shown->epoch);
          job->confusion_title = g_strdup_printf (_ ("%s — confusion matrix, epoch %u"),
                                                  dataset->name, shown->epoch);
        }
      if (dataset != NULL)
        job->curves_title = g_strdup_printf (_ ("%s — metrics"), dataset->name);
      data->scatter.title = job->kind == EXPORT_DASHBOARD ? NULL : job->scatter_title;
      data->curves.title = job->kind == EXPORT_DASHBOARD ? NULL : job->curves_title;
      data->confusion.title = job->kind == EXPORT_DASHBOARD ? NULL : job->confusion_title;
      export_size (self, &job->width, &job->height);
      return g_steal_pointer (&job);
    }

  g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID,
                       _ ("There is nothing to export yet: start a run first."));
  return NULL;
}

/* Draws and writes; safe on a worker thread. */
static gboolean
export_job_run (ExportJob *job, GError **error)
{
  switch (job->kind)
    {
    case EXPORT_LABELS:
      return cs_run_write_labels_csv (job->path, job->dataset, job->shown, error);
    case EXPORT_METRICS:
      return cs_run_write_metrics_csv (job->path, job->history, job->data.curves.n, error);
    case EXPORT_RUN:
      /* Waits, here on the worker, for the training thread's copy of the model. */
      return cs_run_write_folder (job->path, &job->settings, job->dataset_spec, job->dataset,
                                  job->history, job->data.curves.n, job->trainer, error);
    case EXPORT_SCATTER:
    case EXPORT_CURVES:
    case EXPORT_CONFUSION:
    case EXPORT_DASHBOARD:
    default:
      return cs_plot_export (job->path, job->format, job->width, job->height, &job->data.style,
                             draw_export, &job->data, error);
    }
}

gboolean
cs_window_export_to (CsWindow *self, const char *what, const char *path, GError **error)
{
  g_autoptr (ExportJob) job = export_job_new (self, what, path, error);

  if (job == NULL)
    return FALSE;
  return export_job_run (job, error);
}

guint
cs_window_get_n_exports_pending (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), 0);
  return self->n_exports_pending;
}

static void
export_report (CsWindow *self, gboolean is_run, const char *path, const GError *error)
{
  g_autofree char *name = g_path_get_basename (path);

  if (error != NULL)
    {
      g_autofree char *title = is_run ? g_strdup (_ ("Could not save the run"))
                                      : g_strdup_printf (_ ("Could not export “%s”"), name);

      cs_window_show_error (self, title, error->message);
    }
  else
    {
      g_autofree char *message = is_run ? g_strdup_printf (_ ("Run saved to “%s”"), name)
                                        : g_strdup_printf (_ ("Exported “%s”"), name);

      cs_window_toast (self, message);
    }
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (export_job_run (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
export_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CsWindow *self = CS_WINDOW (source);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  self->n_exports_pending--;
  g_application_release (g_application_get_default ());
  export_report (self, job->kind == EXPORT_RUN, job->path, error);
}

/* Writes on a worker thread: a 70 000-row labelled CSV takes about half a second, a PDF of
 * the dashboard longer, a run folder waits for the training thread's copy of the model (up to
 * a batch, or an epoch's encoding), and the window must not freeze meanwhile. The toast says
 * when. */
static void
export_to (CsWindow *self, const char *what, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ExportJob) job = export_job_new (self, what, path, &error);
  g_autoptr (GTask) task = NULL;

  if (job == NULL)
    {
      export_report (self, g_str_equal (what, "run"), path, error);
      return;
    }
  task = g_task_new (self, NULL, export_finished, NULL);
  g_task_set_source_tag (task, export_to);
  g_task_set_name (task, "[clusterscope] export");
  g_task_set_task_data (task, g_steal_pointer (&job), (GDestroyNotify) export_job_free);
  self->n_exports_pending++;
  /* Quitting waits for the file rather than leaving it unwritten. */
  g_application_hold (g_application_get_default ());
  g_task_run_in_thread (task, export_thread);
}

static void
save_run_done (CsWindow *self, GFile *file, const char *what)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    export_to (self, "run", path);
}

static void
save_run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M");
  g_autofree char *name = g_strdup_printf ("clusterscope-run-%s", stamp);
  GtkFileChooser *chooser;

  chooser = open_chooser (self, _ ("Save Run Folder"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"),
                          save_run_done, NULL);
  gtk_file_chooser_set_current_name (chooser, name);
  gtk_native_dialog_show (self->file_chooser);
}

static void
save_run_to_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  export_to (CS_WINDOW (widget), "run", g_variant_get_string (param, NULL));
}

static void
export_done (CsWindow *self, GFile *file, const char *what)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    export_to (self, what, path);
}

/* "scatter.png" etc.: asks where, then writes. */
static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *target = g_variant_get_string (param, NULL);
  const char *dot = strrchr (target, '.');
  g_autofree char *what = dot ? g_strndup (target, dot - target) : g_strdup (target);
  const char *ext = dot ? dot + 1 : "";
  CsSnapshot *shown = cs_scatter_view_get_snapshot (self->scatter_view);
  g_autofree char *suggested = NULL;
  const char *patterns[] = { NULL, NULL };
  g_autofree char *pattern = g_strdup_printf ("*.%s", ext);
  g_autofree char *filter_name = g_ascii_strup (ext, -1);
  GtkFileChooser *chooser;
  ExportKind kind;

  if (!export_kind_from_string (what, &kind))
    {
      g_warning ("win.export: unknown target “%s”", target);
      return;
    }
  if (shown != NULL
      && (kind == EXPORT_SCATTER || kind == EXPORT_CONFUSION || kind == EXPORT_LABELS))
    suggested = g_strdup_printf ("%s-epoch-%u.%s", what, shown->epoch, ext);
  else
    suggested = g_strdup (target);

  chooser = open_chooser (self, _ ("Export"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"),
                          export_done, what);
  gtk_file_chooser_set_current_name (chooser, suggested);
  patterns[0] = pattern;
  add_filter (chooser, filter_name, patterns);
  gtk_native_dialog_show (self->file_chooser);
}

/* ("scatter", "/path/to/file.svg"): writes without asking (for scripts and tests). */
static void
export_to_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  const char *what = NULL, *path = NULL;

  g_variant_get (param, "(&s&s)", &what, &path);
  export_to (CS_WINDOW (widget), what, path);
}

static void
export_menu_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_menu_button_popup (CS_WINDOW (widget)->export_button);
}

/* State ------------------------------------------------------------------------------------ */

void
cs_window_update_actions (CsWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  CsController *c = self->controller;
  CsRunState state = cs_controller_get_state (c);
  gboolean active = cs_controller_is_active (c);
  gboolean loading = cs_controller_is_loading (c);
  gboolean have_data = cs_controller_get_dataset (c) != NULL;
  guint n = cs_controller_get_n_history (c);

  gtk_widget_action_set_enabled (w, "win.start",
                                 have_data && !loading && (!active || state == CS_RUN_PAUSED));
  gtk_widget_action_set_enabled (w, "win.pause", state == CS_RUN_RUNNING || state == CS_RUN_PAUSED);
  gtk_widget_action_set_enabled (w, "win.stop", state == CS_RUN_RUNNING || state == CS_RUN_PAUSED);
  gtk_widget_action_set_enabled (w, "win.reset", n > 0 || (active && state != CS_RUN_STOPPING));
  gtk_widget_action_set_enabled (w, "win.open-dataset", !active);
  gtk_widget_action_set_enabled (w, "win.select-dataset", !active);
  gtk_widget_action_set_enabled (w, "win.open-run", !active);
  gtk_widget_action_set_enabled (w, "win.open-run-from", !active);
  gtk_widget_action_set_enabled (w, "win.save-run", n > 0);
  gtk_widget_action_set_enabled (w, "win.save-run-to", n > 0);
  gtk_widget_action_set_enabled (w, "win.export", n > 0);
  gtk_widget_action_set_enabled (w, "win.export-to", n > 0);
  gtk_widget_action_set_enabled (w, "win.export-menu", n > 0);
  gtk_widget_action_set_enabled (w, "win.timeline-step", n > 1);
  gtk_widget_action_set_enabled (w, "win.timeline-seek", n > 0);
  gtk_widget_action_set_enabled (w, "win.timeline-latest",
                                 n > 0 && !cs_window_get_timeline_follows (self));
}

void
cs_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-run", NULL, toggle_run_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "win.toggle-run", NULL);

  gtk_widget_class_install_action (widget_class, "win.open-dataset", NULL, open_dataset_action);
  gtk_widget_class_install_action (widget_class, "win.select-dataset", "s", select_dataset_action);
  gtk_widget_class_install_action (widget_class, "win.open-run", NULL, open_run_action);
  gtk_widget_class_install_action (widget_class, "win.open-run-from", "s", open_run_from_action);
  gtk_widget_class_install_action (widget_class, "win.save-run", NULL, save_run_action);
  gtk_widget_class_install_action (widget_class, "win.save-run-to", "s", save_run_to_action);

  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.export-to", "(ss)", export_to_action);
  gtk_widget_class_install_action (widget_class, "win.export-menu", NULL, export_menu_action);

  gtk_widget_class_install_action (widget_class, "win.set", "(sv)", set_action);
  gtk_widget_class_install_action (widget_class, "win.set-lr", "d", set_lr_action);
  gtk_widget_class_install_action (widget_class, "win.set-k", "u", set_k_action);

  gtk_widget_class_install_action (widget_class, "win.timeline-step", "i", timeline_step_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-seek", "i", timeline_seek_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-latest", NULL,
                                   timeline_latest_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "win.timeline-step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "win.timeline-step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "win.timeline-seek", "i", 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "win.timeline-latest", NULL);

  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
}

/* Space starts or pauses and Left / Right step the timeline wherever those keys have no
 * meaning of their own. GtkWindow binds the arrows to focus moves and a focused button takes
 * Space, both ahead of a class binding, so this runs in the capture phase and steps aside for
 * text fields, sliders, the settings panel and open menus. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint keyval,
                guint keycode,
                GdkModifierType state,
                CsWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  int step = 0;

  if (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left)
    step = -1;
  else if (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right)
    step = 1;
  else if (keyval != GDK_KEY_space)
    return FALSE;
  if ((state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;
  if (focus != NULL
      && (GTK_IS_EDITABLE (focus) || GTK_IS_RANGE (focus)
          || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->controls))
          || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;

  if (step == 0)
    return gtk_widget_activate_action (GTK_WIDGET (self), "win.toggle-run", NULL);
  if (cs_controller_get_n_history (self->controller) == 0)
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.timeline-step", "i", step);
  return TRUE;
}

void
cs_window_init_actions (CsWindow *self)
{
  const char *settings_keys[] = { "color-by", "export-size", "show-sidebar" };
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (keys, "cs-window-keys");
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  for (guint i = 0; i < G_N_ELEMENTS (settings_keys); i++)
    {
      g_autoptr (GAction) action = g_settings_create_action (self->settings, settings_keys[i]);

      g_action_map_add_action (G_ACTION_MAP (self), action);
    }
  cs_window_update_actions (self);
}
