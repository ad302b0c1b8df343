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

static void
cs_confusion_view_class_init (CsConfusionViewClass *klass)
{
  CsPlotViewClass *view_class = CS_PLOT_VIEW_CLASS (klass);

  view_class->draw = cs_confusion_view_draw;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "confusionview");
}

static void
cs_confusion_view_init (CsConfusionView *self)
{
}

GtkWidget *
cs_confusion_view_new (void)
{
  return g_object_new (CS_TYPE_CONFUSION_VIEW, NULL);
}
