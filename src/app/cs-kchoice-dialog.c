/* cs-kchoice-dialog.c: the "Choose K" window and its sweep on a worker thread.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-kchoice-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-kchoice-dialog.h"
#include "cs-kchoice.h"

#define SWEEP_K_MIN 2
#define SWEEP_K_MAX 30

/* One sweep: what the worker reads (the snapshot's codes) and what it has found so far, shared
 * with the main loop under the lock. Refcounted: the worker, each progress callback and the
 * dialog hold it, so closing the dialog mid-sweep leaves nothing dangling. */
typedef struct
{
  CsSnapshot *snapshot;
  CsKChoiceOptions options;
  GMainContext *context;
  GWeakRef dialog;
  gint64 started;

  GMutex lock;
  double *inertia, *silhouette; /* k_max - k_min + 1 */
  guint n_done;
} Sweep;

struct _CsKChoiceDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  CsKChoiceView *view;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  GtkButton *cancel_button;

  GSettings *settings;
  GtkNativeDialog *file_chooser; /* the export's, while open */
  Sweep *sweep;
  GCancellable *cancellable;
  gboolean running;
  guint n_done;
};

G_DEFINE_FINAL_TYPE (CsKChoiceDialog, cs_kchoice_dialog, ADW_TYPE_WINDOW)

static void
sweep_clear (Sweep *s)
{
  cs_snapshot_unref (s->snapshot);
  g_main_context_unref (s->context);
  g_weak_ref_clear (&s->dialog);
  g_mutex_clear (&s->lock);
  g_free (s->inertia);
  g_free (s->silhouette);
}

static Sweep *
sweep_ref (Sweep *s)
{
  return g_atomic_rc_box_acquire (s);
}

static void
sweep_unref (Sweep *s)
{
  g_atomic_rc_box_release_full (s, (GDestroyNotify) sweep_clear);
}

static guint
sweep_n_ks (const Sweep *s)
{
  return s->options.k_max - s->options.k_min + 1;
}

/* The view and the progress from what the sweep has found so far. */
static void
update_from_sweep (CsKChoiceDialog *self)
{
  Sweep *s = self->sweep;
  guint n_ks = sweep_n_ks (s);
  g_autofree char *progress = NULL;

  g_mutex_lock (&s->lock);
  cs_kchoice_view_set_values (self->view, s->options.k_min, s->options.k_max, s->inertia,
                              s->silhouette);
  self->n_done = s->n_done;
  g_mutex_unlock (&s->lock);

  gtk_progress_bar_set_fraction (self->progress_bar, (double) self->n_done / n_ks);
  /* Translators: Ks done of the Ks in the sweep */
  progress = g_strdup_printf (_ ("%u of %u"), self->n_done, n_ks);
  gtk_progress_bar_set_text (self->progress_bar, progress);
}

static gboolean
progress_idle (gpointer data)
{
  Sweep *s = data;
  g_autoptr (CsKChoiceDialog) self = g_weak_ref_get (&s->dialog);

  if (self != NULL && self->sweep == s)
    update_from_sweep (self);
  return G_SOURCE_REMOVE;
}

/* On the worker thread, after each K. */
static void
on_k_done (guint k, double inertia, double silhouette, gpointer data)
{
  Sweep *s = data;
  GSource *source;

  g_mutex_lock (&s->lock);
  s->inertia[k - s->options.k_min] = inertia;
  s->silhouette[k - s->options.k_min] = silhouette;
  s->n_done++;
  g_mutex_unlock (&s->lock);
  /* Always through a source: g_main_context_invoke() would run progress_idle right here, on
   * the worker, whenever it can acquire the default context the main thread is not iterating
   * at that moment. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_idle, sweep_ref (s), (GDestroyNotify) sweep_unref);
  g_source_attach (source, s->context);
  g_source_unref (source);
}

static void
sweep_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Sweep *s = task_data;
  guint n_ks = sweep_n_ks (s);
  g_autofree double *inertia = g_new (double, n_ks);
  g_autofree double *silhouette = g_new (double, n_ks);
  GError *error = NULL;

  if (cs_kchoice_run (s->snapshot->codes, s->snapshot->n, s->snapshot->m, &s->options, on_k_done, s,
                      inertia, silhouette, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
sweep_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Sweep *s = data;
  g_autoptr (CsKChoiceDialog) self = g_weak_ref_get (&s->dialog);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self != NULL && self->sweep == s)
    {
      CsKChoiceParams params;
      g_autofree char *status = NULL;

      self->running = FALSE;
      update_from_sweep (self);
      cs_kchoice_view_get_params (self->view, &params);
      if (ok)
        status = g_strdup_printf (
            _ ("Highest silhouette at K = %u (%.1f s). Click a K to use it from the next epoch."),
            cs_plot_kchoice_best (&params), (g_get_monotonic_time () - s->started) / 1e6);
      else if (g_error_matches (error, CS_ERROR, CS_ERROR_CANCELLED))
        status = g_strdup_printf (_ ("Stopped after %u of %u values of K."), self->n_done,
                                  sweep_n_ks (s));
      else
        status = g_strdup (error->message);
      gtk_label_set_text (self->status_label, status);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
    }
  sweep_unref (s);
}

void
cs_kchoice_dialog_start (CsKChoiceDialog *self, CsSnapshot *snapshot, guint64 seed)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *status = NULL;
  g_autofree char *n_codes = NULL;
  g_autofree char *n_sample = NULL;
  Sweep *s;
  guint n_ks;

  g_return_if_fail (CS_IS_KCHOICE_DIALOG (self));
  g_return_if_fail (snapshot != NULL && snapshot->codes != NULL);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sweep, sweep_unref);

  s = g_atomic_rc_box_new0 (Sweep);
  s->snapshot = cs_snapshot_ref (snapshot);
  cs_kchoice_options_init (&s->options);
  s->options.k_min = SWEEP_K_MIN;
  s->options.k_max = (guint) CLAMP (snapshot->n, SWEEP_K_MIN, SWEEP_K_MAX);
  s->options.seed = seed;
  s->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&s->dialog, self);
  s->started = g_get_monotonic_time ();
  g_mutex_init (&s->lock);
  n_ks = sweep_n_ks (s);
  s->inertia = g_new (double, n_ks);
  s->silhouette = g_new (double, n_ks);
  for (guint i = 0; i < n_ks; i++)
    s->inertia[i] = s->silhouette[i] = NAN;
  self->sweep = s;
  self->cancellable = g_cancellable_new ();
  self->running = TRUE;
  self->n_done = 0;
  update_from_sweep (self);
  n_codes = cs_format_count (snapshot->n, "\u202f");
  n_sample = cs_format_count (MIN (snapshot->n, s->options.sample), "\u202f");

  /* Translators: the epoch whose latent codes are clustered, and how many there are */
  subtitle = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "Epoch %u · %s code", "Epoch %u · %s codes", snapshot->n),
      snapshot->epoch, n_codes);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  status = g_strdup_printf (_ ("K-means for K = %u to %u on the latent codes; the silhouette on "
                               "a sample of %s of them."),
                            s->options.k_min, s->options.k_max, n_sample);
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), TRUE);

  task = g_task_new (NULL, self->cancellable, sweep_done, sweep_ref (s));
  g_task_set_source_tag (task, cs_kchoice_dialog_start);
  g_task_set_task_data (task, sweep_ref (s), (GDestroyNotify) sweep_unref);
  g_task_run_in_thread (task, sweep_thread);
}

gboolean
cs_kchoice_dialog_is_running (CsKChoiceDialog *self)
{
  g_return_val_if_fail (CS_IS_KCHOICE_DIALOG (self), FALSE);
  return self->running;
}

guint
cs_kchoice_dialog_get_n_done (CsKChoiceDialog *self)
{
  g_return_val_if_fail (CS_IS_KCHOICE_DIALOG (self), 0);
  return self->n_done;
}

CsKChoiceView *
cs_kchoice_dialog_get_view (CsKChoiceDialog *self)
{
  g_return_val_if_fail (CS_IS_KCHOICE_DIALOG (self), NULL);
  return self->view;
}

typedef struct
{
  const CsPlotStyle *style;
  CsKChoiceParams params;
} ExportDraw;

static void
draw_export (cairo_t *cr, double width, double height, gpointer user_data)
{
  ExportDraw *d = user_data;

  cs_plot_kchoice_draw (cr, width, height, d->style, &d->params);
}

gboolean
cs_kchoice_dialog_export_to (CsKChoiceDialog *self, const char *path, GError **error)
{
  CsPlotStyle style;
  CsPlotFormat format;
  ExportDraw d;

  g_return_val_if_fail (CS_IS_KCHOICE_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!cs_plot_format_for_path (path, &format, error))
    return FALSE;
  /* Exports are for papers and slides: the light style, no pointer highlight; a small plot,
   * drawn at once. */
  cs_plot_style_init (&style, FALSE);
  d.style = &style;
  cs_kchoice_view_get_params (self->view, &d.params);
  d.params.hover_k = 0;
  d.params.title = _ ("Choosing K");
  return cs_plot_export (path, format, 900, 600, &style, draw_export, &d, error);
}

static void
on_export_response (GtkNativeDialog *chooser, int response, CsKChoiceDialog *self)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *status = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->file_chooser);
  if (file == NULL || (path = g_file_get_path (file)) == NULL)
    return;
  if (cs_kchoice_dialog_export_to (self, path, &error))
    status = g_strdup_printf (_ ("Plot written to %s"), path);
  else
    status = g_strdup (error->message);
  gtk_label_set_text (self->status_label, status);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  CsKChoiceDialog *self = CS_KCHOICE_DIALOG (widget);
  GtkFileChooserNative *chooser;

  if (self->file_chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (
      _ ("Export"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "choose-k.png");
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), self);
  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->file_chooser);
}

static void
on_cancel_clicked (GtkButton *button, CsKChoiceDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
on_k_setting_changed (GSettings *settings, const char *key, CsKChoiceDialog *self)
{
  cs_kchoice_view_set_current_k (self->view, g_settings_get_uint (settings, "k"));
}

/* A click on a K: the window's own action, as the panel's K row would set it. */
static void
on_k_activated (CsKChoiceView *view, guint k, CsKChoiceDialog *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char *status = NULL;

  if (parent == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (parent), "win.set-k", "u", k);
  if (self->running)
    return;
  status = g_strdup_printf (_ ("K set to %u: a running job takes it at the next epoch."), k);
  gtk_label_set_text (self->status_label, status);
}

static void
cs_kchoice_dialog_dispose (GObject *object)
{
  CsKChoiceDialog *self = CS_KCHOICE_DIALOG (object);

  /* The worker stops within a K-means iteration; its late callbacks find no dialog. */
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_destroy (self->file_chooser);
      g_clear_object (&self->file_chooser);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sweep, sweep_unref);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_KCHOICE_DIALOG);
  G_OBJECT_CLASS (cs_kchoice_dialog_parent_class)->dispose (object);
}

static void
cs_kchoice_dialog_class_init (CsKChoiceDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cs_kchoice_dialog_dispose;

  g_type_ensure (CS_TYPE_KCHOICE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/ui/cs-kchoice-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CsKChoiceDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsKChoiceDialog, view);
  gtk_widget_class_bind_template_child (widget_class, CsKChoiceDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsKChoiceDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsKChoiceDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "kchoice.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "kchoice.export",
                                       NULL);
}

static void
cs_kchoice_dialog_init (CsKChoiceDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->view, "k-activated", G_CALLBACK (on_k_activated), self);
}

CsKChoiceDialog *
cs_kchoice_dialog_new (GtkWindow *parent, GSettings *settings)
{
  CsKChoiceDialog *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CS_TYPE_KCHOICE_DIALOG, "transient-for", parent, "destroy-with-parent", TRUE,
                       NULL);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (settings, "changed::k", G_CALLBACK (on_k_setting_changed), self, 0);
  on_k_setting_changed (settings, "k", self);
  return self;
}
