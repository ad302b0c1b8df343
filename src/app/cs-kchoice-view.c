/* cs-kchoice-view.c: the "Choose K" plot widget: hover highlights a K, a click picks it.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-kchoice-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cs-kchoice-view.h"

struct _CsKChoiceView
{
  CsPlotView parent_instance;

  guint k_min, k_max;
  double *inertia, *silhouette;
  guint current_k, hover_k;
};

G_DEFINE_FINAL_TYPE (CsKChoiceView, cs_kchoice_view, CS_TYPE_PLOT_VIEW)

enum
{
  SIGNAL_K_ACTIVATED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

void
cs_kchoice_view_get_params (CsKChoiceView *self, CsKChoiceParams *params)
{
  g_return_if_fail (CS_IS_KCHOICE_VIEW (self));

  memset (params, 0, sizeof *params);
  params->k_min = self->k_min;
  params->k_max = self->k_max;
  params->inertia = self->inertia;
  params->silhouette = self->silhouette;
  params->current_k = self->current_k;
  params->hover_k = self->hover_k;
}

void
cs_kchoice_view_set_values (
    CsKChoiceView *self, guint k_min, guint k_max, const double *inertia, const double *silhouette)
{
  gsize n;

  g_return_if_fail (CS_IS_KCHOICE_VIEW (self));
  g_return_if_fail (k_max >= k_min && inertia != NULL && silhouette != NULL);

  n = k_max - k_min + 1;
  self->k_min = k_min;
  self->k_max = k_max;
  g_free (self->inertia);
  g_free (self->silhouette);
  self->inertia = g_memdup2 (inertia, n * sizeof (double));
  self->silhouette = g_memdup2 (silhouette, n * sizeof (double));
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
  /* A tooltip open on a K that was "not computed yet" shows its values as they arrive. */
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

void
cs_kchoice_view_set_current_k (CsKChoiceView *self, guint k)
{
  g_return_if_fail (CS_IS_KCHOICE_VIEW (self));

  if (self->current_k == k)
    return;
  self->current_k = k;
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

static guint
hit (CsKChoiceView *self, double x, double y)
{
  CsKChoiceParams params;

  cs_kchoice_view_get_params (self, &params);
  return cs_plot_kchoice_hit (gtk_widget_get_width (GTK_WIDGET (self)),
                              gtk_widget_get_height (GTK_WIDGET (self)), &params, x, y);
}

static void
set_hover (CsKChoiceView *self, guint k)
{
  if (self->hover_k == k)
    return;
  self->hover_k = k;
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, CsKChoiceView *self)
{
  set_hover (self, hit (self, x, y));
}

static void
on_leave (GtkEventControllerMotion *controller, CsKChoiceView *self)
{
  set_hover (self, 0);
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, CsKChoiceView *self)
{
  guint k = hit (self, x, y);

  if (k != 0)
    g_signal_emit (self, signals[SIGNAL_K_ACTIVATED], 0, k);
}

static gboolean
on_query_tooltip (GtkWidget *widget,
                  int x,
                  int y,
                  gboolean keyboard_mode,
                  GtkTooltip *tooltip,
                  CsKChoiceView *self)
{
  g_autoptr (GString) text = NULL;
  guint k;
  double inertia, silhouette;

  if (keyboard_mode || (k = hit (self, x, y)) == 0)
    return FALSE;
  inertia = self->inertia[k - self->k_min];
  silhouette = self->silhouette[k - self->k_min];
  text = g_string_new (NULL);
  g_string_append_printf (text, "<b>K = %u</b>", k);
  if (isfinite (inertia))
    g_string_append_printf (text, "\n%s: %.4g\n%s: %.3f", _ ("Inertia"), inertia, _ ("Silhouette"),
                            silhouette);
  else
    g_string_append_printf (text, "\n%s", _ ("Not computed yet"));
  g_string_append_printf (text, "\n<i>%s</i>", _ ("Click to use this K"));
  gtk_tooltip_set_markup (tooltip, text->str);
  return TRUE;
}

static void
cs_kchoice_view_draw (
    CsPlotView *view, cairo_t *cr, int width, int height, const CsPlotStyle *style)
{
  CsKChoiceParams params;

  cs_kchoice_view_get_params (CS_KCHOICE_VIEW (view), &params);
  cs_plot_kchoice_draw (cr, width, height, style, &params);
}

static void
cs_kchoice_view_finalize (GObject *object)
{
  CsKChoiceView *self = CS_KCHOICE_VIEW (object);

  g_free (self->inertia);
  g_free (self->silhouette);
  G_OBJECT_CLASS (cs_kchoice_view_parent_class)->finalize (object);
}

static void
cs_kchoice_view_class_init (CsKChoiceViewClass *klass)
{
  CsPlotViewClass *view_class = CS_PLOT_VIEW_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cs_kchoice_view_finalize;
  view_class->draw = cs_kchoice_view_draw;
  view_class->natural_width = 720;
  view_class->natural_height = 460;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "kchoiceview");

  signals[SIGNAL_K_ACTIVATED]
      = g_signal_new ("k-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cs_kchoice_view_init (CsKChoiceView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
}

GtkWidget *
cs_kchoice_view_new (void)
{
  return g_object_new (CS_TYPE_KCHOICE_VIEW, NULL);
}
