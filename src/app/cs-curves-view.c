/* cs-curves-view.c: the metric curves widget, with a read-out of the epoch under the pointer.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-curves-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cs-curves-view.h"

struct _CsCurvesView
{
  CsPlotView parent_instance;

  CsHistory *compare; /* another run drawn dashed, or NULL */
  char *compare_name;
};

G_DEFINE_FINAL_TYPE (CsCurvesView, cs_curves_view, CS_TYPE_PLOT_VIEW)

static void
fill_params (CsCurvesView *self, CsCurvesParams *params)
{
  CsHistoryModel *model = cs_plot_view_get_history (CS_PLOT_VIEW (self));

  memset (params, 0, sizeof *params);
  params->cursor = -1;
  params->show_losses = TRUE;
  if (model == NULL)
    return;
  params->history = cs_history_peek (cs_history_model_get_history (model), &params->n);
  params->cursor = cs_history_model_get_position (model);
  if (self->compare != NULL)
    {
      params->compare = cs_history_peek (self->compare, &params->n_compare);
      params->compare_name = self->compare_name;
    }
}

void
cs_curves_view_set_comparison (CsCurvesView *self, CsHistory *history, const char *name)
{
  g_return_if_fail (CS_IS_CURVES_VIEW (self));

  g_clear_pointer (&self->compare, cs_history_unref);
  g_clear_pointer (&self->compare_name, g_free);
  if (history != NULL)
    {
      self->compare = cs_history_ref (history);
      self->compare_name = g_strdup (name);
    }
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

gboolean
cs_curves_view_has_comparison (CsCurvesView *self)
{
  g_return_val_if_fail (CS_IS_CURVES_VIEW (self), FALSE);
  return self->compare != NULL;
}

void
cs_curves_view_get_params (CsCurvesView *self, CsCurvesParams *params)
{
  g_return_if_fail (CS_IS_CURVES_VIEW (self));
  fill_params (self, params);
}

static gint
hit (CsCurvesView *self, double x, CsCurvesParams *params)
{
  fill_params (self, params);
  if (params->n == 0)
    return -1;
  return cs_plot_curves_hit (gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)), params, x);
}

/* Fixed-point for scores in [0, 1], general notation for losses that span decades. */
static void
append_metric (GString *text, const char *name, double value, gboolean general, const char *suffix)
{
  if (isnan (value))
    return;
  if (general)
    g_string_append_printf (text, "\n%s: %.4g%s", name, value, suffix);
  else
    g_string_append_printf (text, "\n%s: %.3f%s", name, value, suffix);
}

static gboolean
on_query_tooltip (GtkWidget *widget,
                  int x,
                  int y,
                  gboolean keyboard_mode,
                  GtkTooltip *tooltip,
                  CsCurvesView *self)
{
  g_autoptr (GString) text = NULL;
  CsCurvesParams params;
  const CsSnapshot *s;
  gint i;

  if (keyboard_mode)
    return FALSE;
  i = hit (self, x, &params);
  if (i < 0 || (guint) i >= params.n)
    return FALSE;
  s = params.history[i];

  text = g_string_new (NULL);
  g_string_append_printf (text, "<b>");
  g_string_append_printf (text, _ ("Epoch %u"), s->epoch);
  g_string_append_printf (text, "</b> · %s %u",
                          s->phase == CS_PHASE_PRETRAIN ? _ ("pretraining") : _ ("clustering"),
                          s->phase_epoch);
  append_metric (text, _ ("ACC"), s->metrics.acc, FALSE, "");
  append_metric (text, _ ("NMI"), s->metrics.nmi, FALSE, "");
  append_metric (text, _ ("ARI"), s->metrics.ari, FALSE, "");
  append_metric (text, _ ("Reconstruction loss"), s->metrics.loss_rec, TRUE, "");
  append_metric (text, _ ("Clustering loss"), s->metrics.loss_clu, TRUE, "");
  append_metric (text, _ ("Labels changed"), s->metrics.label_change * 100.0, TRUE, " %");
  g_string_append_printf (text, "\n%s: %u · %s: %g", _ ("K"), s->settings.k, _ ("learning rate"),
                          s->settings.lr);
  if (s->reinitialised)
    g_string_append_printf (text, "\n<i>%s</i>", _ ("Centroids re-initialised"));
  if (s->changed != 0)
    g_string_append_printf (text, "\n<i>%s</i>", _ ("Settings changed"));
  gtk_tooltip_set_markup (tooltip, text->str);
  return TRUE;
}

/* A click on an epoch moves the history's cursor there, for every view. */
static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CsCurvesView *self)
{
  CsCurvesParams params;
  gint i = hit (self, x, &params);

  if (i >= 0)
    cs_history_model_set_position (cs_plot_view_get_history (CS_PLOT_VIEW (self)), i);
}

static void
cs_curves_view_draw (CsPlotView *view, cairo_t *cr, int width, int height, const CsPlotStyle *style)
{
  CsCurvesParams params;

  fill_params (CS_CURVES_VIEW (view), &params);
  cs_plot_curves_draw (cr, width, height, style, &params);
}

static void
cs_curves_view_finalize (GObject *object)
{
  CsCurvesView *self = CS_CURVES_VIEW (object);

  g_clear_pointer (&self->compare, cs_history_unref);
  g_free (self->compare_name);
  G_OBJECT_CLASS (cs_curves_view_parent_class)->finalize (object);
}

static void
cs_curves_view_class_init (CsCurvesViewClass *klass)
{
  CsPlotViewClass *view_class = CS_PLOT_VIEW_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cs_curves_view_finalize;
  view_class->draw = cs_curves_view_draw;
  /* Every epoch is on the curves, not only the one at the cursor. */
  view_class->history_changed = cs_plot_view_invalidate;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "curvesview");
}

static void
cs_curves_view_init (CsCurvesView *self)
{
  GtkGesture *gesture;

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
}

GtkWidget *
cs_curves_view_new (void)
{
  return g_object_new (CS_TYPE_CURVES_VIEW, NULL);
}
