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
#include "cs-export.h"
#include "cs-kchoice-dialog.h"
#include "cs-run.h"
#include "cs-window-private.h"

/* Run -------------------------------------------------------------------------------------- */

static void
start_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr (GError) error = NULL;

  /* What is typed in a spin button that still has focus counts too. */
  cs_controls_commit (self->controls);

  if (!cs_controller_start (self->controller, &error))
    cs_window_show_error (self, _ ("Could not start training"), error->message);
}

/* The timeline's epoch becomes the run's last: training continues from its checkpoint. */
static void
continue_from_epoch_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr (GError) error = NULL;
  gint index = cs_window_get_timeline_index (self);

  cs_controls_commit (self->controls);
  cs_window_dismiss_divergence (self);
  if (index < 0 || !cs_controller_continue_from (self->controller, (guint) index, &error))
    cs_window_show_error (self, _ ("Could not continue from that epoch"),
                          error ? error->message : _ ("There is no epoch to continue from."));
}

/* After a divergence: the settings of the last good epoch go back into the panel (and so to
 * the paused run), and the timeline shows that epoch. Resuming then continues from it. */
static void
restore_epoch_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  guint epoch = self->diverged_good_epoch, n = 0, n_descs;
  CsSnapshot *const *history = cs_controller_get_history (self->controller, &n);
  const CsSettingDesc *descs = cs_settings_get_descs (&n_descs);
  g_autofree char *message = NULL;

  for (guint i = 0; i < n; i++)
    if (history[i]->epoch == epoch)
      {
        for (guint d = 0; d < n_descs; d++)
          if (descs[d].live != 0 && descs[d].live != CS_SETTING_DIVERGENCE_FACTOR
              && descs[d].gsettings != NULL)
            g_settings_set_value (self->settings, descs[d].gsettings,
                                  cs_settings_get_variant (&history[i]->settings, &descs[d]));
        cs_window_set_timeline_index (self, (gint) i);
        break;
      }
  cs_window_dismiss_divergence (self);
  message
      = g_strdup_printf (_ ("The settings of epoch %u are back; press Start to continue"), epoch);
  cs_window_toast (self, message);
}

/* The run in the window becomes the comparison: its scores stay on the curves, dashed, and its
 * epochs beside the next run's, while the next runs train (roy against dkm, one seed against
 * another). Its snapshots are shared, not copied. */
static void
compare_with_run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  guint n = 0;
  CsSnapshot *const *history = cs_controller_get_history (self->controller, &n);
  g_autoptr (CsHistory) copy = cs_history_new (G_MAXUINT);
  g_autofree char *name = NULL;

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    cs_history_append (copy, history[i]);
  /* Translators: the run kept for comparison: its algorithm and seed */
  name = g_strdup_printf (_ ("%s, seed %llu"),
                          cs_algorithm_to_string (history[n - 1]->settings.algorithm),
                          (unsigned long long) history[n - 1]->settings.seed);
  cs_window_set_comparison (self, copy, name);
}

static void
clear_comparison_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_window_set_comparison (CS_WINDOW (widget), NULL, NULL);
}

static void
dismiss_divergence_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_window_dismiss_divergence (CS_WINDOW (widget));
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

/* K-means over a range of K on the codes of the epoch shown (or of the newest epoch that
 * still has its codes), in its own window. */
static void
choose_k_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);
  /* The epoch itself: a re-projected frame of it has no codes. */
  CsSnapshot *snapshot = cs_plot_view_get_snapshot (CS_PLOT_VIEW (self->scatter_view));
  CsSettings settings;

  if (snapshot == NULL || snapshot->codes == NULL)
    snapshot = cs_controller_get_latest (self->controller);
  if (snapshot == NULL || snapshot->codes == NULL)
    {
      cs_window_toast (self, _ ("Train at least one epoch to choose K"));
      return;
    }
  if (self->kchoice_dialog == NULL)
    {
      self->kchoice_dialog = GTK_WINDOW (cs_kchoice_dialog_new (GTK_WINDOW (self), self->settings));
      g_object_add_weak_pointer (G_OBJECT (self->kchoice_dialog),
                                 (gpointer *) &self->kchoice_dialog);
    }
  cs_controller_get_settings (self->controller, &settings);
  cs_kchoice_dialog_start (CS_KCHOICE_DIALOG (self->kchoice_dialog), snapshot, settings.seed);
  gtk_window_present (self->kchoice_dialog);
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

/* Selection -------------------------------------------------------------------------------- */

static void
select_all_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_selection_select_all (CS_WINDOW (widget)->selection);
}

static void
select_none_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  cs_selection_clear (CS_WINDOW (widget)->selection);
}

/* ("rectangle" | "lasso" | "none"): the tool a drag in the scatter uses. The toggle of the
 * tool in use turns it off, and drags pan again. */
static void
select_tool_activate (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  g_autoptr (GVariant) state = g_action_get_state (G_ACTION (action));
  const char *tool = g_variant_get_string (param, NULL);
  CsSelectTool value = CS_SELECT_TOOL_NONE;

  if (g_str_equal (tool, g_variant_get_string (state, NULL)))
    tool = "none";
  if (g_str_equal (tool, "rectangle"))
    value = CS_SELECT_TOOL_RECTANGLE;
  else if (g_str_equal (tool, "lasso"))
    value = CS_SELECT_TOOL_LASSO;
  else
    tool = "none";
  g_simple_action_set_state (action, g_variant_new_string (tool));
  cs_scatter_view_set_select_tool (self->scatter_view, value);
}

static void
select_cell_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  guint klass = 0, cluster = 0;

  g_variant_get (param, "(uu)", &klass, &cluster);
  cs_window_select_cell (CS_WINDOW (widget), klass, cluster, CS_SELECT_REPLACE);
}

/* File choosers ---------------------------------------------------------------------------- */

typedef void (*ChooserDone) (CsWindow *self, GFile *file, const char *what);

/* A name typed without an extension takes the chosen filter's ("anim" with the GIF filter:
 * anim.gif), since the extension is what chooses the format. Takes file. */
static GFile *
with_filter_extension (GtkFileChooser *chooser, GFile *file)
{
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const char *ext = filter ? g_object_get_data (G_OBJECT (filter), "cs-extension") : NULL;
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *named = NULL;

  if (gtk_file_chooser_get_action (chooser) != GTK_FILE_CHOOSER_ACTION_SAVE || ext == NULL
      || parent == NULL || strchr (name, '.') != NULL)
    return file;
  named = g_strdup_printf ("%s.%s", name, ext);
  g_object_unref (file);
  return g_file_get_child (parent, named);
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, CsWindow *self)
{
  ChooserDone done = g_object_get_data (G_OBJECT (dialog), "cs-done");
  const char *what = g_object_get_data (G_OBJECT (dialog), "cs-what");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        {
          file = with_filter_extension (GTK_FILE_CHOOSER (dialog), file);
          done (self, file, what);
        }
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
  if (g_str_has_prefix (patterns[0], "*.") && strpbrk (patterns[0] + 2, "*?[") == NULL)
    g_object_set_data_full (G_OBJECT (filter), "cs-extension", g_strdup (patterns[0] + 2), g_free);
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
      = { "*.csv", "*.CSV",  "*.tsv",   "*.TSV",      "*.csv.gz", "*.tsv.gz",
          "*.npy", "*.idx*", "*-ubyte", "*-ubyte.gz", "*.gz",     NULL };
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

static void
compare_with_saved_run_done (CsWindow *self, GFile *file, const char *what)
{
  g_autofree char *path = g_file_get_path (file);
  CsDataset *dataset = cs_controller_get_dataset (self->controller);
  g_autoptr (CsHistory) history = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  if (path == NULL)
    return;
  history = cs_run_read_history (path, dataset != NULL ? dataset->n : 0, &name, &error);
  if (history == NULL)
    {
      g_autofree char *title = g_strdup_printf (_ ("Could not compare with “%s”"), path);

      cs_window_show_error (self, title, error->message);
      return;
    }
  cs_window_set_comparison (self, history, name);
  if (cs_history_get_latest (history)->n == 0)
    cs_window_toast (self, _ ("The saved run's scores are on the curves; its points are of "
                              "another dataset, so they are not shown beside"));
}

static void
compare_with_saved_run_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  open_chooser (self, _ ("Compare with a Saved Run"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                _ ("_Compare"), compare_with_saved_run_done, NULL);
  gtk_native_dialog_show (self->file_chooser);
}

/* For scripts and tests: the run folder at param, without the chooser. */
static void
compare_with_saved_run_from_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  g_autoptr (GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));

  compare_with_saved_run_done (CS_WINDOW (widget), file, NULL);
}

/* Exports ---------------------------------------------------------------------------------- */

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

/* What the window shows, as an export takes it: the snapshots on screen and the view state.
 * Borrowed: cs_export_async keeps its own references. */
static void
fill_export_source (CsWindow *self, CsExportSource *source)
{
  CsScatterParams scatter;
  CsCurvesParams curves;

  cs_export_source_init (source);
  cs_scatter_view_get_params (self->scatter_view, &scatter);
  cs_curves_view_get_params (self->curves_view, &curves);
  source->dataset = cs_controller_get_dataset (self->controller);
  source->shown = scatter.snapshot;
  source->trail = scatter.trail;
  source->n_trail = scatter.n_trail;
  source->history = cs_controller_get_history (self->controller, &source->n_history);
  source->view.zoom = scatter.view;
  source->view.color_by = scatter.color_by;
  source->view.cursor = curves.cursor;
  source->compare = curves.compare;
  source->n_compare = curves.n_compare;
  source->compare_name = curves.compare_name;
  if (cs_window_get_side_by_side (self))
    source->compare_shown = cs_scatter_view_get_snapshot (self->compare_scatter_view);
  /* The emphasis the scatter shows, and what "selection" writes. */
  if (cs_selection_get_count (self->selection) > 0)
    source->selection = cs_selection_get_mask (self->selection);
  export_size (self, &source->view.width, &source->view.height);
}

static GPtrArray *animation_reproject (CsWindow *self, CsExportSource *source);

/* A run folder takes each epoch in the projection in force where its frame is ready: its
 * labels.csv then has the x, y on screen, and config.json names the projection they are in. */
static GPtrArray *
run_history (CsController *controller, CsExportSource *source)
{
  guint n = 0;
  CsSnapshot *const *history = cs_controller_get_history (controller, &n);
  GPtrArray *frames
      = cs_reprojector_dup_history (cs_controller_get_reprojector (controller), history, n);

  source->history = (CsSnapshot *const *) frames->pdata;
  source->n_history = frames->len;
  if (frames->len > 0)
    source->settings.projection
        = ((CsSnapshot *) g_ptr_array_index (frames, frames->len - 1))->settings.projection;
  return frames;
}

gboolean
cs_window_export_to (CsWindow *self, const char *what, const char *path, GError **error)
{
  CsExportSource source;
  CsExportKind kind;
  g_autofree char *spec = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  g_autoptr (GBytes) model = NULL;
  g_autoptr (GPtrArray) frames = NULL, checkpoints = NULL;

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);

  if (!cs_export_kind_from_string (what, &kind))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("Unknown export “%s”"), what);
      return FALSE;
    }
  fill_export_source (self, &source);
  if (kind == CS_EXPORT_RUN)
    {
      if (!cs_controller_get_run_to_save (self->controller, &source.settings, &spec, &trainer,
                                          error))
        return FALSE;
      /* Blocking, for scripts and tests: waits for the training thread's copy of the model. */
      if (trainer != NULL && (model = cs_trainer_dup_model (trainer, error)) == NULL)
        return FALSE;
      source.dataset_spec = spec;
      source.model = model;
      frames = run_history (self->controller, &source);
    }
  if (kind == CS_EXPORT_ANIMATION)
    checkpoints = animation_reproject (self, &source);
  return cs_export_write (kind, path, &source, error);
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

  /* Closed meanwhile (a run folder waits for the training thread, which closing stops): the
   * file is written all the same, and only a failure is worth a word. */
  if (self->controller == NULL)
    {
      if (error != NULL)
        g_warning ("Could not write “%s”: %s", path, error->message);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_ ("Export of “%s” cancelled"), name);

      cs_window_toast (self, message);
    }
  else if (error != NULL)
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

/* An export is pending from the action until its report; quitting waits for the file rather
 * than leaving it unwritten. */
static void
export_begin (CsWindow *self)
{
  self->n_exports_pending++;
  g_application_hold (g_application_get_default ());
}

static void
export_end (CsWindow *self, gboolean is_run, const char *path, const GError *error)
{
  self->n_exports_pending--;
  g_application_release (g_application_get_default ());
  export_report (self, is_run, path, error);
}

static void
export_finished (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CsWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  cs_export_finish (result, &error);
  export_end (self, cs_export_get_kind (result) == CS_EXPORT_RUN, cs_export_get_path (result),
              error);
}

/* A run folder waits for the model's bytes, which the training thread publishes at the end of
 * its epoch (at once when paused or idle), and then is written on a worker like any export. */
typedef struct
{
  CsWindow *self;
  CsController *controller; /* the window's, kept should the window close meanwhile */
  char *path;
  CsSettings settings;
  char *dataset_spec;
} SaveRun;

static void
save_run_free (SaveRun *save)
{
  g_clear_object (&save->self);
  g_clear_object (&save->controller);
  g_free (save->path);
  g_free (save->dataset_spec);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveRun, save_run_free)

static void
save_run_write (SaveRun *save, GBytes *model)
{
  CsExportSource source;
  g_autoptr (GPtrArray) frames = NULL;

  /* The history as it is now: it includes the epoch the model comes from. A run folder needs
   * no view state, and the views may be gone by now. */
  cs_export_source_init (&source);
  source.dataset = cs_controller_get_dataset (save->controller);
  source.settings = save->settings;
  frames = run_history (save->controller, &source);
  source.dataset_spec = save->dataset_spec;
  source.model = model;
  cs_export_async (CS_EXPORT_RUN, save->path, &source, NULL, export_finished,
                   g_object_ref (save->self));
}

static void
save_run_model_ready (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SaveRun) save = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) model = cs_trainer_dup_model_finish (result, &error);

  if (model == NULL)
    export_end (save->self, TRUE, save->path, error);
  else
    save_run_write (save, model);
}

static void
save_run (CsWindow *self, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SaveRun) save = g_new0 (SaveRun, 1);
  g_autoptr (CsTrainer) trainer = NULL;

  if (!cs_controller_get_run_to_save (self->controller, &save->settings, &save->dataset_spec,
                                      &trainer, &error))
    {
      export_report (self, TRUE, path, error);
      return;
    }
  save->self = g_object_ref (self);
  save->controller = g_object_ref (self->controller);
  save->path = g_strdup (path);
  export_begin (self);
  if (trainer != NULL)
    {
      /* An epoch of 70 000 images takes seconds: say why nothing is written yet. */
      if (cs_controller_get_state (self->controller) == CS_RUN_RUNNING)
        cs_window_toast (self, _ ("The run will be saved when this epoch ends"));
      cs_trainer_dup_model_async (trainer, NULL, save_run_model_ready, g_steal_pointer (&save));
    }
  else
    save_run_write (save, NULL);
}

/* Animations: one at a time, with a toast that counts the frames and can cancel. */
static void
animation_progress (guint done, guint total, gpointer user_data)
{
  CsWindow *self = user_data;
  g_autofree char *title = NULL;

  if (self->animation_toast == NULL)
    return;
  title = g_strdup_printf (_ ("Writing the animation: frame %u of %u"), done, total);
  adw_toast_set_title (self->animation_toast, title);
}

static void
animation_finished (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CsWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  cs_export_finish (result, &error);
  if (self->animation_toast != NULL && self->controller != NULL)
    adw_toast_dismiss (self->animation_toast);
  g_clear_object (&self->animation_toast);
  g_clear_object (&self->animation_cancellable);
  export_end (self, FALSE, cs_export_get_path (result), error);
}

/* The frame rate, the epochs and what each frame draws, as the Export menu's animation
 * submenu chose them. */
static void
animation_view (CsWindow *self, CsExportSource *source)
{
  g_autofree char *epochs = g_settings_get_string (self->settings, "animation-epochs");
  g_autofree char *content = g_settings_get_string (self->settings, "animation-content");

  source->view.fps = g_settings_get_uint (self->settings, "animation-fps");
  source->view.animate
      = g_str_equal (content, "dashboard") ? CS_EXPORT_DASHBOARD : CS_EXPORT_SCATTER;
  source->view.first = 0;
  source->view.last = -1;
  if (g_str_equal (epochs, "clustering"))
    {
      guint first = 0;

      while (first < source->n_history && source->history[first]->phase != CS_PHASE_CLUSTER)
        first++;
      /* Before any clustering epoch, the animation has them all rather than none. */
      if (first < source->n_history)
        source->view.first = (gint) first;
    }
  else if (g_str_equal (epochs, "to-shown"))
    source->view.last = MAX (cs_window_get_timeline_index (self), 0);
}

/* Every frame in the projection in force, as the scatter shows the epochs: the job re-projects
 * on its worker, from the checkpoints in the window's cache (their paths, returned). */
static GPtrArray *
animation_reproject (CsWindow *self, CsExportSource *source)
{
  GPtrArray *paths = g_ptr_array_new_full (source->n_history, g_free);

  source->reproject = TRUE;
  source->projection
      = cs_reprojector_get_projection (cs_controller_get_reprojector (self->controller));
  for (guint i = 0; i < source->n_history; i++)
    g_ptr_array_add (paths, source->history[i]->settings.projection != source->projection
                                    && source->history[i]->codes == NULL
                                ? cs_controller_lookup_checkpoint (self->controller,
                                                                   source->history[i]->epoch, FALSE)
                                : NULL);
  source->checkpoints = (const char *const *) paths->pdata;
  return paths;
}

static void
export_animation (CsWindow *self, const char *path)
{
  CsExportSource source;
  AdwToast *toast;
  g_autoptr (GPtrArray) checkpoints = NULL;

  if (self->animation_cancellable != NULL)
    {
      cs_window_toast (self, _ ("An animation is being written: wait for it or cancel it first"));
      return;
    }
  fill_export_source (self, &source);
  animation_view (self, &source);
  checkpoints = animation_reproject (self, &source);
  toast = adw_toast_new (_ ("Writing the animation"));
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_button_label (toast, _ ("Cancel"));
  adw_toast_set_action_name (toast, "win.cancel-animation");
  self->animation_toast = g_object_ref (toast);
  self->animation_cancellable = g_cancellable_new ();
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  export_begin (self);
  cs_export_async_with_progress (CS_EXPORT_ANIMATION, path, &source, animation_progress,
                                 g_object_ref (self), g_object_unref, self->animation_cancellable,
                                 animation_finished, g_object_ref (self));
}

static void
cancel_animation_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->animation_cancellable != NULL)
    g_cancellable_cancel (self->animation_cancellable);
}

static void
export_to (CsWindow *self, const char *what, const char *path)
{
  CsExportSource source;
  CsExportKind kind;

  if (!cs_export_kind_from_string (what, &kind))
    {
      g_autoptr (GError) error
          = g_error_new (CS_ERROR, CS_ERROR_INVALID, _ ("Unknown export “%s”"), what);

      export_report (self, FALSE, path, error);
      return;
    }
  if (kind == CS_EXPORT_RUN)
    {
      save_run (self, path);
      return;
    }
  if (kind == CS_EXPORT_ANIMATION)
    {
      export_animation (self, path);
      return;
    }
  fill_export_source (self, &source);
  export_begin (self);
  cs_export_async (kind, path, &source, NULL, export_finished, g_object_ref (self));
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
  CsExportKind kind;

  if (!cs_export_kind_from_string (what, &kind))
    {
      g_warning ("win.export: unknown target “%s”", target);
      return;
    }
  if (shown != NULL
      && (kind == CS_EXPORT_SCATTER || kind == CS_EXPORT_CONFUSION || kind == CS_EXPORT_LABELS
          || kind == CS_EXPORT_SELECTION))
    suggested = g_strdup_printf ("%s-epoch-%u.%s", what, shown->epoch, ext);
  else
    suggested = g_strdup (target);

  chooser = open_chooser (self, _ ("Export"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"),
                          export_done, what);
  gtk_file_chooser_set_current_name (chooser, suggested);
  if (kind == CS_EXPORT_ANIMATION)
    {
      const char *webm[] = { "*.webm", NULL }, *gif[] = { "*.gif", NULL };

      /* The first is the one in the name suggested (animation.webm). */
      add_filter (chooser, _ ("WebM Video"), webm);
      add_filter (chooser, _ ("Animated GIF"), gif);
    }
  else
    {
      patterns[0] = pattern;
      add_filter (chooser, filter_name, patterns);
    }
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
export_selection_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_activate_action (widget, "win.export", "s", "selection.csv");
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
  gtk_widget_action_set_enabled (
      w, "win.continue-from-epoch",
      n > 0 && have_data && state != CS_RUN_STOPPING
          && (state == CS_RUN_PAUSED || state == CS_RUN_FINISHED)
          && (state == CS_RUN_PAUSED || cs_window_get_timeline_index (self) + 1 < (gint) n));
  gtk_widget_action_set_enabled (w, "win.restore-epoch", self->diverged_good_epoch > 0);
  gtk_widget_action_set_enabled (w, "win.compare-with-run", n > 0);
  gtk_widget_action_set_enabled (w, "win.choose-k", n > 0);
  gtk_widget_action_set_enabled (w, "win.clear-comparison", cs_window_has_comparison (self));
  gtk_widget_action_set_enabled (w, "win.dismiss-divergence", self->diverged_good_epoch > 0);
  gtk_widget_action_set_enabled (w, "win.select-all",
                                 n > 0 && cs_selection_get_size (self->selection) > 0);
  gtk_widget_action_set_enabled (w, "win.select-none",
                                 cs_selection_get_count (self->selection) > 0);
  gtk_widget_action_set_enabled (w, "win.select-cell", n > 0);
  gtk_widget_action_set_enabled (w, "win.export-selection",
                                 n > 0 && cs_selection_get_count (self->selection) > 0);
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
  gtk_widget_class_install_action (widget_class, "win.continue-from-epoch", NULL,
                                   continue_from_epoch_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK,
                                       "win.continue-from-epoch", NULL);
  gtk_widget_class_install_action (widget_class, "win.restore-epoch", NULL, restore_epoch_action);
  gtk_widget_class_install_action (widget_class, "win.compare-with-run", NULL,
                                   compare_with_run_action);
  gtk_widget_class_install_action (widget_class, "win.compare-with-saved-run", NULL,
                                   compare_with_saved_run_action);
  gtk_widget_class_install_action (widget_class, "win.compare-with-saved-run-from", "s",
                                   compare_with_saved_run_from_action);
  gtk_widget_class_install_action (widget_class, "win.clear-comparison", NULL,
                                   clear_comparison_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-divergence", NULL,
                                   dismiss_divergence_action);

  gtk_widget_class_install_action (widget_class, "win.open-dataset", NULL, open_dataset_action);
  gtk_widget_class_install_action (widget_class, "win.select-dataset", "s", select_dataset_action);
  gtk_widget_class_install_action (widget_class, "win.open-run", NULL, open_run_action);
  gtk_widget_class_install_action (widget_class, "win.open-run-from", "s", open_run_from_action);
  gtk_widget_class_install_action (widget_class, "win.save-run", NULL, save_run_action);
  gtk_widget_class_install_action (widget_class, "win.save-run-to", "s", save_run_to_action);

  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.export-to", "(ss)", export_to_action);
  gtk_widget_class_install_action (widget_class, "win.export-menu", NULL, export_menu_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-animation", NULL,
                                   cancel_animation_action);

  gtk_widget_class_install_action (widget_class, "win.set", "(sv)", set_action);
  gtk_widget_class_install_action (widget_class, "win.set-lr", "d", set_lr_action);
  gtk_widget_class_install_action (widget_class, "win.set-k", "u", set_k_action);
  gtk_widget_class_install_action (widget_class, "win.choose-k", NULL, choose_k_action);

  gtk_widget_class_install_action (widget_class, "win.timeline-step", "i", timeline_step_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-seek", "i", timeline_seek_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-latest", NULL,
                                   timeline_latest_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "win.timeline-step", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "win.timeline-step", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "win.timeline-seek", "i", 0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "win.timeline-latest", NULL);

  gtk_widget_class_install_action (widget_class, "win.select-all", NULL, select_all_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK, "win.select-all",
                                       NULL);
  gtk_widget_class_install_action (widget_class, "win.select-none", NULL, select_none_action);
  gtk_widget_class_install_action (widget_class, "win.select-cell", "(uu)", select_cell_action);
  gtk_widget_class_install_action (widget_class, "win.export-selection", NULL,
                                   export_selection_action);

  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
}

/* Space starts or pauses, Left / Right step the timeline and Escape clears the selection
 * wherever those keys have no meaning of their own. GtkWindow binds the arrows to focus moves and a
 * focused button takes Space, both ahead of a class binding, so this runs in the capture phase and
 * steps aside for text fields, sliders, the settings panel and open menus. */
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
  else if (keyval != GDK_KEY_space && keyval != GDK_KEY_Escape)
    return FALSE;
  if ((state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;
  if (focus != NULL
      && (GTK_IS_EDITABLE (focus) || GTK_IS_RANGE (focus)
          || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->controls))
          || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;

  /* Escape drops a lasso being drawn, or else clears the selection: here, because the panes
   * on the way up bind Escape to cancelling a drag of their handle and would stop it first. */
  if (keyval == GDK_KEY_Escape)
    return cs_scatter_view_cancel_select_gesture (self->scatter_view)
           || (cs_selection_get_count (self->selection) > 0
               && gtk_widget_activate_action (GTK_WIDGET (self), "win.select-none", NULL));
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
  const char *settings_keys[] = { "color-by",      "export-size",      "show-sidebar",
                                  "animation-fps", "animation-epochs", "animation-content" };
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
  {
    g_autoptr (GSimpleAction) tool = g_simple_action_new_stateful (
        "select-tool", G_VARIANT_TYPE_STRING, g_variant_new_string ("none"));

    g_signal_connect (tool, "activate", G_CALLBACK (select_tool_activate), self);
    g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (tool));
  }
  cs_window_update_actions (self);
}
