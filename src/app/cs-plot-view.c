/* cs-plot-view.c: the base of the plot widgets: dataset, history, style and a cached picture.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-plot-view"

#include "config.h"

#include "cs-plot-style.h"
#include "cs-plot-view.h"

#define MINIMUM_SIZE 120

typedef struct
{
  CsDataset *dataset;
  CsHistoryModel *history;
  CsSnapshot *snapshot; /* the history's current one, referenced */
  CsPlotStyle style;

  /* The rendered picture, and the state it was rendered for. */
  GdkTexture *cache;
  int cache_width, cache_height, cache_scale;
  guint serial; /* bumped by every change that alters the picture */
  guint cache_serial;
} CsPlotViewPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CsPlotView, cs_plot_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
cs_plot_view_invalidate (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_if_fail (CS_IS_PLOT_VIEW (self));
  /* One redraw per change: a second change before the next frame (a new epoch is an
   * items-changed and a new current one) only marks the picture again. Mapping or resizing
   * the widget redraws it anyway. */
  if (priv->serial++ == priv->cache_serial)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The history ------------------------------------------------------------------------------ */

static void
take_current (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);
  CsSnapshot *current = priv->history ? cs_history_model_get_current (priv->history) : NULL;

  if (current == priv->snapshot)
    return;
  g_clear_pointer (&priv->snapshot, cs_snapshot_unref);
  priv->snapshot = current ? cs_snapshot_ref (current) : NULL;
  if (CS_PLOT_VIEW_GET_CLASS (self)->current_changed != NULL)
    CS_PLOT_VIEW_GET_CLASS (self)->current_changed (self);
  cs_plot_view_invalidate (self);
}

static void
on_current_changed (CsHistoryModel *history, GParamSpec *pspec, CsPlotView *self)
{
  take_current (self);
}

static void
on_items_changed (GListModel *list, guint position, guint removed, guint added, CsPlotView *self)
{
  if (CS_PLOT_VIEW_GET_CLASS (self)->history_changed != NULL)
    CS_PLOT_VIEW_GET_CLASS (self)->history_changed (self);
}

void
cs_plot_view_set_history (CsPlotView *self, CsHistoryModel *history)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_if_fail (CS_IS_PLOT_VIEW (self));
  g_return_if_fail (history == NULL || CS_IS_HISTORY_MODEL (history));

  if (priv->history == history)
    return;
  if (priv->history != NULL)
    g_signal_handlers_disconnect_by_data (priv->history, self);
  g_set_object (&priv->history, history);
  if (history != NULL)
    {
      g_signal_connect_object (history, "notify::current", G_CALLBACK (on_current_changed), self,
                               G_CONNECT_DEFAULT);
      g_signal_connect_object (history, "items-changed", G_CALLBACK (on_items_changed), self,
                               G_CONNECT_DEFAULT);
    }
  take_current (self);
  on_items_changed (NULL, 0, 0, 0, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

CsHistoryModel *
cs_plot_view_get_history (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_val_if_fail (CS_IS_PLOT_VIEW (self), NULL);
  return priv->history;
}

CsSnapshot *
cs_plot_view_get_snapshot (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_val_if_fail (CS_IS_PLOT_VIEW (self), NULL);
  return priv->snapshot;
}

/* Dataset and style ----------------------------------------------------------------------- */

void
cs_plot_view_set_dataset (CsPlotView *self, CsDataset *dataset)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_if_fail (CS_IS_PLOT_VIEW (self));

  if (priv->dataset == dataset)
    return;
  g_clear_pointer (&priv->dataset, cs_dataset_unref);
  priv->dataset = dataset ? cs_dataset_ref (dataset) : NULL;
  if (CS_PLOT_VIEW_GET_CLASS (self)->dataset_changed != NULL)
    CS_PLOT_VIEW_GET_CLASS (self)->dataset_changed (self);
  cs_plot_view_invalidate (self);
}

CsDataset *
cs_plot_view_get_dataset (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_val_if_fail (CS_IS_PLOT_VIEW (self), NULL);
  return priv->dataset;
}

const CsPlotStyle *
cs_plot_view_get_style (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_return_val_if_fail (CS_IS_PLOT_VIEW (self), NULL);
  return &priv->style;
}

static void
cs_plot_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  CsPlotView *self = CS_PLOT_VIEW (widget);
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  GTK_WIDGET_CLASS (cs_plot_view_parent_class)->css_changed (widget, change);
  cs_plot_style_from_widget (widget, &priv->style);
  cs_plot_view_invalidate (self);
}

/* Drawing ---------------------------------------------------------------------------------- */

static void
render_cache (CsPlotView *self, int width, int height, int scale)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);
  g_autoptr (GBytes) bytes = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  int stride;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  CS_PLOT_VIEW_GET_CLASS (self)->draw (self, cr, width, height, &priv->style);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* The texture takes the surface's pixels without a copy. */
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * height * scale,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  g_clear_object (&priv->cache);
  priv->cache
      = gdk_memory_texture_new (width * scale, height * scale, GDK_MEMORY_DEFAULT, bytes, stride);
  priv->cache_width = width;
  priv->cache_height = height;
  priv->cache_scale = scale;
  priv->cache_serial = priv->serial;
}

static void
cs_plot_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CsPlotView *self = CS_PLOT_VIEW (widget);
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);

  if (width <= 0 || height <= 0)
    return;
  if (priv->cache == NULL || priv->cache_serial != priv->serial || priv->cache_width != width
      || priv->cache_height != height || priv->cache_scale != scale)
    render_cache (self, width, height, scale);
  gtk_snapshot_append_texture (snapshot, priv->cache, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
cs_plot_view_measure (GtkWidget *widget,
                      GtkOrientation orientation,
                      int for_size,
                      int *minimum,
                      int *natural,
                      int *minimum_baseline,
                      int *natural_baseline)
{
  CsPlotViewClass *klass = CS_PLOT_VIEW_GET_CLASS (widget);

  *minimum = MINIMUM_SIZE;
  *natural
      = orientation == GTK_ORIENTATION_HORIZONTAL ? klass->natural_width : klass->natural_height;
}

/* GObject ---------------------------------------------------------------------------------- */

static void
cs_plot_view_dispose (GObject *object)
{
  cs_plot_view_set_history (CS_PLOT_VIEW (object), NULL);

  G_OBJECT_CLASS (cs_plot_view_parent_class)->dispose (object);
}

static void
cs_plot_view_finalize (GObject *object)
{
  CsPlotView *self = CS_PLOT_VIEW (object);
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  g_clear_pointer (&priv->snapshot, cs_snapshot_unref);
  g_clear_pointer (&priv->dataset, cs_dataset_unref);
  g_clear_object (&priv->cache);

  G_OBJECT_CLASS (cs_plot_view_parent_class)->finalize (object);
}

static void
cs_plot_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsPlotView *self = CS_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, cs_plot_view_get_history (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_plot_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CsPlotView *self = CS_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      cs_plot_view_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_plot_view_class_init (CsPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_plot_view_dispose;
  object_class->finalize = cs_plot_view_finalize;
  object_class->get_property = cs_plot_view_get_property;
  object_class->set_property = cs_plot_view_set_property;
  widget_class->snapshot = cs_plot_view_snapshot;
  widget_class->measure = cs_plot_view_measure;
  widget_class->css_changed = cs_plot_view_css_changed;

  klass->natural_width = 500;
  klass->natural_height = 280;

  properties[PROP_HISTORY]
      = g_param_spec_object ("history", NULL, NULL, CS_TYPE_HISTORY_MODEL,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_plot_view_init (CsPlotView *self)
{
  CsPlotViewPrivate *priv = cs_plot_view_get_instance_private (self);

  cs_plot_style_init (&priv->style, FALSE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (GTK_WIDGET (self), "plot");
}
