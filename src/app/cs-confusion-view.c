/* cs-confusion-view.c: the live confusion matrix widget.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-confusion-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-confusion-view.h"

struct _CsConfusionView
{
  CsPlotView parent_instance;
};

G_DEFINE_FINAL_TYPE (CsConfusionView, cs_confusion_view, CS_TYPE_PLOT_VIEW)

enum
{
  CELL_CLICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
cs_confusion_view_get_params (CsConfusionView *self, CsConfusionParams *params)
{
  CsDataset *dataset;

  g_return_if_fail (CS_IS_CONFUSION_VIEW (self));

  dataset = cs_plot_view_get_dataset (CS_PLOT_VIEW (self));
  memset (params, 0, sizeof *params);
  params->snapshot = cs_plot_view_get_snapshot (CS_PLOT_VIEW (self));
  if (dataset != NULL)
    params->class_names = (const char *const *) dataset->class_names;
}

gboolean
cs_confusion_view_has_labels (CsConfusionView *self)
{
  CsDataset *dataset;

  g_return_val_if_fail (CS_IS_CONFUSION_VIEW (self), FALSE);

  dataset = cs_plot_view_get_dataset (CS_PLOT_VIEW (self));
  return dataset == NULL || dataset->labels != NULL;
}

static void
cs_confusion_view_draw (
    CsPlotView *view, cairo_t *cr, int width, int height, const CsPlotStyle *style)
{
  CsConfusionView *self = CS_CONFUSION_VIEW (view);
  CsConfusionParams params;

  if (!cs_confusion_view_has_labels (self))
    {
      cs_plot_draw_message (cr, width, height, style,
                            _ ("No true labels in this dataset to compare with"));
      return;
    }
  cs_confusion_view_get_params (self, &params);
  cs_plot_confusion_draw (cr, width, height, style, &params);
}

/* Input ------------------------------------------------------------------------------------ */

static gboolean
cell_at (CsConfusionView *self, double x, double y, guint *klass, guint *cluster)
{
  CsConfusionParams params;

  if (!cs_confusion_view_has_labels (self))
    return FALSE;
  cs_confusion_view_get_params (self, &params);
  return cs_plot_confusion_hit (
      gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)),
      cs_plot_view_get_style (CS_PLOT_VIEW (self)), &params, x, y, klass, cluster);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CsConfusionView *self)
{
  GdkModifierType state
      = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  guint klass, cluster;

  if (n_press == 1 && cell_at (self, x, y, &klass, &cluster))
    g_signal_emit (self, signals[CELL_CLICKED], 0, klass, cluster, (guint) state);
}

static gboolean
on_query_tooltip (GtkWidget *widget,
                  int x,
                  int y,
                  gboolean keyboard_mode,
                  GtkTooltip *tooltip,
                  CsConfusionView *self)
{
  CsSnapshot *snapshot = cs_plot_view_get_snapshot (CS_PLOT_VIEW (self));
  CsDataset *dataset = cs_plot_view_get_dataset (CS_PLOT_VIEW (self));
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  const char *name = NULL;
  guint klass, cluster;
  gint64 n;

  if (keyboard_mode || snapshot == NULL || !cell_at (self, x, y, &klass, &cluster))
    return FALSE;
  if (dataset != NULL && dataset->class_names != NULL && klass < dataset->n_classes)
    name = dataset->class_names[klass];
  n = snapshot->contingency[klass * snapshot->k + cluster];
  count = cs_format_count (n, "\u202f");
  /* Translators: a confusion-matrix cell: the number of points, their class and cluster */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s point of class %s in cluster %u\nClick to select it "
                                       "(Shift adds, Ctrl removes)",
                                       "%s points of class %s in cluster %u\nClick to select them "
                                       "(Shift adds, Ctrl removes)",
                                       n),
                          count, name != NULL ? name : "?", cluster);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
cs_confusion_view_class_init (CsConfusionViewClass *klass)
{
  CsPlotViewClass *view_class = CS_PLOT_VIEW_CLASS (klass);

  view_class->draw = cs_confusion_view_draw;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "confusionview");

  /* A cell was clicked: its class (row), its cluster and the modifiers held (GdkModifierType). */
  signals[CELL_CLICKED]
      = g_signal_new ("cell-clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
}

static void
cs_confusion_view_init (CsConfusionView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
}

GtkWidget *
cs_confusion_view_new (void)
{
  return g_object_new (CS_TYPE_CONFUSION_VIEW, NULL);
}
