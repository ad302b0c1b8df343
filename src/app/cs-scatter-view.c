/* cs-scatter-view.c: the latent scatter widget: zoom, pan, hover details with a thumbnail.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-scatter-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cs-scatter-view.h"
#include "cs-thumbnail.h"

#define HIT_RADIUS 6.0
#define THUMB_SCALE 3

struct _CsScatterView
{
  CsPlotView parent_instance;

  CsColorBy color_by;
  gboolean user_view; /* FALSE: fit every epoch */
  CsViewport view;
  CsProjectionKind view_projection; /* the coordinates view is in */
  gssize highlight;

  guint *cluster_colors; /* matched to a compared run's clusters, or NULL */
  guint n_cluster_colors, palette_k;
  char *title;

  CsViewport drag_view;
  double pointer_x, pointer_y; /* last pointer position, -1 when outside */

  /* Selecting: the tool, the selection it changes, and the gesture under way. */
  CsSelectTool select_tool;
  CsSelection *selection;
  gboolean selecting;       /* a drag draws a lasso or rectangle */
  gboolean drag_dropped;    /* Escape dropped this drag's lasso: the rest of it does nothing */
  CsSelectMode select_mode; /* from the modifiers when the drag began */
  GArray *polygon;          /* double pairs, widget pixels: the lasso, or the rectangle's corners */
  double drag_x, drag_y;    /* where the drag began */

  /* The epochs in the projection in force, or NULL: each epoch as it was drawn. */
  CsReprojector *reprojector;
};

G_DEFINE_FINAL_TYPE (CsScatterView, cs_scatter_view, CS_TYPE_PLOT_VIEW)

enum
{
  PROP_0,
  PROP_COLOR_BY,
  PROP_ZOOMED,
  PROP_SELECT_TOOL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The epoch at the history's cursor as it was drawn. */
static inline CsSnapshot *
get_epoch (CsScatterView *self)
{
  return cs_plot_view_get_snapshot (CS_PLOT_VIEW (self));
}

/* The frame drawn: the epoch, or its re-projection in the projection in force when that is
 * ready. Hit tests, selections and exports go by the same frame as the picture. */
static inline CsSnapshot *
get_snapshot (CsScatterView *self)
{
  CsSnapshot *epoch = get_epoch (self);
  CsSnapshot *frame = self->reprojector != NULL && epoch != NULL
                          ? cs_reprojector_lookup (self->reprojector, epoch, NULL, NULL, NULL)
                          : NULL;

  return frame != NULL ? frame : epoch;
}

static inline CsDataset *
get_dataset (CsScatterView *self)
{
  return cs_plot_view_get_dataset (CS_PLOT_VIEW (self));
}

/* The earlier epochs whose centroids draw the trails (oldest first), from the history. */
static guint
get_trail (CsScatterView *self, CsSnapshot *const **trail)
{
  CsHistoryModel *model = cs_plot_view_get_history (CS_PLOT_VIEW (self));
  CsHistory *history;
  gint position;
  guint first;

  CsSnapshot *const *all;
  CsSnapshot *epoch = get_epoch (self);
  guint n_trail;

  *trail = NULL;
  if (model == NULL || (position = cs_history_model_get_position (model)) < 0)
    return 0;
  if (self->reprojector != NULL && epoch != NULL
      && cs_reprojector_lookup (self->reprojector, epoch, NULL, trail, &n_trail) != NULL)
    return n_trail;
  history = cs_history_model_get_history (model);
  first = cs_history_get_trail_start (history, position, CS_PLOT_SCATTER_TRAIL_LENGTH);
  all = cs_history_peek (history, NULL);
  /* Centroids drawn in another projection are in other coordinates. */
  while (first < (guint) position
         && all[first]->settings.projection != all[position]->settings.projection)
    first++;
  *trail = all + first;
  return position - first;
}

static void
fill_params (CsScatterView *self, CsScatterParams *params)
{
  CsSnapshot *snapshot = get_snapshot (self);
  CsDataset *dataset = get_dataset (self);

  cs_plot_scatter_params_init (params);
  params->snapshot = snapshot;
  params->n_trail = get_trail (self, &params->trail);
  if (dataset != NULL && dataset->labels != NULL && snapshot != NULL && snapshot->n == dataset->n)
    {
      params->labels = dataset->labels;
      params->n_classes = dataset->n_classes;
      params->class_names = (const char *const *) dataset->class_names;
    }
  params->color_by = params->labels != NULL ? self->color_by : CS_COLOR_BY_CLUSTER;
  if (dataset != NULL && snapshot != NULL && snapshot->n == dataset->n)
    {
      params->image_width = dataset->image_width;
      params->image_height = dataset->image_height;
    }
  if (self->user_view)
    params->view = self->view;
  params->show_legend = TRUE;
  params->highlight = self->highlight;
  params->cluster_colors = self->cluster_colors;
  params->n_cluster_colors = self->n_cluster_colors;
  params->palette_k = self->palette_k;
  params->title = self->title;
  if (self->selection != NULL && snapshot != NULL && cs_selection_get_count (self->selection) > 0
      && cs_selection_get_size (self->selection) == snapshot->n)
    {
      params->selected = cs_selection_get_mask (self->selection);
      params->n_selected = snapshot->n;
    }
  params->empty_message
      = dataset == NULL ? _ ("Open a dataset to begin") : _ ("No data yet — press Start");
}

void
cs_scatter_view_set_cluster_colors (CsScatterView *self,
                                    const guint *colors,
                                    guint n_colors,
                                    guint palette_k)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  if (colors == NULL && self->cluster_colors == NULL)
    return;
  if (colors != NULL && self->cluster_colors != NULL && n_colors == self->n_cluster_colors
      && palette_k == self->palette_k
      && memcmp (colors, self->cluster_colors, n_colors * sizeof (guint)) == 0)
    return;
  g_clear_pointer (&self->cluster_colors, g_free);
  self->cluster_colors = colors != NULL ? g_memdup2 (colors, n_colors * sizeof (guint)) : NULL;
  self->n_cluster_colors = colors != NULL ? n_colors : 0;
  self->palette_k = colors != NULL ? palette_k : 0;
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

void
cs_scatter_view_set_title (CsScatterView *self, const char *title)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  if (g_strcmp0 (title, self->title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
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
  if (get_snapshot (self) == NULL)
    return FALSE;
  cs_plot_scatter_fit (get_snapshot (self), view);
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
      if (get_snapshot (self) != NULL)
        self->view_projection = get_snapshot (self)->settings.projection;
    }
  else
    self->user_view = FALSE;
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
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

static gssize
hit (CsScatterView *self, double x, double y)
{
  CsScatterParams params;

  if (get_snapshot (self) == NULL)
    return -1;
  fill_params (self, &params);
  return cs_plot_scatter_hit (gtk_widget_get_width (GTK_WIDGET (self)),
                              gtk_widget_get_height (GTK_WIDGET (self)), &params, x, y, HIT_RADIUS);
}

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

/* The polygon of the selection gesture so far: the lasso's points, or the rectangle from
 * where the drag began to (x, y). */
static void
selection_extend (CsScatterView *self, double x, double y)
{
  GArray *poly = self->polygon;

  if (self->select_tool == CS_SELECT_TOOL_RECTANGLE)
    {
      double corners[8] = { self->drag_x, self->drag_y, x, self->drag_y, x, y, self->drag_x, y };

      g_array_set_size (poly, 0);
      g_array_append_vals (poly, corners, 8);
    }
  else
    {
      guint n = poly->len / 2;
      const double *last = n > 0 ? &g_array_index (poly, double, 2 * (n - 1)) : NULL;
      double point[2] = { x, y };

      /* A point every couple of pixels is smooth enough and keeps the test cheap. */
      if (last == NULL || fabs (last[0] - x) + fabs (last[1] - y) >= 2)
        g_array_append_vals (poly, point, 2);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
selection_finish (CsScatterView *self)
{
  CsSnapshot *snapshot = get_snapshot (self);
  CsScatterParams params;
  g_autofree guint8 *mask = NULL;
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  guint n = self->polygon->len / 2;

  self->selecting = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (snapshot == NULL || self->selection == NULL
      || cs_selection_get_size (self->selection) != snapshot->n)
    return;

  fill_params (self, &params);
  mask = g_malloc0 (snapshot->n);
  for (guint v = 0; v < n; v++)
    {
      const double *p = &g_array_index (self->polygon, double, 2 * v);

      x0 = MIN (x0, p[0]), x1 = MAX (x1, p[0]);
      y0 = MIN (y0, p[1]), y1 = MAX (y1, p[1]);
    }
  if (n >= 3 && x1 - x0 >= 3 && y1 - y0 >= 3)
    cs_plot_scatter_select_polygon (gtk_widget_get_width (GTK_WIDGET (self)),
                                    gtk_widget_get_height (GTK_WIDGET (self)), &params,
                                    (const double *) self->polygon->data, n, mask);
  else
    {
      /* A click: the point under it, or (replacing) nothing. */
      gssize i = hit (self, self->drag_x, self->drag_y);

      if (i >= 0 && (gsize) i < snapshot->n)
        mask[i] = 1;
    }
  g_array_set_size (self->polygon, 0);
  cs_selection_apply (self->selection, mask, self->select_mode);
}

/* The points of legend entry (a cluster, or a class when coloured by label). */
static void
select_category (CsScatterView *self, guint category, CsSelectMode mode)
{
  CsSnapshot *snapshot = get_snapshot (self);
  CsScatterParams params;
  g_autofree guint8 *mask = NULL;

  if (snapshot == NULL || self->selection == NULL
      || cs_selection_get_size (self->selection) != snapshot->n)
    return;
  fill_params (self, &params);
  mask = g_malloc0 (snapshot->n);
  for (gsize i = 0; i < snapshot->n; i++)
    mask[i] = params.color_by == CS_COLOR_BY_LABEL ? params.labels[i] == (gint32) category
                                                   : snapshot->clusters[i] == category;
  cs_selection_apply (self->selection, mask, mode);
}

static gint
legend_hit (CsScatterView *self, double x, double y)
{
  CsScatterParams params;

  if (get_snapshot (self) == NULL)
    return -1;
  fill_params (self, &params);
  return cs_plot_scatter_legend_hit (gtk_widget_get_width (GTK_WIDGET (self)),
                                     gtk_widget_get_height (GTK_WIDGET (self)),
                                     cs_plot_view_get_style (CS_PLOT_VIEW (self)), &params, x, y);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CsScatterView *self)
{
  GdkModifierType state
      = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  self->drag_dropped = FALSE;
  /* The legend is clicked, not dragged (see on_pressed). */
  if (legend_hit (self, x, y) >= 0)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  if (self->select_tool != CS_SELECT_TOOL_NONE)
    {
      self->selecting = TRUE;
      self->select_mode = cs_select_mode_from_state (state);
      self->drag_x = x;
      self->drag_y = y;
      g_array_set_size (self->polygon, 0);
      selection_extend (self, x, y);
      gtk_widget_grab_focus (GTK_WIDGET (self));
      return;
    }
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

  if (self->selecting)
    {
      selection_extend (self, self->drag_x + offset_x, self->drag_y + offset_y);
      return;
    }
  /* Not a pan: this drag began as a lasso (drag_view was never set for it). */
  if (self->drag_dropped)
    return;
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
  if (self->selecting)
    {
      selection_extend (self, self->drag_x + offset_x, self->drag_y + offset_y);
      selection_finish (self);
      return;
    }
  if (self->drag_dropped)
    {
      self->drag_dropped = FALSE;
      return;
    }
  /* A pan ends; a lasso cancelled with Escape leaves the tool's cursor as it is. */
  if (self->select_tool == CS_SELECT_TOOL_NONE)
    gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_drag_cancel (GtkGesture *gesture, GdkEventSequence *sequence, CsScatterView *self)
{
  self->selecting = FALSE;
  g_array_set_size (self->polygon, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CsScatterView *self)
{
  GdkModifierType state
      = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  gint category = legend_hit (self, x, y);

  if (category >= 0)
    {
      if (n_press == 1)
        select_category (self, (guint) category, cs_select_mode_from_state (state));
      return;
    }
  if (n_press == 2)
    cs_scatter_view_zoom_to_fit (self);
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

static gboolean
on_query_tooltip (GtkWidget *widget,
                  int x,
                  int y,
                  gboolean keyboard_mode,
                  GtkTooltip *tooltip,
                  CsScatterView *self)
{
  CsSnapshot *snapshot = get_snapshot (self);
  CsDataset *dataset = get_dataset (self);
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
  if (dataset != NULL && dataset->labels != NULL && (gsize) i < dataset->n)
    {
      gint32 label_index = dataset->labels[i];
      const char *name
          = dataset->class_names && label_index >= 0 && (guint) label_index < dataset->n_classes
                ? dataset->class_names[label_index]
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
      && snapshot->cluster_to_class[cluster] >= 0 && dataset != NULL && dataset->class_names != NULL
      && (guint) snapshot->cluster_to_class[cluster] < dataset->n_classes)
    {
      g_autofree char *escaped
          = g_markup_escape_text (dataset->class_names[snapshot->cluster_to_class[cluster]], -1);

      g_string_append_printf (text, " <span alpha=\"70%%\">(≈ %s)</span>", escaped);
    }
  g_string_append_printf (text, "\n%s: %.2f", _ ("Confidence"), snapshot->confidence[i]);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  if (dataset != NULL && dataset->image_width > 0 && (gsize) i < dataset->n)
    {
      g_autoptr (GdkTexture) texture = cs_thumbnail_new (dataset, i, THUMB_SCALE);

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

/* The name the panel gives a projection. */
static const char *
projection_name (CsProjectionKind kind)
{
  const CsSettingDesc *desc = cs_settings_find ("projection");

  return desc != NULL && (guint) kind < desc->n_choices ? _ (desc->choices[kind].label) : "?";
}

/* While the epoch shown is not in the projection in force, its old picture stays dimmed under
 * a notice that says so: it is never passed off as the new projection. */
static void
draw_reprojection_notice (
    CsScatterView *self, cairo_t *cr, int width, int height, const CsPlotStyle *style)
{
  CsSnapshot *epoch = get_epoch (self);
  CsReprojectState state = CS_REPROJECT_NONE;
  g_autofree char *title = NULL, *detail = NULL;
  const char *old_name, *new_name;

  if (self->reprojector == NULL || epoch == NULL)
    return;
  cs_reprojector_lookup (self->reprojector, epoch, &state, NULL, NULL);
  old_name = projection_name (epoch->settings.projection);
  new_name = projection_name (cs_reprojector_get_projection (self->reprojector));
  switch (state)
    {
    case CS_REPROJECT_WORKING:
      /* Translators: "Re-projecting epoch 12 in LDA…" */
      title = g_strdup_printf (_ ("Re-projecting epoch %u in %s…"), epoch->epoch, new_name);
      /* Translators: "Shown meanwhile as it was drawn, in PCA" */
      detail = g_strdup_printf (_ ("Shown meanwhile as it was drawn, in %s"), old_name);
      break;
    case CS_REPROJECT_MISSING:
    case CS_REPROJECT_FAILED:
      /* Translators: "Epoch 12 cannot be re-projected in LDA" */
      title = g_strdup_printf (_ ("Epoch %u cannot be re-projected in %s"), epoch->epoch, new_name);
      if (state == CS_REPROJECT_MISSING)
        /* Translators: "Its checkpoint is no longer in the cache; shown as it was drawn, in PCA" */
        detail = g_strdup_printf (
            _ ("Its checkpoint is no longer in the cache; shown as it was drawn, in %s"), old_name);
      else
        detail = g_strdup (cs_reprojector_get_error (self->reprojector));
      break;
    case CS_REPROJECT_NONE:
    case CS_REPROJECT_READY:
    default:
      return;
    }
  cs_plot_draw_notice (cr, width, height, style, title, detail);
}

/* The points go into the base's cached picture; hovering only adds the ring on top, so moving
 * the pointer over 70 000 points stays cheap. */
static void
cs_scatter_view_draw (
    CsPlotView *view, cairo_t *cr, int width, int height, const CsPlotStyle *style)
{
  CsScatterParams params;

  CsScatterView *self = CS_SCATTER_VIEW (view);

  fill_params (self, &params);
  params.highlight = -1;
  cs_plot_scatter_draw (cr, width, height, style, &params);
  draw_reprojection_notice (self, cr, width, height, style);
}

/* The lasso or rectangle being drawn: a faint fill in the accent colour under a dashed
 * outline that reads on the points and on the background alike. */
static void
snapshot_polygon (
    CsScatterView *self, GtkSnapshot *snapshot, const CsPlotStyle *style, int width, int height)
{
  static const double dash[] = { 4.0, 3.0 };
  const double *p = (const double *) self->polygon->data;
  guint n = self->polygon->len / 2;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GdkRGBA accent;

  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                       "accent_bg_color", &accent))
    accent = (GdkRGBA){ 0.21, 0.52, 0.89, 1 };
  cairo_move_to (cr, p[0], p[1]);
  for (guint v = 1; v < n; v++)
    cairo_line_to (cr, p[2 * v], p[2 * v + 1]);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 0.12);
  cairo_fill_preserve (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 3.0);
  cs_plot_set_source (cr, &style->background);
  cairo_stroke_preserve (cr);
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 1.0);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
cs_scatter_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CsScatterView *self = CS_SCATTER_VIEW (widget);
  CsSnapshot *shown = get_snapshot (self);
  const CsPlotStyle *style = cs_plot_view_get_style (CS_PLOT_VIEW (self));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const float *xy;
  CsScatterParams params;
  double px, py, ax, ay, aw, ah;
  cairo_t *cr;

  GTK_WIDGET_CLASS (cs_scatter_view_parent_class)->snapshot (widget, snapshot);

  if (self->selecting && self->polygon->len >= 4 && width > 0 && height > 0)
    snapshot_polygon (self, snapshot, style, width, height);
  if (width <= 0 || height <= 0 || shown == NULL || self->highlight < 0
      || (gsize) self->highlight >= shown->n)
    return;
  xy = shown->xy + 2 * self->highlight;
  fill_params (self, &params);
  cs_plot_scatter_area (width, height, &params, &ax, &ay, &aw, &ah);
  cs_plot_scatter_data_to_pixel (width, height, &params, xy[0], xy[1], &px, &py);
  if (px < ax || px > ax + aw || py < ay || py > ay + ah)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_arc (cr, px, py, 6.0, 0, 2 * G_PI);
  cairo_set_line_width (cr, 3.5);
  cs_plot_set_source (cr, &style->background);
  cairo_stroke_preserve (cr);
  cairo_set_line_width (cr, 1.75);
  cs_plot_set_source (cr, &style->foreground);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
cs_scatter_view_current_changed (CsPlotView *view)
{
  CsScatterView *self = CS_SCATTER_VIEW (view);
  CsSnapshot *shown = get_snapshot (self);

  if (shown == NULL || (gsize) self->highlight >= shown->n)
    self->highlight = -1;
  /* A zoom in one projection shows an arbitrary corner of another: fit the new one. */
  if (self->user_view && shown != NULL && shown->settings.projection != self->view_projection)
    set_view (self, NULL);
}

static void
cs_scatter_view_dataset_changed (CsPlotView *view)
{
  CsScatterView *self = CS_SCATTER_VIEW (view);

  self->highlight = -1;
  set_view (self, NULL);
}

/* API -------------------------------------------------------------------------------------- */

static void
on_reprojector_changed (CsReprojector *reprojector, CsScatterView *self)
{
  cs_scatter_view_current_changed (CS_PLOT_VIEW (self));
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

void
cs_scatter_view_set_reprojector (CsScatterView *self, CsReprojector *reprojector)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  g_return_if_fail (reprojector == NULL || CS_IS_REPROJECTOR (reprojector));

  if (self->reprojector == reprojector)
    return;
  if (self->reprojector != NULL)
    g_signal_handlers_disconnect_by_data (self->reprojector, self);
  g_set_object (&self->reprojector, reprojector);
  if (reprojector != NULL)
    g_signal_connect_object (reprojector, "changed", G_CALLBACK (on_reprojector_changed), self,
                             G_CONNECT_DEFAULT);
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

CsReprojectState
cs_scatter_view_get_reproject_state (CsScatterView *self)
{
  CsReprojectState state = CS_REPROJECT_NONE;

  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), CS_REPROJECT_NONE);
  if (self->reprojector != NULL && get_epoch (self) != NULL)
    cs_reprojector_lookup (self->reprojector, get_epoch (self), &state, NULL, NULL);
  return state;
}

CsSnapshot *
cs_scatter_view_get_snapshot (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), NULL);
  return get_snapshot (self);
}

guint
cs_scatter_view_get_n_trail (CsScatterView *self)
{
  CsSnapshot *const *trail;

  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), 0);
  return get_trail (self, &trail);
}

void
cs_scatter_view_set_color_by (CsScatterView *self, CsColorBy color_by)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));

  if (self->color_by == color_by)
    return;
  self->color_by = color_by;
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_BY]);
}

CsColorBy
cs_scatter_view_get_color_by (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), CS_COLOR_BY_CLUSTER);
  return self->color_by;
}

static void
on_selection_changed (CsSelection *selection, CsScatterView *self)
{
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

void
cs_scatter_view_set_selection (CsScatterView *self, CsSelection *selection)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));
  g_return_if_fail (selection == NULL || CS_IS_SELECTION (selection));

  if (self->selection == selection)
    return;
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection != NULL)
    g_signal_connect_object (selection, "changed", G_CALLBACK (on_selection_changed), self, 0);
  cs_plot_view_invalidate (CS_PLOT_VIEW (self));
}

void
cs_scatter_view_set_select_tool (CsScatterView *self, CsSelectTool tool)
{
  g_return_if_fail (CS_IS_SCATTER_VIEW (self));

  if (self->select_tool == tool)
    return;
  self->select_tool = tool;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   tool != CS_SELECT_TOOL_NONE ? "crosshair" : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECT_TOOL]);
}

CsSelectTool
cs_scatter_view_get_select_tool (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), CS_SELECT_TOOL_NONE);
  return self->select_tool;
}

gboolean
cs_scatter_view_cancel_select_gesture (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), FALSE);

  if (!self->selecting)
    return FALSE;
  self->selecting = FALSE;
  self->drag_dropped = TRUE;
  g_array_set_size (self->polygon, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gssize
cs_scatter_view_get_highlight (CsScatterView *self)
{
  g_return_val_if_fail (CS_IS_SCATTER_VIEW (self), -1);
  return self->highlight;
}

/* GObject ---------------------------------------------------------------------------------- */

static void
cs_scatter_view_dispose (GObject *object)
{
  CsScatterView *self = CS_SCATTER_VIEW (object);

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  cs_scatter_view_set_reprojector (self, NULL);
  G_OBJECT_CLASS (cs_scatter_view_parent_class)->dispose (object);
}

static void
cs_scatter_view_finalize (GObject *object)
{
  CsScatterView *self = CS_SCATTER_VIEW (object);

  g_array_unref (self->polygon);
  g_free (self->cluster_colors);
  g_free (self->title);
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
    case PROP_SELECT_TOOL:
      g_value_set_int (value, self->select_tool);
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
    case PROP_SELECT_TOOL:
      cs_scatter_view_set_select_tool (self, g_value_get_int (value));
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
  CsPlotViewClass *view_class = CS_PLOT_VIEW_CLASS (klass);

  object_class->get_property = cs_scatter_view_get_property;
  object_class->set_property = cs_scatter_view_set_property;
  object_class->dispose = cs_scatter_view_dispose;
  object_class->finalize = cs_scatter_view_finalize;
  widget_class->snapshot = cs_scatter_view_snapshot;
  view_class->draw = cs_scatter_view_draw;
  view_class->current_changed = cs_scatter_view_current_changed;
  view_class->dataset_changed = cs_scatter_view_dataset_changed;
  view_class->natural_width = 560;
  view_class->natural_height = 480;

  properties[PROP_COLOR_BY] = g_param_spec_int (
      "color-by", NULL, NULL, CS_COLOR_BY_CLUSTER, CS_COLOR_BY_LABEL, CS_COLOR_BY_CLUSTER,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOMED]
      = g_param_spec_boolean ("zoomed", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECT_TOOL] = g_param_spec_int (
      "select-tool", NULL, NULL, CS_SELECT_TOOL_NONE, CS_SELECT_TOOL_LASSO, CS_SELECT_TOOL_NONE,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "scatterview");
}

static void
cs_scatter_view_init (CsScatterView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->highlight = -1;
  self->pointer_x = self->pointer_y = -1;
  self->polygon = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL
                                                | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (gesture, "cancel", G_CALLBACK (on_drag_cancel), self);
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
