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
#include "cs-plot-style.h"

struct _CsCurvesView
{
  GtkWidget parent_instance;

  GPtrArray *history; /* CsSnapshot */
  gint cursor;
  CsPlotStyle style;
};

G_DEFINE_FINAL_TYPE (CsCurvesView, cs_curves_view, GTK_TYPE_WIDGET)

enum
{
  EPOCH_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fill_params (CsCurvesView *self, CsCurvesParams *params)
{
  memset (params, 0, sizeof *params);
  params->history = (CsSnapshot *const *) self->history->pdata;
  params->n = self->history->len;
  params->cursor = self->cursor;
  params->show_losses = TRUE;
}

void
cs_curves_view_get_params (CsCurvesView *self, CsCurvesParams *params)
{
  g_return_if_fail (CS_IS_CURVES_VIEW (self));
  fill_params (self, params);
}

static gint
hit (CsCurvesView *self, double x)
{
  CsCurvesParams params;

  if (self->history->len == 0)
    return -1;
  fill_params (self, &params);
  return cs_plot_curves_hit (gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)), &params, x);
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
  const CsSnapshot *s;
  gint i;

  if (keyboard_mode)
    return FALSE;
  i = hit (self, x);
  if (i < 0 || (guint) i >= self->history->len)
    return FALSE;
  s = g_ptr_array_index (self->history, i);

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

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CsCurvesView *self)
{
  gint i = hit (self, x);

  if (i >= 0)
    g_signal_emit (self, signals[EPOCH_ACTIVATED], 0, i);
}

static void
cs_curves_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CsCurvesView *self = CS_CURVES_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  CsCurvesParams params;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  fill_params (self, &params);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cs_plot_curves_draw (cr, width, height, &self->style, &params);
  cairo_destroy (cr);
}

static void
cs_curves_view_measure (GtkWidget *widget,
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
cs_curves_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  CsCurvesView *self = CS_CURVES_VIEW (widget);

  GTK_WIDGET_CLASS (cs_curves_view_parent_class)->css_changed (widget, change);
  cs_plot_style_from_widget (widget, &self->style);
  gtk_widget_queue_draw (widget);
}

void
cs_curves_view_set_history (CsCurvesView *self, CsSnapshot *const *history, guint n)
{
  g_return_if_fail (CS_IS_CURVES_VIEW (self));

  g_ptr_array_set_size (self->history, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->history, cs_snapshot_ref (history[i]));
  if (self->cursor >= (gint) n)
    self->cursor = (gint) n - 1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
cs_curves_view_get_n_history (CsCurvesView *self)
{
  g_return_val_if_fail (CS_IS_CURVES_VIEW (self), 0);
  return self->history->len;
}

CsSnapshot *
cs_curves_view_get_snapshot (CsCurvesView *self, guint index)
{
  g_return_val_if_fail (CS_IS_CURVES_VIEW (self), NULL);
  return index < self->history->len ? g_ptr_array_index (self->history, index) : NULL;
}

void
cs_curves_view_set_cursor (CsCurvesView *self, gint index)
{
  g_return_if_fail (CS_IS_CURVES_VIEW (self));

  if (self->cursor == index)
    return;
  self->cursor = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint
cs_curves_view_get_cursor (CsCurvesView *self)
{
  g_return_val_if_fail (CS_IS_CURVES_VIEW (self), -1);
  return self->cursor;
}

static void
cs_curves_view_finalize (GObject *object)
{
  CsCurvesView *self = CS_CURVES_VIEW (object);

  g_clear_pointer (&self->history, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_curves_view_parent_class)->finalize (object);
}

static void
cs_curves_view_class_init (CsCurvesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cs_curves_view_finalize;
  widget_class->snapshot = cs_curves_view_snapshot;
  widget_class->measure = cs_curves_view_measure;
  widget_class->css_changed = cs_curves_view_css_changed;

  /* (history index): the user clicked an epoch. */
  signals[EPOCH_ACTIVATED]
      = g_signal_new ("epoch-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "curvesview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_curves_view_init (CsCurvesView *self)
{
  GtkGesture *gesture;

  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  self->cursor = -1;
  cs_plot_style_init (&self->style, FALSE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (GTK_WIDGET (self), "plot");

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
