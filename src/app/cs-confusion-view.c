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
#include "cs-plot-style.h"

struct _CsConfusionView
{
  GtkWidget parent_instance;

  CsDataset *dataset;
  CsSnapshot *snapshot;
  CsPlotStyle style;
};

G_DEFINE_FINAL_TYPE (CsConfusionView, cs_confusion_view, GTK_TYPE_WIDGET)

void
cs_confusion_view_get_params (CsConfusionView *self, CsConfusionParams *params)
{
  g_return_if_fail (CS_IS_CONFUSION_VIEW (self));

  memset (params, 0, sizeof *params);
  params->snapshot = self->snapshot;
  if (self->dataset != NULL)
    params->class_names = (const char *const *) self->dataset->class_names;
}

gboolean
cs_confusion_view_has_labels (CsConfusionView *self)
{
  g_return_val_if_fail (CS_IS_CONFUSION_VIEW (self), FALSE);
  return self->dataset == NULL || self->dataset->labels != NULL;
}

static void
cs_confusion_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CsConfusionView *self = CS_CONFUSION_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  CsConfusionParams params;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!cs_confusion_view_has_labels (self))
    {
      cs_plot_draw_message (cr, width, height, &self->style,
                            _ ("No true labels in this dataset to compare with"));
    }
  else
    {
      cs_confusion_view_get_params (self, &params);
      cs_plot_confusion_draw (cr, width, height, &self->style, &params);
    }
  cairo_destroy (cr);
}

static void
cs_confusion_view_measure (GtkWidget *widget,
                           GtkOrientation orientation,
                           int for_size,
                           int *minimum,
                           int *natural,
                           int *minimum_baseline,
                           int *natural_baseline)
{
  /* Small minimum so the panes can shrink; a natural size that shares the window sensibly. */
  *minimum = 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 500 : 280;
}

static void
cs_confusion_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  CsConfusionView *self = CS_CONFUSION_VIEW (widget);

  GTK_WIDGET_CLASS (cs_confusion_view_parent_class)->css_changed (widget, change);
  cs_plot_style_from_widget (widget, &self->style);
  gtk_widget_queue_draw (widget);
}

void
cs_confusion_view_set_dataset (CsConfusionView *self, CsDataset *dataset)
{
  g_return_if_fail (CS_IS_CONFUSION_VIEW (self));

  if (self->dataset == dataset)
    return;
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  self->dataset = dataset ? cs_dataset_ref (dataset) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cs_confusion_view_set_snapshot (CsConfusionView *self, CsSnapshot *snapshot)
{
  g_return_if_fail (CS_IS_CONFUSION_VIEW (self));

  if (self->snapshot == snapshot)
    return;
  g_clear_pointer (&self->snapshot, cs_snapshot_unref);
  self->snapshot = snapshot ? cs_snapshot_ref (snapshot) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

CsSnapshot *
cs_confusion_view_get_snapshot (CsConfusionView *self)
{
  g_return_val_if_fail (CS_IS_CONFUSION_VIEW (self), NULL);
  return self->snapshot;
}

static void
cs_confusion_view_finalize (GObject *object)
{
  CsConfusionView *self = CS_CONFUSION_VIEW (object);

  g_clear_pointer (&self->snapshot, cs_snapshot_unref);
  g_clear_pointer (&self->dataset, cs_dataset_unref);

  G_OBJECT_CLASS (cs_confusion_view_parent_class)->finalize (object);
}

static void
cs_confusion_view_class_init (CsConfusionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cs_confusion_view_finalize;
  widget_class->snapshot = cs_confusion_view_snapshot;
  widget_class->measure = cs_confusion_view_measure;
  widget_class->css_changed = cs_confusion_view_css_changed;

  gtk_widget_class_set_css_name (widget_class, "confusionview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_confusion_view_init (CsConfusionView *self)
{
  cs_plot_style_init (&self->style, FALSE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (GTK_WIDGET (self), "plot");
}

GtkWidget *
cs_confusion_view_new (void)
{
  return g_object_new (CS_TYPE_CONFUSION_VIEW, NULL);
}
