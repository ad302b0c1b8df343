/* cs-window.c: the main window: follows the controller and keeps the views and timeline in step.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cs-run.h"
#include "cs-window-private.h"

#define MAX_RECENT 5

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

/* Messages --------------------------------------------------------------------------------- */

void
cs_window_show_error (CsWindow *self, const char *title, const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), title, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

void
cs_window_toast (CsWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_controller_error (CsController *controller,
                     const char *title,
                     const char *message,
                     CsWindow *self)
{
  cs_window_show_error (self, title, message);
}

/* Training diverged: the run is paused at the last good epoch; the banner says why and offers
 * to put that epoch's settings back. */
static void
on_controller_diverged (CsController *controller,
                        guint good_epoch,
                        const char *message,
                        CsWindow *self)
{
  g_autofree char *text = g_strdup_printf (_ ("Training paused: %s. Epoch %u, the last good "
                                              "one, is back in place."),
                                           message, good_epoch);
  g_autofree char *label = g_strdup_printf (_ ("_Restore Epoch %u"), good_epoch);

  self->diverged_good_epoch = good_epoch;
  gtk_label_set_text (self->divergence_label, text);
  gtk_button_set_label (self->restore_button, label);
  gtk_button_set_use_underline (self->restore_button, TRUE);
  gtk_revealer_set_reveal_child (self->divergence_revealer, TRUE);
  cs_window_update_actions (self);
}

void
cs_window_dismiss_divergence (CsWindow *self)
{
  self->diverged_good_epoch = 0;
  gtk_revealer_set_reveal_child (self->divergence_revealer, FALSE);
  cs_window_update_actions (self);
}

/* Status and progress ---------------------------------------------------------------------- */

static void
update_status (CsWindow *self)
{
  CsController *c = self->controller;
  CsDataset *dataset = cs_controller_get_dataset (c);
  guint epoch, batch, n_batches, total = cs_controller_get_total_epochs (c);
  guint n_history = cs_controller_get_n_history (c);
  CsPhase phase;
  g_autofree char *status = NULL;
  g_autofree char *subtitle = NULL;
  double fraction = 0;

  cs_controller_get_progress (c, &epoch, &phase, &batch, &n_batches);
  if (n_history > 0)
    {
      CsSnapshot *latest = cs_controller_get_latest (c);

      /* The last finished epoch, when the progress callback has not spoken yet. */
      if (epoch < latest->epoch || (epoch == latest->epoch && batch >= n_batches))
        {
          epoch = latest->epoch;
          phase = latest->phase;
          batch = n_batches = 1;
        }
    }
  if (total > 0 && epoch > 0)
    fraction = ((epoch - 1) + (n_batches > 0 ? (double) batch / n_batches : 0.0)) / total;

  switch (cs_controller_get_state (c))
    {
    case CS_RUN_RUNNING:
      if (epoch == 0)
        status = g_strdup (_ ("Starting…"));
      else
        status = g_strdup_printf (phase == CS_PHASE_PRETRAIN ? _ ("Pretraining · epoch %u of %u")
                                                             : _ ("Clustering · epoch %u of %u"),
                                  epoch, total);
      break;
    case CS_RUN_PAUSED:
      status = g_strdup_printf (_ ("Paused at epoch %u of %u"), epoch, total);
      break;
    case CS_RUN_STOPPING:
      status = g_strdup (_ ("Stopping…"));
      break;
    case CS_RUN_FINISHED:
      if (n_history > 0 && cs_controller_get_latest (c)->epoch >= total)
        {
          status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Finished · %u epoch",
                                                 "Finished · %u epochs", n_history),
                                    n_history);
          fraction = 1.0;
        }
      else
        status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Stopped after %u of %u epoch",
                                               "Stopped after %u of %u epochs", total),
                                  n_history, total);
      break;
    case CS_RUN_IDLE:
    default:
      if (cs_controller_is_loading (c))
        status = g_strdup (_ ("Loading dataset…"));
      else if (dataset == NULL)
        status = g_strdup (_ ("Open a dataset to begin"));
      else
        status = g_strdup (_ ("Ready · press Start"));
      break;
    }

  if (dataset != NULL)
    subtitle = g_strdup_printf ("%s — %s", dataset->name, status);
  else
    subtitle = g_steal_pointer (&status);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
}

static void
on_controller_progress (CsController *controller, CsWindow *self)
{
  update_status (self);
}

static void
on_controller_state (CsController *controller, GParamSpec *pspec, CsWindow *self)
{
  CsRunState state = cs_controller_get_state (controller);
  gboolean paused = state == CS_RUN_PAUSED;

  adw_button_content_set_label (self->start_content, paused ? _ ("_Resume") : _ ("_Start"));
  cs_controls_set_running (self->controls, cs_controller_is_active (controller));
  gtk_button_set_icon_name (self->pause_button, paused ? "media-playback-start-symbolic"
                                                       : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _ ("Resume (Space)") : _ ("Pause (Space)"));
  update_status (self);
  cs_window_update_actions (self);

  /* A run that went all the way says how it ended, in case nobody was watching. */
  if (state == CS_RUN_FINISHED && pspec != NULL)
    {
      CsSnapshot *latest = cs_controller_get_latest (controller);

      if (latest != NULL && latest->epoch >= cs_controller_get_total_epochs (controller))
        {
          g_autofree char *message = NULL;

          if (!isnan (latest->metrics.acc))
            message = g_strdup_printf (
                g_dngettext (
                    GETTEXT_PACKAGE, "Training finished after %u epoch: ACC %.3f, NMI %.3f",
                    "Training finished after %u epochs: ACC %.3f, NMI %.3f", latest->epoch),
                latest->epoch, latest->metrics.acc, latest->metrics.nmi);
          else
            message
                = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Training finished after %u epoch",
                                                "Training finished after %u epochs", latest->epoch),
                                   latest->epoch);
          cs_window_toast (self, message);
        }
    }
}

/* Timeline --------------------------------------------------------------------------------- */

/* The views observe the history model themselves; the window only keeps the scale's range and
 * the label in step with it. */

static CsHistoryModel *
get_history (CsWindow *self)
{
  return cs_controller_get_history_model (self->controller);
}

static void
on_history_n_items (CsHistoryModel *history, GParamSpec *pspec, CsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (history));

  gtk_adjustment_set_upper (self->timeline_adjustment, n > 0 ? n - 1 : 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->timeline_scale), n > 1);
  cs_window_update_actions (self);
}

static void
on_history_current (CsHistoryModel *history, GParamSpec *pspec, CsWindow *self)
{
  CsSnapshot *shown = cs_history_model_get_current (history);
  guint total = cs_controller_get_total_epochs (self->controller);
  const char *phase;
  g_autofree char *text = NULL;

  /* "Continue from here" depends on which epoch is shown. */
  cs_window_update_actions (self);
  cs_window_compare_sync (self);
  if (shown == NULL)
    {
      gtk_label_set_text (self->timeline_label, _ ("No epochs yet"));
      return;
    }
  phase = shown->phase == CS_PHASE_PRETRAIN ? _ ("pretraining") : _ ("clustering");
  if (!isnan (shown->metrics.acc))
    text = g_strdup_printf (_ ("%u of %u · %s · ACC %.3f"), shown->epoch, total, phase,
                            shown->metrics.acc);
  else
    text = g_strdup_printf (_ ("%u of %u · %s"), shown->epoch, total, phase);
  gtk_label_set_text (self->timeline_label, text);
}

static void
on_history_follows (CsHistoryModel *history, GParamSpec *pspec, CsWindow *self)
{
  cs_window_update_actions (self);
}

static gboolean
position_to_value (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  g_value_set_double (to, MAX (g_value_get_int (from), 0));
  return TRUE;
}

static gboolean
value_to_position (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  g_value_set_int (to, (gint) lround (g_value_get_double (from)));
  return TRUE;
}

void
cs_window_set_timeline_index (CsWindow *self, gint index)
{
  cs_history_model_set_position (get_history (self), index);
}

static void
on_snapshot_added (CsController *controller, guint index, CsWindow *self)
{
  update_status (self);
}

static void
on_history_cleared (CsController *controller, CsWindow *self)
{
  update_status (self);
}

/* Datasets --------------------------------------------------------------------------------- */

static char *
dataset_summary (CsDataset *dataset)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *count = cs_format_count (dataset->n, "\u202f");

  g_string_append_printf (
      text, g_dngettext (GETTEXT_PACKAGE, "%s sample", "%s samples", dataset->n), count);
  g_string_append (text, " · ");
  if (dataset->image_width > 0)
    g_string_append_printf (text, _ ("%u × %u images"), dataset->image_width,
                            dataset->image_height);
  else
    g_string_append_printf (
        text, g_dngettext (GETTEXT_PACKAGE, "%u feature", "%u features", dataset->d), dataset->d);
  g_string_append (text, " · ");
  if (dataset->labels != NULL)
    g_string_append_printf (
        text, g_dngettext (GETTEXT_PACKAGE, "%u class", "%u classes", dataset->n_classes),
        dataset->n_classes);
  else
    g_string_append (text, _ ("no labels"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
spec_is_builtin (const char *spec)
{
  return g_str_has_prefix (spec, "synthetic") || g_str_has_prefix (spec, "fashion-mnist");
}

static void
remember_recent (CsWindow *self, const char *path)
{
  g_auto (GStrv) old = g_settings_get_strv (self->settings, "recent-datasets");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) recent = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (!g_str_equal (old[i], path))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-datasets", (const char *const *) recent);
}

void
cs_window_rebuild_dataset_menu (CsWindow *self)
{
  g_autoptr (GMenu) builtin = g_menu_new ();
  g_autoptr (GMenu) recent = g_menu_new ();
  g_autoptr (GMenu) open = g_menu_new ();
  g_auto (GStrv) paths = g_settings_get_strv (self->settings, "recent-datasets");
  struct
  {
    const char *label;
    const char *spec;
  } builtins[] = {
    { N_ ("Fashion-MNIST, test split (10 000 images)"), "fashion-mnist-test" },
    { N_ ("Fashion-MNIST, all (70 000 images)"), "fashion-mnist" },
    { N_ ("Synthetic pen strokes (K-means on the pixels fails)"), "synthetic" },
    { N_ ("Synthetic Gaussian blobs (easy)"), "synthetic-blobs" },
  };

  g_menu_remove_all (self->dataset_menu);
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (_ (builtins[i].label), NULL);

      g_menu_item_set_action_and_target_value (item, "win.select-dataset",
                                               g_variant_new_string (builtins[i].spec));
      g_menu_append_item (builtin, item);
    }
  g_menu_append_section (self->dataset_menu, _ ("Built-in"), G_MENU_MODEL (builtin));

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (paths[i]);
      g_autoptr (GMenuItem) item = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target_value (item, "win.select-dataset",
                                               g_variant_new_string (paths[i]));
      g_menu_append_item (recent, item);
    }
  if (paths[0] != NULL)
    g_menu_append_section (self->dataset_menu, _ ("Recent Files"), G_MENU_MODEL (recent));

  g_menu_append (open, _ ("_Open File…"), "win.open-dataset");
  g_menu_append_section (self->dataset_menu, NULL, G_MENU_MODEL (open));
}

static void
update_dataset_row (CsWindow *self)
{
  CsDataset *dataset = cs_controller_get_dataset (self->controller);
  gboolean loading = cs_controller_is_loading (self->controller);
  g_autofree char *summary = NULL;

  if (dataset != NULL)
    {
      summary = dataset_summary (dataset);
      cs_controls_set_dataset_info (self->controls, dataset->name,
                                    loading ? _ ("Loading…") : summary, loading);
    }
  else
    cs_controls_set_dataset_info (
        self->controls, _ ("No dataset"),
        loading ? _ ("Loading…") : _ ("Open a file or pick a built-in dataset"), loading);
}

static void
on_controller_loading (CsController *controller, GParamSpec *pspec, CsWindow *self)
{
  update_dataset_row (self);
  update_status (self);
  cs_window_update_actions (self);
}

static void
on_controller_dataset (CsController *controller, GParamSpec *pspec, CsWindow *self)
{
  CsDataset *dataset = cs_controller_get_dataset (controller);
  const char *spec = cs_controller_get_dataset_spec (controller);
  g_autofree char *previous = g_settings_get_string (self->settings, "dataset");
  gboolean has_labels = dataset != NULL && dataset->labels != NULL;

  cs_plot_view_set_dataset (CS_PLOT_VIEW (self->scatter_view), dataset);
  cs_plot_view_set_dataset (CS_PLOT_VIEW (self->compare_scatter_view), dataset);
  cs_plot_view_set_dataset (CS_PLOT_VIEW (self->confusion_view), dataset);
  /* Indexes of another dataset mean nothing here. */
  cs_selection_reset (self->selection, dataset != NULL ? dataset->n : 0);
  cs_gallery_set_dataset (self->gallery, dataset);
  gtk_widget_set_sensitive (self->color_by_label_button, has_labels);
  gtk_widget_set_tooltip_text (self->color_by_label_button,
                               has_labels ? _ ("Colour the points by their true label")
                                          : _ ("This dataset has no labels to colour by"));
  if (!has_labels)
    g_settings_set_string (self->settings, "color-by", "cluster");

  if (spec != NULL)
    {
      /* A newly chosen labelled dataset starts with one cluster per class; the dataset
       * remembered from last time keeps the K the user left. */
      if (has_labels && !g_str_equal (spec, previous) && dataset->n_classes >= 2)
        {
          cs_controls_set_named (self->controls, "k", g_variant_new_uint32 (dataset->n_classes));
        }
      g_settings_set_string (self->settings, "dataset", spec);
      if (!spec_is_builtin (spec))
        {
          remember_recent (self, spec);
          cs_window_rebuild_dataset_menu (self);
        }
    }

  update_dataset_row (self);
  update_status (self);
  cs_window_update_actions (self);
}

void
cs_window_select_dataset (CsWindow *self, const char *spec)
{
  cs_controller_load_dataset (self->controller, spec);
}

void
cs_window_open_run (CsWindow *self, const char *dir)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autofree char *model = g_build_filename (dir, "model.bin", NULL);
  g_autofree char *spec = NULL;
  g_autoptr (GError) error = NULL;
  CsSettings settings;

  cs_controller_get_settings (self->controller, &settings);
  if (!cs_run_read_config (config, &settings, &spec, &error))
    {
      g_autofree char *title = g_strdup_printf (_ ("Could not open the run “%s”"), dir);

      cs_window_show_error (self, title, error->message);
      return;
    }
  /* All of them to the controller; those with a GSettings key to the panel too. */
  cs_controller_set_settings (self->controller, &settings, 0);
  cs_settings_save_gsettings (&settings, self->settings);
  if (spec != NULL)
    cs_controller_load_dataset (self->controller, spec);
  if (g_file_test (model, G_FILE_TEST_IS_REGULAR))
    cs_controller_set_model_path (self->controller, model);
  cs_window_toast (self, _ ("Run settings loaded: Start continues from the saved model"));
}

void
cs_window_open_file (CsWindow *self, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *config = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  if (path == NULL)
    {
      cs_window_show_error (self, _ ("Cannot open this file"),
                            _ ("Only local files can be opened. Copy the file to this computer "
                               "first."));
      return;
    }
  config = g_build_filename (path, "config.json", NULL);
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && g_file_test (config, G_FILE_TEST_IS_REGULAR))
    cs_window_open_run (self, path);
  else
    cs_window_select_dataset (self, path);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, CsWindow *self)
{
  GFile *file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;
  if (cs_controller_is_active (self->controller))
    {
      cs_window_toast (self, _ ("Stop the current run before opening another dataset"));
      return FALSE;
    }
  cs_window_open_file (self, file);
  return TRUE;
}

/* Selection -------------------------------------------------------------------------------- */

void
cs_window_select_cell (CsWindow *self, guint klass, guint cluster, CsSelectMode mode)
{
  CsSnapshot *shown = cs_scatter_view_get_snapshot (self->scatter_view);
  CsDataset *dataset = cs_controller_get_dataset (self->controller);
  g_autofree guint8 *mask = NULL;

  if (shown == NULL || dataset == NULL || dataset->labels == NULL || shown->n != dataset->n
      || cs_selection_get_size (self->selection) != shown->n)
    return;
  mask = g_malloc0 (shown->n);
  for (gsize i = 0; i < shown->n; i++)
    mask[i] = dataset->labels[i] == (gint32) klass && shown->clusters[i] == cluster;
  cs_selection_apply (self->selection, mask, mode);
}

static void
on_cell_clicked (CsConfusionView *view, guint klass, guint cluster, guint state, CsWindow *self)
{
  cs_window_select_cell (self, klass, cluster, cs_select_mode_from_state (state));
}

static void
on_selection_count (CsSelection *selection, GParamSpec *pspec, CsWindow *self)
{
  gboolean any = cs_selection_get_count (selection) > 0;

  /* A first pick opens the gallery, to show what was picked. */
  if (any && !self->had_selection)
    gtk_stack_set_visible_child_name (self->side_stack, "gallery");
  self->had_selection = any;
  cs_window_update_actions (self);
}

/* Colour by -------------------------------------------------------------------------------- */

static void
on_color_by_changed (GSettings *settings, const char *key, CsWindow *self)
{
  CsColorBy color_by
      = g_settings_get_enum (settings, "color-by") ? CS_COLOR_BY_LABEL : CS_COLOR_BY_CLUSTER;

  cs_scatter_view_set_color_by (self->scatter_view, color_by);
  cs_scatter_view_set_color_by (self->compare_scatter_view, color_by);
}

/* Getters ---------------------------------------------------------------------------------- */

CsController *
cs_window_get_controller (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->controller;
}

CsControls *
cs_window_get_controls (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->controls;
}

CsScatterView *
cs_window_get_scatter_view (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->scatter_view;
}

CsCurvesView *
cs_window_get_curves_view (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->curves_view;
}

CsConfusionView *
cs_window_get_confusion_view (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->confusion_view;
}

gint
cs_window_get_timeline_index (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), -1);
  return cs_history_model_get_position (get_history (self));
}

gboolean
cs_window_get_timeline_follows (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  return cs_history_model_get_follows (get_history (self));
}

/* GObject ---------------------------------------------------------------------------------- */

static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  /* The worker returns within a batch; the application stays alive until it has. */
  cs_controller_stop (self->controller);

  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }
  if (self->kchoice_dialog != NULL)
    gtk_window_destroy (self->kchoice_dialog);
  if (self->controller != NULL)
    {
      cs_controller_stop (self->controller);
      /* A t-SNE being laid out for an old epoch would keep the controller a while. */
      cs_reprojector_clear (cs_controller_get_reprojector (self->controller));
      g_signal_handlers_disconnect_by_data (self->controller, self);
      g_signal_handlers_disconnect_by_data (get_history (self), self);
      g_clear_object (&self->controller);
    }
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->dataset_menu);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);
  cs_window_compare_dispose (self);

  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  window_class->close_request = cs_window_close_request;

  g_type_ensure (CS_TYPE_CONTROLS);
  g_type_ensure (CS_TYPE_SCATTER_VIEW);
  g_type_ensure (CS_TYPE_CURVES_VIEW);
  g_type_ensure (CS_TYPE_CONFUSION_VIEW);
  g_type_ensure (CS_TYPE_GALLERY);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, start_content);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, controls);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, scatter_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, compare_scatter_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, side_by_side_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, curves_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, confusion_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, color_by_box);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, color_by_label_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, timeline_scale);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, timeline_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, timeline_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, divergence_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, divergence_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, restore_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, side_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, gallery);

  cs_window_class_add_actions (widget_class);
}

static void
cs_window_init (CsWindow *self)
{
  GtkDropTarget *drop;
  CsHistoryModel *history;
  g_autofree char *spec = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->controller = cs_controller_new ();
  self->dataset_menu = g_menu_new ();

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "show-sidebar", self->flap, "reveal-flap",
                   G_SETTINGS_BIND_DEFAULT);

  cs_controller_follow_settings (self->controller, self->settings);
  cs_controls_set_dataset_menu (self->controls, G_MENU_MODEL (self->dataset_menu));
  cs_window_rebuild_dataset_menu (self);

  g_signal_connect (self->settings, "changed::color-by", G_CALLBACK (on_color_by_changed), self);
  on_color_by_changed (self->settings, "color-by", self);

  g_signal_connect (self->controller, "snapshot-added", G_CALLBACK (on_snapshot_added), self);
  g_signal_connect (self->controller, "history-cleared", G_CALLBACK (on_history_cleared), self);
  g_signal_connect (self->controller, "progress", G_CALLBACK (on_controller_progress), self);
  g_signal_connect (self->controller, "error", G_CALLBACK (on_controller_error), self);
  g_signal_connect (self->controller, "diverged", G_CALLBACK (on_controller_diverged), self);
  g_signal_connect (self->controller, "notify::state", G_CALLBACK (on_controller_state), self);
  g_signal_connect (self->controller, "notify::loading", G_CALLBACK (on_controller_loading), self);
  g_signal_connect (self->controller, "notify::dataset", G_CALLBACK (on_controller_dataset), self);

  /* Scrubbing is one change of the history's position: the views follow it themselves. */
  history = get_history (self);
  cs_plot_view_set_history (CS_PLOT_VIEW (self->scatter_view), history);
  /* Old epochs in the projection in force, when it is not the one they were drawn in. */
  cs_scatter_view_set_reprojector (self->scatter_view,
                                   cs_controller_get_reprojector (self->controller));
  cs_plot_view_set_history (CS_PLOT_VIEW (self->curves_view), history);
  cs_plot_view_set_history (CS_PLOT_VIEW (self->confusion_view), history);
  self->selection = cs_selection_new ();
  cs_scatter_view_set_selection (self->scatter_view, self->selection);
  /* The compared run has the same points: the group shows there too. */
  cs_scatter_view_set_selection (self->compare_scatter_view, self->selection);
  cs_gallery_set_selection (self->gallery, self->selection);
  cs_gallery_set_history (self->gallery, history);
  g_signal_connect (self->selection, "notify::count", G_CALLBACK (on_selection_count), self);
  g_signal_connect (self->confusion_view, "cell-clicked", G_CALLBACK (on_cell_clicked), self);
  g_signal_connect (history, "notify::n-items", G_CALLBACK (on_history_n_items), self);
  g_signal_connect (history, "notify::current", G_CALLBACK (on_history_current), self);
  g_signal_connect (history, "notify::follows", G_CALLBACK (on_history_follows), self);
  g_object_bind_property_full (history, "position", self->timeline_adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE, position_to_value,
                               value_to_position, NULL, NULL);

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  cs_window_init_actions (self);
  cs_window_compare_init (self);
  on_controller_state (self->controller, NULL, self);
  update_dataset_row (self);
  on_history_current (history, NULL, self);

  spec = g_settings_get_string (self->settings, "dataset");
  if (spec[0] != '\0')
    cs_controller_load_dataset (self->controller, spec);
}

CsWindow *
cs_window_new (GtkApplication *application)
{
  return g_object_new (CS_TYPE_WINDOW, "application", application, NULL);
}
