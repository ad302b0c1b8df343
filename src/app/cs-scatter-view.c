/* cs-scatter-view.c: the latent scatter widget: zoom, pan, hover details with a thumbnail.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-scatter-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-plot-style.h"
#include "cs-scatter-view.h"

#define HIT_RADIUS 6.0
#define THUMB_SCALE 3

struct _CsScatterView
{
  GtkWidget parent_instance;

  CsDataset *dataset;
  CsSnapshot *snapshot;
  GPtrArray *trail; /* CsSnapshot */

  CsColorBy color_by;
  gboolean user_view; /* FALSE: fit every epoch */
  CsViewport view;
  gssize highlight;

  CsViewport drag_view;
  double pointer_x, pointer_y; /* last pointer position, -1 when outside */
  CsPlotStyle style;

  /* The rendered points, and what they were rendered from. */
  GdkTexture *cache;
  CsSnapshot *cache_snapshot; /* compared, never dereferenced */
  guint cache_n_trail;
  int cache_width, cache_height, cache_scale;
  guint serial; /* bumped by every change that alters the picture */
  guint cache_serial;
};

G_DEFINE_FINAL_TYPE (CsScatterView, cs_scatter_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_COLOR_BY,
  PROP_ZOOMED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fill_params (CsScatterView *self, CsScatterParams *params)
{
  cs_plot_scatter_params_init (params);
  params->snapshot = self->snapshot;
  params->trail = (CsSnapshot *const *) self->trail->pdata;
  params->n_trail = self->trail->len;
  if (self->dataset != NULL && self->dataset->labels != NULL && self->snapshot != NULL
      && self->snapshot->n == self->dataset->n)
    {
      params->labels = self->dataset->labels;
      params->n_classes = self->dataset->n_classes;
      params->class_names = (const char *const *) self->dataset->class_names;
    }
  params->color_by = params->labels != NULL ? self->color_by : CS_COLOR_BY_CLUSTER;
  if (self->user_view)
    params->view = self->view;
  params->show_legend = TRUE;
  params->highlight = self->highlight;
  params->empty_message
      = self->dataset == NULL ? _ ("Open a dataset to begin") : _ ("No data yet — press Start");
}

void
cs_scatter_view_get_params (CsScatterView *self, CsScatterParams *params)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  fill_params (self, params);
}

/* The view in data coordinates, fitted when the user has not zoomed. */
static gboolean
current_view (CsScatterView *self, CsViewport *view)
{
  if (self->user_view)
    {
      *view = self->view;
      return TRUE;
    }
  if (self->snapshot == NULL)
    return FALSE;
  cs_plot_scatter_fit (self->snapshot, view);
  return view->x1 > view->x0 && view->y1 > view->y0;
}

static void
set_view (CsScatterView *self, const CsViewport *view)
{
  gboolean was = self->user_view;

  if (view != NULL)
    {
      self->view = *view;
      self->user_view = TRUE;
    }
  else
    self->user_view = FALSE;
  self->serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (was != self->user_view)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOMED]);
}

static void
zoom_at (CsScatterView *self, double px, double py, double factor)
{
  CsScatterParams params;
  CsViewport view, zoomed;
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double cx, cy;

  if (!current_view (self, &view) || factor <= 0)
    return;
  fill_params (self, &params);
  params.view = view;
  cs_plot_scatter_pixel_to_data (width, height, &params, px, py, &cx, &cy);

  zoomed.x0 = cx - (cx - view.x0) / factor;
  zoomed.x1 = cx + (view.x1 - cx) / factor;
  zoomed.y0 = cy - (cy - view.y0) / factor;
  zoomed.y1 = cy + (view.y1 - cy) / factor;
  if (!(zoomed.x1 - zoomed.x0 > 1e-9 && zoomed.y1 - zoomed.y0 > 1e-9))
    return;
  set_view (self, &zoomed);
}

void
cs_scatter_view_zoom (CsScatterView *self, double factor)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  zoom_at (self, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0, factor);
}

void
cs_scatter_view_zoom_to_fit (CsScatterView *self)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  set_view (self, NULL);
}

gboolean
cs_scatter_view_get_viewport (CsScatterView *self, CsViewport *view)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), FALSE);
  if (self->user_view && view != NULL)
    *view = self->view;
  return self->user_view;
}

/* Input ------------------------------------------------------------------------------------ */

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, CsScatterView *self)
{
  double x = self->pointer_x, y = self->pointer_y;

  if (x < 0 || y < 0)
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  zoom_at (self, x, y, pow (1.2, -dy));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CsScatterView *self)
{
  if (!current_view (self, &self->drag_view))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, CsScatterView *self)
{
  CsScatterParams params;
  CsViewport view = self->drag_view;
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double ax, ay, bx, by;

  if (fabs (offset_x) < 1 && fabs (offset_y) < 1)
    return;
  fill_params (self, &params);
  params.view = self->drag_view;
  cs_plot_scatter_pixel_to_data (width, height, &params, 0, 0, &ax, &ay);
  cs_plot_scatter_pixel_to_data (width, height, &params, offset_x, offset_y, &bx, &by);
  view.x0 -= bx - ax;
  view.x1 -= bx - ax;
  view.y0 -= by - ay;
  view.y1 -= by - ay;
  set_view (self, &view);
}

static void
on_drag_end (GtkGestureDrag *gesture, double offset_x, double offset_y, CsScatterView *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CsScatterView *self)
{
  if (n_press == 2)
    cs_scatter_view_zoom_to_fit (self);
}

static gssize
hit (CsScatterView *self, double x, double y)
{
  CsScatterParams params;

  if (self->snapshot == NULL)
    return -1;
  fill_params (self, &params);
  return cs_plot_scatter_hit (gtk_widget_get_width (GTK_WIDGET (self)),
                              gtk_widget_get_height (GTK_WIDGET (self)), &params, x, y, HIT_RADIUS);
}

static void
set_highlight (CsScatterView *self, gssize index)
{
  if (self->highlight == index)
    return;
  self->highlight = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, CsScatterView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  set_highlight (self, hit (self, x, y));
}

static void
on_leave (GtkEventControllerMotion *controller, CsScatterView *self)
{
  self->pointer_x = self->pointer_y = -1;
  set_highlight (self, -1);
}

/* A crisp, enlarged grey-scale picture of sample i (nearest neighbour, so pixels stay square). */
static GdkTexture *
make_thumbnail (CsDataset *dataset, gsize i)
{
  guint w = dataset->image_width, h = dataset->image_height;
  guint tw = w * THUMB_SCALE, th = h * THUMB_SCALE;
  const float *row = dataset->x + i * dataset->d;
  g_autoptr (GBytes) bytes = NULL;
  guint8 *pixels;

  if ((gsize) w * h != dataset->d || w == 0 || h == 0)
    return NULL;
  pixels = g_malloc ((gsize) tw * th * 3);
  for (guint y = 0; y < th; y++)
    for (guint x = 0; x < tw; x++)
      {
        float v = row[(y / THUMB_SCALE) * w + x / THUMB_SCALE];
        /* Fashion-MNIST is white on black; a dark object on white reads better in a tooltip. */
        guint8 g = (guint8) CLAMP (255.0f * (1.0f - v), 0.0f, 255.0f);
        guint8 *p = pixels + ((gsize) y * tw + x) * 3;

        p[0] = p[1] = p[2] = g;
      }
  bytes = g_bytes_new_take (pixels, (gsize) tw * th * 3);
  return gdk_memory_texture_new (tw, th, GDK_MEMORY_R8G8B8, bytes, (gsize) tw * 3);
}

static gboolean
on_query_tooltip (GtkWidget *widget,
                  int x,
                  int y,
                  gboolean keyboard_mode,
                  GtkTooltip *tooltip,
                  CsScatterView *self)
{
  CsSnapshot *snapshot = self->snapshot;
  g_autoptr (GString) text = NULL;
  GtkWidget *box, *label;
  gssize i;
  guint cluster;

  if (keyboard_mode || snapshot == NULL)
    return FALSE;
  i = hit (self, x, y);
  if (i < 0 || (gsize) i >= snapshot->n)
    return FALSE;

  cluster = snapshot->clusters[i];
  text = g_string_new (NULL);
  g_string_append_printf (text, "<b>%s</b> %" G_GSSIZE_FORMAT, _ ("Point"), i);
  if (self->dataset != NULL && self->dataset->labels != NULL && (gsize) i < self->dataset->n)
    {
      gint32 label_index = self->dataset->labels[i];
      const char *name = self->dataset->class_names && label_index >= 0
                                 && (guint) label_index < self->dataset->n_classes
                             ? self->dataset->class_names[label_index]
                             : NULL;
      g_autofree char *escaped = name ? g_markup_escape_text (name, -1) : NULL;

      if (escaped != NULL)
        g_string_append_printf (text, "\n%s: %s (%d)", _ ("Label"), escaped, label_index);
      else
        g_string_append_printf (text, "\n%s: %d", _ ("Label"), label_index);
    }
  /* Numbered from 0, as in the legend. */
  g_string_append_printf (text, "\n%s: %u", _ ("Cluster"), cluster);
  if (snapshot->cluster_to_class != NULL && cluster < snapshot->k
      && snapshot->cluster_to_class[cluster] >= 0 && self->dataset != NULL
      && self->dataset->class_names != NULL
      && (guint) snapshot->cluster_to_class[cluster] < self->dataset->n_classes)
    {
      g_autofree char *escaped = g_markup_escape_text (
          self->dataset->class_names[snapshot->cluster_to_class[cluster]], -1);

      g_string_append_printf (text, " <span alpha=\"70%%\">(≈ %s)</span>", escaped);
    }
  g_string_append_printf (text, "\n%s: %.2f", _ ("Confidence"), snapshot->confidence[i]);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  if (self->dataset != NULL && self->dataset->image_width > 0 && (gsize) i < self->dataset->n)
    {
      g_autoptr (GdkTexture) texture = make_thumbnail (self->dataset, i);

      if (texture != NULL)
        {
          GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));

          gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
          gtk_widget_add_css_class (picture, "thumbnail");
          gtk_box_append (GTK_BOX (box), picture);
        }
    }
  label = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (label), text->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), label);
  gtk_tooltip_set_custom (tooltip, box);
  return TRUE;
}

/* Drawing ---------------------------------------------------------------------------------- */

/* The points are drawn once into a texture per epoch, view, colouring and size; hovering
 * only adds the ring on top, so moving the pointer over 70 000 points stays cheap. */
static gboolean
cache_valid (CsScatterView *self, int width, int height, int scale)
{
  return self->cache != NULL && self->cache_snapshot == self->snapshot
         && self->cache_n_trail == self->trail->len && self->cache_width == width
         && self->cache_height == height && self->cache_scale == scale
         && self->cache_serial == self->serial;
}

static void
render_cache (CsScatterView *self, int width, int height, int scale)
{
  g_autoptr (GBytes) bytes = NULL;
  CsScatterParams params;
  cairo_surface_t *surface;
  cairo_t *cr;
  int stride;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  fill_params (self, &params);
  params.highlight = -1;
  cs_plot_scatter_draw (cr, width, height, &self->style, &params);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * height * scale,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  g_clear_object (&self->cache);
  self->cache
      = gdk_memory_texture_new (width * scale, height * scale, GDK_MEMORY_DEFAULT, bytes, stride);
  self->cache_snapshot = self->snapshot;
  self->cache_n_trail = self->trail->len;
  self->cache_width = width;
  self->cache_height = height;
  self->cache_scale = scale;
  self->cache_serial = self->serial;
}

static void
cs_scatter_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CsScatterView *self = CS_SCATTER_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  CsScatterParams params;

  if (width <= 0 || height <= 0)
    return;
  if (!cache_valid (self, width, height, scale))
    render_cache (self, width, height, scale);
  gtk_snapshot_append_texture (snapshot, self->cache, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->snapshot != NULL && self->highlight >= 0 && (gsize) self->highlight < self->snapshot->n)
    {
      const float *xy = self->snapshot->xy + 2 * self->highlight;
      double px, py, ax, ay, aw, ah;
      cairo_t *cr;

      fill_params (self, &params);
      cs_plot_scatter_area (width, height, &params, &ax, &ay, &aw, &ah);
      cs_plot_scatter_data_to_pixel (width, height, &params, xy[0], xy[1], &px, &py);
      if (px < ax || px > ax + aw || py < ay || py > ay + ah)
        return;
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_arc (cr, px, py, 6.0, 0, 2 * G_PI);
      cairo_set_line_width (cr, 3.5);
      cs_plot_set_source (cr, &self->style.background);
      cairo_stroke_preserve (cr);
      cairo_set_line_width (cr, 1.75);
      cs_plot_set_source (cr, &self->style.foreground);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }
}

static void
cs_scatter_view_measure (GtkWidget *widget,
                         GtkOrientation orientation,
                         int for_size,
                         int *minimum,
                         int *natural,
                         int *minimum_baseline,
                         int *natural_baseline)
{
  /* Small minimum so the panes can shrink; a natural size that shares the window sensibly. */
  *minimum = 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 480;
}

static void
cs_scatter_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  CsScatterView *self = CS_SCATTER_VIEW (widget);

  GTK_WIDGET_CLASS (cs_scatter_view_parent_class)->css_changed (widget, change);
  cs_plot_style_from_widget (widget, &self->style);
  self->serial++;
  gtk_widget_queue_draw (widget);
}

/* API -------------------------------------------------------------------------------------- */

void
cs_scatter_view_set_dataset (CsScatterView *self, CsDataset *dataset)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));

  if (self->dataset == dataset)
    return;
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  self->dataset = dataset ? cs_dataset_ref (dataset) : NULL;
  self->highlight = -1;
  set_view (self, NULL);
}

void
cs_scatter_view_set_snapshot (CsScatterView *self,
                              CsSnapshot *snapshot,
                              CsSnapshot *const *trail,
                              guint n_trail)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));

  if (snapshot != self->snapshot)
    {
      g_clear_pointer (&self->snapshot, cs_snapshot_unref);
      self->snapshot = snapshot ? cs_snapshot_ref (snapshot) : NULL;
    }
  g_ptr_array_set_size (self->trail, 0);
  for (guint i = 0; i < n_trail; i++)
    g_ptr_array_add (self->trail, cs_snapshot_ref (trail[i]));
  if (self->snapshot == NULL || (gsize) self->highlight >= self->snapshot->n)
    self->highlight = -1;
  self->serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

CsSnapshot *
cs_scatter_view_get_snapshot (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), NULL);
  return self->snapshot;
}

guint
cs_scatter_view_get_n_trail (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), 0);
  return self->trail->len;
}

void
cs_scatter_view_set_color_by (CsScatterView *self, CsColorBy color_by)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));

  if (self->color_by == color_by)
    return;
  self->color_by = color_by;
  self->serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_BY]);
}

CsColorBy
cs_scatter_view_get_color_by (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), CS_COLOR_BY_CLUSTER);
  return self->color_by;
}

/* GObject ---------------------------------------------------------------------------------- */

static void
cs_scatter_view_finalize (GObject *object)
{
  CsScatterView *self = CS_SCATTER_VIEW (object);

  g_clear_pointer (&self->snapshot, cs_snapshot_unref);
  g_clear_pointer (&self->dataset, cs_dataset_unref);
  g_clear_pointer (&self->trail, g_ptr_array_unref);
  g_clear_object (&self->cache);

  G_OBJECT_CLASS (cs_scatter_view_parent_class)->finalize (object);
}

static void
cs_scatter_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CsScatterView *self = CS_SCATTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_COLOR_BY:
      g_value_set_int (value, self->color_by);
      break;
    case PROP_ZOOMED:
      g_value_set_boolean (value, self->user_view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_scatter_view_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  CsScatterView *self = CS_SCATTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_COLOR_BY:
      cs_scatter_view_set_color_by (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_scatter_view_class_init (CsScatterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cs_scatter_view_finalize;
  object_class->get_property = cs_scatter_view_get_property;
  object_class->set_property = cs_scatter_view_set_property;
  widget_class->snapshot = cs_scatter_view_snapshot;
  widget_class->measure = cs_scatter_view_measure;
  widget_class->css_changed = cs_scatter_view_css_changed;

  properties[PROP_COLOR_BY] = g_param_spec_int (
      "color-by", NULL, NULL, CS_COLOR_BY_CLUSTER, CS_COLOR_BY_LABEL, CS_COLOR_BY_CLUSTER,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOMED]
      = g_param_spec_boolean ("zoomed", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "scatterview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_scatter_view_init (CsScatterView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->trail = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  self->highlight = -1;
  self->pointer_x = self->pointer_y = -1;
  cs_plot_style_init (&self->style, FALSE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "plot");

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL
                                                | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
}

GtkWidget *
cs_scatter_view_new (void)
{
  return g_object_new (CS_TYPE_SCATTER_VIEW, NULL);
}
