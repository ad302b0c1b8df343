/* cs-plot-scatter.c: the 2-D projection of every point, with centroids, trails and legend.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cs-metrics.h"
#include "cs-plot-private.h"

#define MARGIN_LEFT 58.0
#define MARGIN_BOTTOM 44.0
#define MARGIN_RIGHT 14.0
#define MARGIN_TOP 14.0
#define MARGIN_TOP_TITLE 38.0
#define LEGEND_GAP 14.0
#define CENTROID_RADIUS 7.0

typedef struct
{
  double ax, ay, aw, ah; /* plot area */
  double lx, lw;         /* legend column, lw == 0: none */
  CsViewport v;
} Layout;

void
cs_plot_scatter_params_init (CsScatterParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->highlight = -1;
  params->show_legend = TRUE;
}

/* Grows [x0, x1] x [y0, y1] to hold the finite points of xy (n x 2). */
static void
extend_bounds (const float *xy, gsize n, double *x0, double *y0, double *x1, double *y1)
{
  for (gsize i = 0; i < n; i++)
    {
      double x = xy[2 * i], y = xy[2 * i + 1];

      if (!isfinite (x) || !isfinite (y))
        continue;
      *x0 = MIN (*x0, x);
      *x1 = MAX (*x1, x);
      *y0 = MIN (*y0, y);
      *y1 = MAX (*y1, y);
    }
}

void
cs_plot_scatter_fit (const CsSnapshot *snapshot, CsViewport *view)
{
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  double mx, my;

  g_return_if_fail (view != NULL);

  if (snapshot != NULL && snapshot->xy != NULL)
    extend_bounds (snapshot->xy, snapshot->n, &x0, &y0, &x1, &y1);
  if (snapshot != NULL && snapshot->centroids_xy != NULL)
    extend_bounds (snapshot->centroids_xy, snapshot->k, &x0, &y0, &x1, &y1);

  if (x0 > x1)
    {
      x0 = y0 = -1.0;
      x1 = y1 = 1.0;
    }
  if (x1 - x0 < 1e-9)
    {
      x0 -= 0.5;
      x1 += 0.5;
    }
  if (y1 - y0 < 1e-9)
    {
      y0 -= 0.5;
      y1 += 0.5;
    }
  mx = (x1 - x0) * 0.05;
  my = (y1 - y0) * 0.05;
  view->x0 = x0 - mx;
  view->x1 = x1 + mx;
  view->y0 = y0 - my;
  view->y1 = y1 + my;
}

static gboolean
has_data (const CsScatterParams *p)
{
  return p->snapshot != NULL && p->snapshot->n > 0 && p->snapshot->xy != NULL;
}

/* Depends only on the size and the parameters (never on text measurements), so that the
 * hit test and the coordinate mappings agree with the drawing without a cairo_t. */
static void
layout (double width, double height, const CsScatterParams *p, Layout *l)
{
  double top = p->title != NULL ? MARGIN_TOP_TITLE : MARGIN_TOP;
  double right = MARGIN_RIGHT;

  l->lw = 0;
  if (p->show_legend && has_data (p) && width >= 360)
    {
      l->lw = round (CLAMP (width * 0.18, 130.0, 190.0));
      right += l->lw + LEGEND_GAP;
    }
  l->ax = MARGIN_LEFT;
  l->ay = top;
  /* Whole pixels, so that the clip and the point raster are pixel-aligned. */
  l->aw = MAX (floor (width - MARGIN_LEFT - right), 1.0);
  l->ah = MAX (floor (height - top - MARGIN_BOTTOM), 1.0);
  l->lx = l->ax + l->aw + LEGEND_GAP;

  if (p->view.x0 != p->view.x1 && p->view.y0 != p->view.y1)
    l->v = p->view;
  else
    cs_plot_scatter_fit (p->snapshot, &l->v);
}

static inline void
to_pixel (const Layout *l, double x, double y, double *px, double *py)
{
  *px = l->ax + (x - l->v.x0) / (l->v.x1 - l->v.x0) * l->aw;
  *py = l->ay + l->ah - (y - l->v.y0) / (l->v.y1 - l->v.y0) * l->ah;
}

void
cs_plot_scatter_area (double width,
                      double height,
                      const CsScatterParams *params,
                      double *x,
                      double *y,
                      double *w,
                      double *h)
{
  Layout l;

  g_return_if_fail (params != NULL);
  layout (width, height, params, &l);
  if (x)
    *x = l.ax;
  if (y)
    *y = l.ay;
  if (w)
    *w = l.aw;
  if (h)
    *h = l.ah;
}

void
cs_plot_scatter_data_to_pixel (double width,
                               double height,
                               const CsScatterParams *params,
                               double x,
                               double y,
                               double *px,
                               double *py)
{
  Layout l;

  g_return_if_fail (params != NULL && px != NULL && py != NULL);
  layout (width, height, params, &l);
  to_pixel (&l, x, y, px, py);
}

void
cs_plot_scatter_pixel_to_data (double width,
                               double height,
                               const CsScatterParams *params,
                               double px,
                               double py,
                               double *x,
                               double *y)
{
  Layout l;

  g_return_if_fail (params != NULL && x != NULL && y != NULL);
  layout (width, height, params, &l);
  *x = l.v.x0 + (px - l.ax) / l.aw * (l.v.x1 - l.v.x0);
  *y = l.v.y0 + (l.ay + l.ah - py) / l.ah * (l.v.y1 - l.v.y0);
}

gssize
cs_plot_scatter_hit (
    double width, double height, const CsScatterParams *params, double px, double py, double radius)
{
  const CsSnapshot *s;
  Layout l;
  gssize best = -1;
  double best_d2 = radius * radius;
  double sx, sy;

  g_return_val_if_fail (params != NULL, -1);
  if (!has_data (params))
    return -1;
  s = params->snapshot;
  layout (width, height, params, &l);
  if (px < l.ax - radius || px > l.ax + l.aw + radius || py < l.ay - radius
      || py > l.ay + l.ah + radius)
    return -1;

  sx = l.aw / (l.v.x1 - l.v.x0);
  sy = l.ah / (l.v.y1 - l.v.y0);
  for (gsize i = 0; i < s->n; i++)
    {
      double dx = l.ax + (s->xy[2 * i] - l.v.x0) * sx - px;
      double dy = l.ay + l.ah - (s->xy[2 * i + 1] - l.v.y0) * sy - py;
      double d2 = dx * dx + dy * dy;

      if (d2 <= best_d2)
        {
          best_d2 = d2;
          best = (gssize) i;
        }
    }
  return best;
}

gboolean
cs_plot_point_in_polygon (const double *polygon, guint n_vertices, double x, double y)
{
  gboolean inside = FALSE;

  g_return_val_if_fail (polygon != NULL || n_vertices == 0, FALSE);
  for (guint i = 0, j = n_vertices - 1; i < n_vertices; j = i++)
    {
      double xi = polygon[2 * i], yi = polygon[2 * i + 1];
      double xj = polygon[2 * j], yj = polygon[2 * j + 1];

      /* The edge crosses the horizontal through y (half-open, so a vertex counts once). */
      if ((yi > y) != (yj > y) && x < xi + (y - yi) / (yj - yi) * (xj - xi))
        inside = !inside;
    }
  return inside;
}

gsize
cs_plot_scatter_select_polygon (double width,
                                double height,
                                const CsScatterParams *params,
                                const double *polygon,
                                guint n_vertices,
                                guint8 *mask)
{
  const CsSnapshot *s;
  Layout l;
  double bx0 = INFINITY, by0 = INFINITY, bx1 = -INFINITY, by1 = -INFINITY, sx, sy;
  gsize count = 0;

  g_return_val_if_fail (params != NULL && mask != NULL, 0);
  if (!has_data (params))
    return 0;
  s = params->snapshot;
  memset (mask, 0, s->n);
  if (n_vertices < 3 || polygon == NULL)
    return 0;
  layout (width, height, params, &l);

  /* The polygon's bounding box, within the plot area, rules most points out at once. */
  for (guint v = 0; v < n_vertices; v++)
    {
      bx0 = MIN (bx0, polygon[2 * v]);
      bx1 = MAX (bx1, polygon[2 * v]);
      by0 = MIN (by0, polygon[2 * v + 1]);
      by1 = MAX (by1, polygon[2 * v + 1]);
    }
  bx0 = MAX (bx0, l.ax);
  by0 = MAX (by0, l.ay);
  bx1 = MIN (bx1, l.ax + l.aw);
  by1 = MIN (by1, l.ay + l.ah);

  sx = l.aw / (l.v.x1 - l.v.x0);
  sy = l.ah / (l.v.y1 - l.v.y0);
  for (gsize i = 0; i < s->n; i++)
    {
      double px = l.ax + (s->xy[2 * i] - l.v.x0) * sx;
      double py = l.ay + l.ah - (s->xy[2 * i + 1] - l.v.y0) * sy;

      /* Written so that NaN fails. */
      if (!(px >= bx0 && px <= bx1 && py >= by0 && py <= by1))
        continue;
      if (cs_plot_point_in_polygon (polygon, n_vertices, px, py))
        {
          mask[i] = 1;
          count++;
        }
    }
  return count;
}

/* Point colours --------------------------------------------------------------------------- */

static guint32
premultiply (const CsRgba *c, double alpha)
{
  guint a = (guint) lround (alpha * 255.0);
  guint r = (guint) lround (c->r * alpha * 255.0);
  guint g = (guint) lround (c->g * alpha * 255.0);
  guint b = (guint) lround (c->b * alpha * 255.0);

  return (a << 24) | (r << 16) | (g << 8) | b;
}

static inline guint32
blend_over (guint32 src, guint32 dst)
{
  guint inv = 255 - (src >> 24);
  guint32 out = 0;

  if (inv == 0)
    return src;
  for (guint shift = 0; shift < 32; shift += 8)
    {
      guint s = (src >> shift) & 0xff, d = (dst >> shift) & 0xff;
      guint t = d * inv + 128;

      out |= (guint32) (s + ((t + (t >> 8)) >> 8)) << shift;
    }
  return out;
}

static inline guint32
scale_alpha (guint32 src, guint cov /* 0..255 */)
{
  guint32 out = 0;

  for (guint shift = 0; shift < 32; shift += 8)
    {
      guint t = ((src >> shift) & 0xff) * cov + 128;
      out |= (guint32) ((t + (t >> 8)) >> 8) << shift;
    }
  return out;
}

static gboolean
by_label (const CsScatterParams *p)
{
  return p->color_by == CS_COLOR_BY_LABEL && p->labels != NULL && p->n_classes > 0;
}

static guint
n_categories (const CsScatterParams *p)
{
  return by_label (p) ? p->n_classes : p->snapshot->k;
}

/* The palette entry (and marker) of category c, and the palette's size: a cluster may take a
 * matched run's colour (cluster_colors). */
static void
category_look (const CsScatterParams *p, guint c, gboolean dark, CsRgba *color, CsMarker *marker)
{
  guint ncat = n_categories (p), index = c;

  if (!by_label (p) && p->cluster_colors != NULL && c < p->n_cluster_colors)
    {
      index = p->cluster_colors[c];
      ncat = MAX (MAX (ncat, p->palette_k), index + 1);
    }
  if (color != NULL)
    cs_palette_color (index, ncat, dark, color);
  if (marker != NULL)
    *marker = by_label (p) ? CS_MARKER_CIRCLE : cs_palette_marker (index, ncat);
}

static double
point_diameter (const CsScatterParams *p)
{
  gsize n = p->snapshot->n;

  if (p->point_size > 0)
    return p->point_size;
  if (n <= 2000)
    return 6.0;
  if (n <= 10000)
    return 4.0;
  if (n <= 40000)
    return 3.0;
  return 2.0;
}

static double
raster_scale (cairo_t *cr, const CsScatterParams *p)
{
  cairo_surface_t *target = cairo_get_target (cr);
  cairo_surface_type_t type;
  double sx = 1, sy = 0;

  if (p->pixel_scale > 0)
    return CLAMP (p->pixel_scale, 0.5, 4.0);
  type = cairo_surface_get_type (target);
  /* Printed or zoomed: twice the resolution keeps the dots sharp at a modest size. */
  if (type == CAIRO_SURFACE_TYPE_PDF || type == CAIRO_SURFACE_TYPE_SVG
      || type == CAIRO_SURFACE_TYPE_PS)
    return 2.0;
  cairo_user_to_device_distance (cr, &sx, &sy);
  return CLAMP (hypot (sx, sy), 1.0, 4.0);
}

#define BLOCK 64

typedef struct
{
  float cx, cy; /* device pixels in the raster */
  guint32 src;  /* premultiplied colour */
  int row;
} Dot;

/* A fixed pseudo-shuffle so that no cluster always lies on top (a dataset may be sorted by
 * class) and the picture does not flicker from frame to frame: blocks of points visited with
 * a stride coprime with their number, each block read in order so that the reads stay
 * sequential. Returns that stride. */
static gsize
block_stride (gsize n_blocks)
{
  gsize step = n_blocks > 2 ? (gsize) (n_blocks * 0.618033988749895) | 1 : 1;

  while (step < n_blocks)
    {
      gsize a = n_blocks, r = step;

      while (r != 0)
        {
          gsize t = a % r;
          a = r;
          r = t;
        }
      if (a == 1)
        break;
      step += 2;
    }
  return step >= n_blocks ? 1 : step;
}

/* The category (cluster or label) of point idx, ncat for "unlabelled or unassigned". */
static inline guint
point_category (const CsScatterParams *p, gboolean labels, guint ncat, gsize idx)
{
  const CsSnapshot *s = p->snapshot;

  if (labels)
    {
      gint32 label = p->labels[idx];
      return label >= 0 && (guint) label < ncat ? (guint) label : ncat;
    }
  return s->clusters != NULL && s->clusters[idx] < ncat ? s->clusters[idx] : ncat;
}

/* One layer of the point raster: the points, where and how big they go, their colours by
 * category (ncat + 1, the last for none) and the selection, if any. */
typedef struct
{
  const CsScatterParams *p;
  const Layout *l;
  int iw, ih;
  double d;
  const guint32 *colors;
  guint ncat;
  const guint8 *selected;
} Layer;

/* Where each dot goes in the iw x ih raster, in the shuffled order, and (counts[row + 1]) how
 * many dots start on each device row. Dots wholly outside are dropped, and with a selection
 * those whose selectedness is not want. Returns how many were placed in dots. */
static gsize
place_dots (Dot *dots, guint32 *counts, const Layer *layer, guint8 want)
{
  const CsScatterParams *p = layer->p;
  const Layout *l = layer->l;
  const guint32 *colors = layer->colors;
  const guint8 *selected = layer->selected;
  guint ncat = layer->ncat;
  int iw = layer->iw, ih = layer->ih;
  double d = layer->d;
  const CsSnapshot *s = p->snapshot;
  gboolean labels = by_label (p);
  double fx = iw / (l->v.x1 - l->v.x0), fy = ih / (l->v.y1 - l->v.y0);
  gsize n = s->n, n_blocks = (n + BLOCK - 1) / BLOCK, step = block_stride (n_blocks), n_dots = 0;

  for (gsize jb = 0, block = 0; jb < n_blocks; jb++, block += step)
    {
      /* block < n_blocks and step < n_blocks: one subtraction wraps it. */
      if (block >= n_blocks)
        block -= n_blocks;

      for (gsize idx = block * BLOCK; idx < MIN ((block + 1) * BLOCK, n); idx++)
        {
          double cx = (s->xy[2 * idx] - l->v.x0) * fx;
          double cy = ih - (s->xy[2 * idx + 1] - l->v.y0) * fy;
          int row;

          if (!(cx > -d && cx < iw + d && cy > -d && cy < ih + d))
            continue; /* also drops NaN */
          if (selected != NULL && (selected[idx] != 0) != want)
            continue;
          row = CLAMP ((int) cy, 0, ih);
          dots[n_dots++]
              = (Dot){ (float) cx, (float) cy, colors[point_category (p, labels, ncat, idx)], row };
          counts[row + 1]++;
        }
    }
  return n_dots;
}

/* A stable counting sort by row (counts as place_dots left them, ih + 2 of them). The pixels
 * are then written row after row instead of all over a 6 MB buffer (the cache misses were
 * most of the time), and within a row the shuffled order is kept. */
static Dot *
sort_dots_by_row (const Dot *dots, gsize n_dots, guint32 *counts, int ih)
{
  Dot *sorted = g_new (Dot, MAX (n_dots, 1));

  for (int r = 0; r <= ih; r++)
    counts[r + 1] += counts[r];
  for (gsize j = 0; j < n_dots; j++)
    sorted[counts[dots[j].row]++] = dots[j];
  return sorted;
}

/* Small dots: a solid square of side size reads as a dot and costs nothing. */
static inline void
paint_square (guint32 *data, int stride, int iw, int ih, const Dot *dot, int size)
{
  int x0 = (int) floor (dot->cx - size / 2.0 + 0.5);
  int y0 = (int) floor (dot->cy - size / 2.0 + 0.5);

  for (int yy = MAX (y0, 0); yy < MIN (y0 + size, ih); yy++)
    {
      guint32 *row = data + (gsize) yy * stride;

      for (int xx = MAX (x0, 0); xx < MIN (x0 + size, iw); xx++)
        row[xx] = blend_over (dot->src, row[xx]);
    }
}

/* Larger dots: an antialiased disc of diameter d. */
static inline void
paint_disc (guint32 *data, int stride, int iw, int ih, const Dot *dot, double d)
{
  double cx = dot->cx, cy = dot->cy, r = d / 2.0;
  int x0 = (int) floor (cx - r - 0.5);
  int y0 = (int) floor (cy - r - 0.5);
  int size = (int) ceil (d) + 2;

  for (int yy = MAX (y0, 0); yy < MIN (y0 + size, ih); yy++)
    {
      guint32 *row = data + (gsize) yy * stride;
      double dy = yy + 0.5 - cy;

      for (int xx = MAX (x0, 0); xx < MIN (x0 + size, iw); xx++)
        {
          double dx = xx + 0.5 - cx;
          double cov = r + 0.5 - sqrt (dx * dx + dy * dy);

          if (cov <= 0)
            continue;
          row[xx] = blend_over (cov >= 1 ? dot->src : scale_alpha (dot->src, (guint) (cov * 255)),
                                row[xx]);
        }
    }
}

/* A selection with at least one point in it, or NULL. */
static const guint8 *
selection_mask (const CsScatterParams *p)
{
  if (p->selected == NULL || p->n_selected != p->snapshot->n)
    return NULL;
  for (gsize i = 0; i < p->n_selected; i++)
    if (p->selected[i] != 0)
      return p->selected;
  return NULL;
}

/* One layer of dots (all, or with a selection the unselected or the selected ones). */
static void
paint_layer (guint32 *data, int stride, const Layer *layer, guint8 want)
{
  g_autofree Dot *dots = g_new (Dot, MAX (layer->p->snapshot->n, 1));
  g_autofree Dot *sorted = NULL;
  g_autofree guint32 *counts = g_new0 (guint32, layer->ih + 2);
  int iw = layer->iw, ih = layer->ih;
  double d = layer->d;
  gsize n_dots;
  /* The side of a small (square) dot, the same for every dot. */
  int square = MAX ((int) lround (d), 1);

  n_dots = place_dots (dots, counts, layer, want);
  sorted = sort_dots_by_row (dots, n_dots, counts, ih);
  g_clear_pointer (&dots, g_free);

  for (gsize j = 0; j < n_dots; j++)
    {
      if (d <= 3.5)
        paint_square (data, stride, iw, ih, &sorted[j], square);
      else
        paint_disc (data, stride, iw, ih, &sorted[j], d);
    }
}

/* The colours of the categories at alpha (a matched run's colours when p has them), the last
 * (none) greyed. */
static void
fill_colors (guint32 *colors,
             const CsScatterParams *p,
             guint ncat,
             const CsPlotStyle *style,
             double alpha,
             double grey_alpha)
{
  for (guint c = 0; c < ncat; c++)
    {
      CsRgba color;

      category_look (p, c, style->dark, &color, NULL);
      colors[c] = premultiply (&color, alpha);
    }
  colors[ncat] = premultiply (&style->muted, grey_alpha);
}

/* Writes every point straight into an ARGB32 buffer: one path per point would take a second
 * for the 70 000 points of Fashion-MNIST, this takes a few milliseconds. With a selection,
 * the other points go first, faded, and the selected ones over them in full colour. */
static void
rasterise_into (guint32 *data,
                int stride,
                int iw,
                int ih,
                const CsScatterParams *p,
                const Layout *l,
                double scale,
                const CsPlotStyle *style)
{
  const CsSnapshot *s = p->snapshot;
  guint ncat = n_categories (p);
  g_autofree guint32 *colors = g_new (guint32, ncat + 1);
  double alpha = s->n <= 10000 ? 0.9 : 0.72;
  Layer layer = {
    .p = p,
    .l = l,
    .iw = iw,
    .ih = ih,
    .d = point_diameter (p) * scale,
    .colors = colors,
    .ncat = ncat,
    .selected = selection_mask (p),
  };

  /* The faded ones are a hint of the rest: colour kept, so that clusters still read. */
  if (layer.selected != NULL)
    {
      fill_colors (colors, p, ncat, style, 0.14, 0.1);
      paint_layer (data, stride, &layer, 0);
      alpha = 1.0;
    }
  fill_colors (colors, p, ncat, style, alpha, alpha * 0.6); /* grey: unlabelled or unassigned */
  paint_layer (data, stride, &layer, 1);
}

/* The points in a transparent ARGB32 surface of the plot area, to paint over the grid. */
static cairo_surface_t *
rasterise_points (const CsScatterParams *p, const Layout *l, double scale, const CsPlotStyle *style)
{
  int iw = (int) ceil (l->aw * scale), ih = (int) ceil (l->ah * scale);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, iw, ih);

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  rasterise_into ((guint32 *) cairo_image_surface_get_data (surface),
                  cairo_image_surface_get_stride (surface) / 4, iw, ih, p, l, scale, style);
  cairo_surface_mark_dirty (surface);
  cairo_surface_set_device_scale (surface, scale, scale);
  return surface;
}

/* When cr draws straight into an image surface, with no rotation and the plot area wholly
 * inside the clip, the points are blended into its pixels where they lie: no intermediate
 * surface to clear and composite (a third of a 70 000-point draw went there). Returns FALSE
 * when the target does not allow it. */
static gboolean
rasterise_direct (cairo_t *cr, const CsScatterParams *p, const Layout *l, const CsPlotStyle *style)
{
  cairo_surface_t *target = cairo_get_target (cr);
  cairo_matrix_t m;
  double ox, oy, sx, sy, x0, y0, cx0, cy0, cx1, cy1, scale;
  int tw, th, px, py, iw, ih, stride;
  guint32 *data;

  if (p->pixel_scale > 0 || cairo_surface_get_type (target) != CAIRO_SURFACE_TYPE_IMAGE
      || cairo_image_surface_get_format (target) != CAIRO_FORMAT_ARGB32)
    return FALSE;
  cairo_get_matrix (cr, &m);
  cairo_surface_get_device_offset (target, &ox, &oy);
  cairo_surface_get_device_scale (target, &sx, &sy);
  if (m.xy != 0 || m.yx != 0 || m.xx != m.yy || m.xx <= 0 || sx != 1 || sy != 1)
    return FALSE;
  scale = m.xx;
  x0 = l->ax, y0 = l->ay;
  cairo_user_to_device (cr, &x0, &y0);
  x0 += ox, y0 += oy;
  /* Whole device pixels, as the raster path's nearest-neighbour paint would place them. */
  if (fabs (x0 - round (x0)) > 1e-6 || fabs (y0 - round (y0)) > 1e-6)
    return FALSE;
  cairo_clip_extents (cr, &cx0, &cy0, &cx1, &cy1);
  if (cx0 > l->ax || cy0 > l->ay || cx1 < l->ax + l->aw || cy1 < l->ay + l->ah)
    return FALSE;

  px = (int) round (x0), py = (int) round (y0);
  iw = (int) ceil (l->aw * scale), ih = (int) ceil (l->ah * scale);
  tw = cairo_image_surface_get_width (target), th = cairo_image_surface_get_height (target);
  if (px < 0 || py < 0 || px + iw > tw || py + ih > th)
    return FALSE;

  cairo_surface_flush (target);
  stride = cairo_image_surface_get_stride (target) / 4;
  data = (guint32 *) cairo_image_surface_get_data (target) + (gsize) py * stride + px;
  rasterise_into (data, stride, iw, ih, p, l, scale, style);
  cairo_surface_mark_dirty_rectangle (target, px, py, iw, ih);
  return TRUE;
}

/* Axes ------------------------------------------------------------------------------------ */

void
cs_plot_scatter_axis_titles (const CsSnapshot *snapshot, char **x, char **y)
{
  switch (snapshot != NULL ? snapshot->settings.projection : CS_PROJECTION_PCA)
    {
    case CS_PROJECTION_LDA:
      *x = g_strdup ("LD 1"), *y = g_strdup ("LD 2");
      break;
    case CS_PROJECTION_TSNE:
      if (snapshot->xy_laid_out > 0)
        /* Translators: the horizontal axis of a t-SNE view of a sample, "t-SNE 1 (10000 of
         * 70000 points laid out, ...)"; the others were put next to their nearest sampled
         * neighbour in the latent space */
        *x = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "t-SNE 1 (%zu of %zu point laid out, the others "
                                           "placed by their nearest)",
                                           "t-SNE 1 (%zu of %zu points laid out, the others "
                                           "placed by their nearest)",
                                           snapshot->n),
                              snapshot->xy_laid_out, snapshot->n);
      else
        *x = g_strdup ("t-SNE 1");
      *y = g_strdup ("t-SNE 2");
      break;
    case CS_PROJECTION_PCA:
    default:
      *x = g_strdup ("PC 1"), *y = g_strdup ("PC 2");
      break;
    }
}

static void
draw_grid_and_ticks (cairo_t *cr,
                     const CsPlotStyle *style,
                     const CsScatterParams *params,
                     const Layout *l,
                     gboolean grid)
{
  g_autofree char *x_title = NULL, *y_title = NULL;
  double xt[CS_PLOT_MAX_TICKS], yt[CS_PLOT_MAX_TICKS];
  double xstep = 1, ystep = 1;
  guint nx = cs_plot_ticks_linear (l->v.x0, l->v.x1, (guint) CLAMP (l->aw / 75, 2, 10), xt, &xstep);
  guint ny = cs_plot_ticks_linear (l->v.y0, l->v.y1, (guint) CLAMP (l->ah / 50, 2, 10), yt, &ystep);
  double bottom = l->ay + l->ah;
  double label_w = 0;

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  if (grid)
    {
      cs_plot_set_source (cr, &style->grid);
      for (guint i = 0; i < nx; i++)
        {
          double px, py;

          to_pixel (l, xt[i], 0, &px, &py);
          cairo_move_to (cr, cs_plot_align (px), l->ay);
          cairo_line_to (cr, cs_plot_align (px), bottom);
        }
      for (guint i = 0; i < ny; i++)
        {
          double px, py;

          to_pixel (l, 0, yt[i], &px, &py);
          cairo_move_to (cr, l->ax, cs_plot_align (py));
          cairo_line_to (cr, l->ax + l->aw, cs_plot_align (py));
        }
      cairo_stroke (cr);
      cairo_restore (cr);
      return;
    }

  cs_plot_draw_frame (cr, style, l->ax, l->ay, l->aw, l->ah);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  for (guint i = 0; i < nx; i++)
    {
      double px, py;
      char buf[64];

      to_pixel (l, xt[i], 0, &px, &py);
      cs_plot_set_source_alpha (cr, &style->foreground, 0.7);
      cairo_move_to (cr, cs_plot_align (px), round (bottom));
      cairo_line_to (cr, cs_plot_align (px), round (bottom) + 5);
      cairo_stroke (cr);
      cs_plot_format_tick (buf, sizeof buf, xt[i], xstep);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, px, bottom + 7, buf, 0.5, 0.0);
    }
  for (guint i = 0; i < ny; i++)
    {
      double px, py;
      char buf[64];

      to_pixel (l, 0, yt[i], &px, &py);
      cs_plot_set_source_alpha (cr, &style->foreground, 0.7);
      cairo_move_to (cr, round (l->ax) - 5, cs_plot_align (py));
      cairo_line_to (cr, round (l->ax), cs_plot_align (py));
      cairo_stroke (cr);
      cs_plot_format_tick (buf, sizeof buf, yt[i], ystep);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l->ax - 8, py, buf, 1.0, 0.5);
      label_w = MAX (label_w, cs_plot_text_width (cr, buf));
    }

  /* The axes of the projection in force. The vertical title gives way to long tick labels
   * (the margin is fixed, see layout ()). */
  cs_plot_scatter_axis_titles (params->snapshot, &x_title, &y_title);
  cs_plot_set_source (cr, &style->muted);
  cs_plot_text (cr, l->ax + l->aw / 2, bottom + 24, x_title, 0.5, 0.0);
  if (l->ax - 8 - label_w >= 22)
    cs_plot_text_vertical (cr, 12, l->ay + l->ah / 2, y_title);
  cairo_restore (cr);
}

/* Centroids and trails -------------------------------------------------------------------- */

static void
centroid_color (const CsScatterParams *p, const CsPlotStyle *style, guint j, CsRgba *out)
{
  const CsSnapshot *s = p->snapshot;

  if (by_label (p))
    {
      /* Points show classes: a centroid takes the colour of the class it is matched to. */
      gint c = s->cluster_to_class != NULL ? s->cluster_to_class[j] : -1;

      if (c >= 0 && (guint) c < p->n_classes)
        cs_palette_color ((guint) c, p->n_classes, style->dark, out);
      else
        *out = style->muted;
    }
  else
    category_look (p, j, style->dark, out, NULL);
}

static gboolean
centroid_xy (const CsSnapshot *s, guint j, double *x, double *y)
{
  if (s == NULL || s->centroids_xy == NULL || j >= s->k)
    return FALSE;
  *x = s->centroids_xy[2 * j];
  *y = s->centroids_xy[2 * j + 1];
  return isfinite (*x) && isfinite (*y);
}

#define TRAIL_LEVELS 4

/* Adds to the path the trail segments of centroid j whose age falls in level (drift
 * segments as polylines), or, with level < 0, the jump segments. */
static void
trail_path (cairo_t *cr, const CsScatterParams *p, const Layout *l, guint j, int level)
{
  const CsSnapshot *s = p->snapshot;
  gboolean pen_down = FALSE;

  for (guint t = 0; t < p->n_trail; t++)
    {
      const CsSnapshot *a = p->trail[t];
      const CsSnapshot *b = t + 1 < p->n_trail ? p->trail[t + 1] : s;
      double ax, ay, bx, by, px, py;
      /* b's centroids were reset by K-means: the segment is a jump, not a drift. */
      gboolean jump = b->reinitialised || (b->changed & CS_SETTING_K);
      int seg_level = MIN ((int) ((double) t / p->n_trail * TRAIL_LEVELS), TRAIL_LEVELS - 1);

      if (!centroid_xy (a, j, &ax, &ay) || !centroid_xy (b, j, &bx, &by)
          || (level < 0 ? !jump : (jump || seg_level != level)))
        {
          pen_down = FALSE;
          continue;
        }
      if (!pen_down)
        {
          to_pixel (l, ax, ay, &px, &py);
          cairo_move_to (cr, px, py);
        }
      to_pixel (l, bx, by, &px, &py);
      cairo_line_to (cr, px, py);
      /* A jump stands alone; drifts chain into a polyline (clean joins, no darker dots
       * where translucent segments would overlap). */
      pen_down = level >= 0;
    }
}

static void
draw_trails (cairo_t *cr, const CsPlotStyle *style, const CsScatterParams *p, const Layout *l)
{
  const CsSnapshot *s = p->snapshot;
  static const double dash[] = { 5.0, 4.0 };
  CsRgba casing = style->dark ? (CsRgba){ 0, 0, 0, 1 } : (CsRgba){ 0.1, 0.1, 0.1, 1 };
  /* With a selection the trails step back with the unselected points. */
  double fade = selection_mask (p) != NULL ? 0.35 : 1.0;

  if (p->trail == NULL || p->n_trail == 0)
    return;

  /* A few fading levels, one stroke each: a stroke per segment cost ~40 us apiece. First a
   * dark casing under every trail, as roads on a map, so that a trail stands out even across
   * points of its own colour; then the coloured lines. */
  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* Cairo's fast antialiasing rasterises these wide translucent strokes in a third of the
   * time, and at 2.5-4.5 px the edges look the same. */
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
  for (int level = -1; level < TRAIL_LEVELS; level++)
    {
      double age = (level + 1.0) / TRAIL_LEVELS;

      for (guint j = 0; j < s->k; j++)
        trail_path (cr, p, l, j, level);
      cairo_set_dash (cr, level < 0 ? dash : NULL, level < 0 ? G_N_ELEMENTS (dash) : 0, 0);
      cairo_set_line_width (cr, level < 0 ? 3.5 : 4.5);
      cs_plot_set_source_alpha (cr, &casing, fade * (level < 0 ? 0.35 : 0.1 + 0.6 * age));
      cairo_stroke (cr);
    }
  for (guint j = 0; j < s->k; j++)
    {
      CsRgba color;

      centroid_color (p, style, j, &color);
      for (int level = -1; level < TRAIL_LEVELS; level++)
        {
          double age = (level + 1.0) / TRAIL_LEVELS;

          trail_path (cr, p, l, j, level);
          cairo_set_dash (cr, level < 0 ? dash : NULL, level < 0 ? G_N_ELEMENTS (dash) : 0, 0);
          cairo_set_line_width (cr, level < 0 ? 1.5 : 2.5);
          cs_plot_set_source_alpha (cr, &color, fade * (level < 0 ? 0.85 : 0.25 + 0.75 * age));
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
}

static void
draw_centroids (cairo_t *cr, const CsPlotStyle *style, const CsScatterParams *p, const Layout *l)
{
  const CsSnapshot *s = p->snapshot;
  CsRgba outline = style->dark ? (CsRgba){ 1, 1, 1, 0.95 } : (CsRgba){ 0.08, 0.08, 0.08, 0.95 };

  for (guint j = 0; j < s->k; j++)
    {
      double x, y, px, py;
      CsRgba color;
      CsMarker marker;

      if (!centroid_xy (s, j, &x, &y))
        continue;
      to_pixel (l, x, y, &px, &py);
      centroid_color (p, style, j, &color);
      /* The marker follows the cluster's colour, whatever the points show. */
      if (by_label (p))
        marker = cs_palette_marker (j, s->k);
      else
        category_look (p, j, style->dark, NULL, &marker);
      /* A halo in the background colour keeps the marker readable over dense points. */
      cairo_save (cr);
      cs_plot_set_source_alpha (cr, &style->background, 0.8);
      cairo_set_line_width (cr, 4.0);
      cairo_arc (cr, px, py, CENTROID_RADIUS + 1.5, 0, 2 * G_PI);
      cairo_stroke (cr);
      cairo_restore (cr);
      cs_plot_draw_marker (cr, marker, px, py, CENTROID_RADIUS, &color, &outline);
    }
}

static void
draw_highlight (cairo_t *cr, const CsPlotStyle *style, const CsScatterParams *p, const Layout *l)
{
  const CsSnapshot *s = p->snapshot;
  double px, py;

  if (p->highlight < 0 || (gsize) p->highlight >= s->n)
    return;
  to_pixel (l, s->xy[2 * p->highlight], s->xy[2 * p->highlight + 1], &px, &py);
  cairo_save (cr);
  cairo_set_line_width (cr, 3.5);
  cs_plot_set_source (cr, &style->background);
  cairo_arc (cr, px, py, 6.5, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_set_line_width (cr, 1.75);
  cs_plot_set_source (cr, &style->foreground);
  cairo_arc (cr, px, py, 6.5, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Legend ---------------------------------------------------------------------------------- */

/* The legend shows the clusters' prototypes: the points are images, coloured by cluster, and
 * the snapshot has a prototype of that size per cluster. */
static gboolean
shows_prototypes (const CsScatterParams *p)
{
  const CsSnapshot *s = p->snapshot;

  return !by_label (p) && p->image_width > 0 && p->image_height > 0 && s->prototypes != NULL
         && s->d == p->image_width * p->image_height;
}

/* Where the legend's entries go. Shared by draw_legend and the hit test. */
typedef struct
{
  double row;     /* a line of text */
  double erow;    /* an entry: a line, or a prototype of up to 36 px */
  double thumb;   /* the prototypes' side, 0 when there are none */
  double first;   /* the top of the first entry */
  guint shown;    /* entries drawn; the rest are summed up in a "+ n more" row */
  gboolean notes; /* the notes on the lines fit below */
} LegendGeometry;

static void
legend_geometry (cairo_t *cr,
                 const CsPlotStyle *style,
                 const CsScatterParams *p,
                 const Layout *l,
                 LegendGeometry *g)
{
  guint ncat = n_categories (p), max_rows;
  cairo_font_extents_t fext;
  double avail;

  cairo_save (cr);
  cs_plot_set_font (cr, style, 1.0, TRUE);
  cairo_font_extents (cr, &fext);
  cairo_restore (cr);
  g->row = ceil ((fext.ascent + fext.descent) * 1.35);
  g->first = l->ay + g->row + 2;
  avail = l->ay + l->ah - g->first;
  /* Entries grow to hold a prototype of up to 36 px when every cluster's fits; below 12 px a
   * thumbnail says nothing and the entries keep the text's height. */
  g->thumb = 0;
  if (shows_prototypes (p))
    {
      g->thumb = floor (MIN (36.0, avail / ncat - 2));
      if (g->thumb < 12)
        g->thumb = 0;
    }
  g->erow = MAX (g->row, g->thumb + 2);
  g->notes = p->n_trail > 0 && avail > ncat * g->erow + 3 * g->row;
  max_rows = (guint) MAX ((avail - (g->notes ? 3 * g->row : 0)) / g->erow, 1.0);
  g->shown = ncat <= max_rows ? ncat : max_rows - 1;
}

gint
cs_plot_scatter_legend_hit (double width,
                            double height,
                            const CsPlotStyle *style,
                            const CsScatterParams *params,
                            double px,
                            double py)
{
  cairo_surface_t *scratch;
  cairo_t *cr;
  Layout l;
  LegendGeometry g;
  gint hit = -1;

  g_return_val_if_fail (style != NULL && params != NULL, -1);
  if (!has_data (params))
    return -1;
  layout (width, height, params, &l);
  if (l.lw <= 0 || px < l.lx || px > l.lx + l.lw)
    return -1;

  scratch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (scratch);
  legend_geometry (cr, style, params, &l, &g);
  if (py >= g.first && py < g.first + g.shown * g.erow)
    hit = (gint) ((py - g.first) / g.erow);
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);
  return hit;
}

/* A legend entry's count: "all", or "selected / all" while there is a selection (where the
 * group lies among the clusters at this epoch). */
static void
format_entry_count (char *buf, gsize size, gint64 count, const gint64 *selected_counts, guint c)
{
  cs_plot_format_count (buf, size, count);
  if (selected_counts != NULL)
    {
      char all[48], part[48];

      g_strlcpy (all, buf, sizeof all);
      cs_plot_format_count (part, sizeof part, selected_counts[c]);
      g_snprintf (buf, size, "%s / %s", part, all);
    }
}

/* Legend entry c's text: the class's name when coloured by label, else the cluster's number
 * and the class it is matched to ("3 → Sneaker"), or the number alone. */
static void
entry_label (const CsScatterParams *p, guint c, char *label, gsize size)
{
  const CsSnapshot *s = p->snapshot;
  const char *name = NULL;

  if (by_label (p))
    name = p->class_names != NULL ? p->class_names[c] : NULL;
  else if (s->cluster_to_class != NULL && p->class_names != NULL && s->cluster_to_class[c] >= 0
           && (guint) s->cluster_to_class[c] < p->n_classes)
    name = p->class_names[s->cluster_to_class[c]];
  if (by_label (p) && name != NULL)
    g_snprintf (label, size, "%s", name);
  else if (name != NULL)
    g_snprintf (label, size, "%u → %s", c, name);
  else
    g_snprintf (label, size, "%u", c);
}

static void
draw_legend (cairo_t *cr, const CsPlotStyle *style, const CsScatterParams *p, const Layout *l)
{
  const CsSnapshot *s = p->snapshot;
  gboolean labels = by_label (p);
  guint ncat = n_categories (p);
  g_autofree gint64 *counts = NULL;
  g_autofree gint64 *selected_counts = NULL;
  const guint8 *selected;
  LegendGeometry g;
  double row, erow, tx, y, x = l->lx, w = l->lw, line = 0;
  gboolean two_lines;
  char buf[96];

  if (labels)
    {
      counts = g_new0 (gint64, ncat);
      for (gsize i = 0; i < s->n; i++)
        if (p->labels[i] >= 0 && (guint) p->labels[i] < ncat)
          counts[p->labels[i]]++;
    }
  if ((selected = selection_mask (p)) != NULL)
    {
      selected_counts = g_new0 (gint64, ncat + 1);
      for (gsize i = 0; i < s->n; i++)
        if (selected[i])
          selected_counts[point_category (p, labels, ncat, i)]++;
    }

  cairo_save (cr);
  legend_geometry (cr, style, p, l, &g);
  row = g.row, erow = g.erow, y = g.first;
  /* Entries as tall as a prototype have room for two lines: when a name does not fit on one
   * line with its count ("3 → Sneaker  1 229" in a 130-px legend, or "1 → Sandal  971 / 1 018"
   * with a selection), every entry puts its count below its name. A count too wide even for a
   * line of its own beside the prototype drops the prototypes: the counts win, the rows keep
   * their height. */
  two_lines = FALSE;
  if (g.thumb > 0)
    {
      cairo_font_extents_t fext;
      double widest = 0, text_x = x + 16 + g.thumb + 6;

      cs_plot_set_font (cr, style, 0.92, FALSE);
      cairo_font_extents (cr, &fext);
      line = fext.ascent + fext.descent;
      for (guint c = 0; c < g.shown; c++)
        {
          gint64 count = s->cluster_sizes != NULL ? s->cluster_sizes[c] : 0;
          char label[160];
          double cw;

          entry_label (p, c, label, sizeof label);
          format_entry_count (buf, sizeof buf, count, selected_counts, c);
          cw = cs_plot_text_width (cr, buf);
          widest = MAX (widest, cw);
          if (cs_plot_text_width (cr, label) > x + w - text_x - 2 - cw - 6)
            two_lines = TRUE;
        }
      two_lines = two_lines && erow >= 2 * line;
      if (two_lines ? widest > x + w - text_x - 2 : x + w - widest < text_x + 12)
        g.thumb = 0;
    }
  tx = x + 16 + (g.thumb > 0 ? g.thumb + 6 : 0); /* where the entries' text starts */
  cs_plot_set_font (cr, style, 1.0, TRUE);
  cs_plot_set_source (cr, &style->foreground);
  if (labels)
    cs_plot_text (cr, x, l->ay, _ ("True class"), 0, 0);
  else
    {
      g_snprintf (buf, sizeof buf, _ ("Cluster (K = %u)"), s->k);
      cs_plot_text (cr, x, l->ay, buf, 0, 0);
    }

  cs_plot_set_font (cr, style, 0.92, FALSE);
  for (guint c = 0; c < g.shown; c++, y += erow)
    {
      CsRgba color, outline = style->muted;
      CsMarker marker;
      gint64 count = labels ? counts[c] : (s->cluster_sizes != NULL ? s->cluster_sizes[c] : 0);
      double cw;
      g_autofree char *fit = NULL;
      char label[160];

      category_look (p, c, style->dark, &color, &marker);
      outline.a = 0.6;
      cs_plot_draw_marker (cr, marker, x + 6, y + erow / 2, 5, &color, &outline);
      if (g.thumb > 0)
        cs_plot_draw_image (cr, style, s->prototypes + (gsize) c * s->d, p->image_width,
                            p->image_height, x + 16, round (y + (erow - g.thumb) / 2), g.thumb);

      entry_label (p, c, label, sizeof label);
      format_entry_count (buf, sizeof buf, count, selected_counts, c);
      cw = cs_plot_text_width (cr, buf);
      cs_plot_set_source_alpha (cr, &style->muted, count > 0 ? 1.0 : 0.6);
      if (two_lines)
        {
          cs_plot_text (cr, tx, y + erow / 2 + line / 2, buf, 0.0, 0.5);
          fit = cs_plot_text_fit (cr, label, x + w - tx - 2);
        }
      else
        {
          cs_plot_text (cr, x + w, y + erow / 2, buf, 1.0, 0.5);
          fit = cs_plot_text_fit (cr, label, x + w - tx - 2 - cw - 6);
        }
      cs_plot_set_source (cr, count > 0 ? &style->foreground : &style->muted);
      cs_plot_text (cr, tx, y + erow / 2 - (two_lines ? line / 2 : 0), fit, 0.0, 0.5);
    }
  if (g.shown < ncat)
    {
      g_snprintf (buf, sizeof buf, _ ("+ %u more"), ncat - g.shown);
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, x + 16, y + row / 2, buf, 0.0, 0.5);
      y += row;
    }

  if (g.notes)
    {
      /* What the lines mean. */
      static const double dash[] = { 4.0, 3.0 };

      y += row / 2;
      cairo_set_line_width (cr, 2.0);
      cs_plot_set_source (cr, &style->muted);
      cairo_move_to (cr, x, y + row / 2);
      cairo_line_to (cr, x + 12, y + row / 2);
      cairo_stroke (cr);
      cs_plot_text (cr, x + 16, y + row / 2, _ ("centroid trail"), 0.0, 0.5);
      y += row;
      cairo_set_line_width (cr, 1.25);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_move_to (cr, x, y + row / 2);
      cairo_line_to (cr, x + 12, y + row / 2);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      cs_plot_text (cr, x + 16, y + row / 2, _ ("K-means re-init"), 0.0, 0.5);
    }
  cairo_restore (cr);
}

/* Prototypes grid ------------------------------------------------------------------------- */

#define PROTO_PAD 12.0
#define PROTO_LABEL 22.0

static gboolean
has_prototypes (const CsSnapshot *s, guint w, guint h)
{
  return s != NULL && s->prototypes != NULL && s->k > 0 && w > 0 && h > 0 && s->d == w * h;
}

/* Cells of 4 image pixels per pixel, at least 64 px, up to 10 a row. */
static void
prototypes_grid (const CsSnapshot *s, guint w, guint h, double *cell, guint *cols, guint *rows)
{
  *cell = MAX (64.0, 4.0 * MAX (w, h));
  *cols = MIN (s->k, 10u);
  *rows = (s->k + *cols - 1) / *cols;
}

gboolean
cs_plot_prototypes_size (const CsSnapshot *snapshot,
                         guint image_width,
                         guint image_height,
                         double *width,
                         double *height)
{
  double cell;
  guint cols, rows;

  g_return_val_if_fail (width != NULL && height != NULL, FALSE);
  if (!has_prototypes (snapshot, image_width, image_height))
    return FALSE;
  prototypes_grid (snapshot, image_width, image_height, &cell, &cols, &rows);
  *width = PROTO_PAD + cols * (cell + PROTO_PAD);
  *height = PROTO_PAD + rows * (cell + PROTO_LABEL + PROTO_PAD);
  return TRUE;
}

void
cs_plot_prototypes_draw (cairo_t *cr,
                         double width,
                         double height,
                         const CsPlotStyle *style,
                         const CsSnapshot *snapshot,
                         guint image_width,
                         guint image_height)
{
  double cell;
  guint cols, rows;

  g_return_if_fail (cr != NULL && style != NULL);
  if (!has_prototypes (snapshot, image_width, image_height))
    {
      cs_plot_draw_message (cr, width, height, style, _ ("No prototypes"));
      return;
    }
  prototypes_grid (snapshot, image_width, image_height, &cell, &cols, &rows);
  cairo_save (cr);
  cs_plot_fill_background (cr, style, width, height);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  for (guint c = 0; c < snapshot->k; c++)
    {
      double x = PROTO_PAD + (c % cols) * (cell + PROTO_PAD);
      double y = PROTO_PAD + (c / cols) * (cell + PROTO_LABEL + PROTO_PAD);
      CsRgba color, outline = style->muted;
      char buf[32];

      cs_plot_draw_image (cr, style, snapshot->prototypes + (gsize) c * snapshot->d, image_width,
                          image_height, x, y, cell);
      cs_palette_color (c, snapshot->k, style->dark, &color);
      outline.a = 0.6;
      cs_plot_draw_marker (cr, cs_palette_marker (c, snapshot->k), x + 6,
                           y + cell + PROTO_LABEL / 2, 5, &color, &outline);
      g_snprintf (buf, sizeof buf, "%u", c);
      cs_plot_set_source (cr, &style->foreground);
      cs_plot_text (cr, x + 16, y + cell + PROTO_LABEL / 2, buf, 0.0, 0.5);
    }
  cairo_restore (cr);
}

static void
draw_header (cairo_t *cr, const CsPlotStyle *style, const CsScatterParams *p, const Layout *l)
{
  const CsSnapshot *s = p->snapshot;
  char buf[128];
  double title_w;

  if (p->title == NULL)
    return;
  cairo_save (cr);
  cs_plot_set_font (cr, style, 1.1, TRUE);
  title_w = cs_plot_text_width (cr, p->title);
  cairo_restore (cr);
  cs_plot_draw_title (cr, style, l->ax, 10, p->title);

  /* Where the run stands, right-aligned over the plot when there is room beside the title. */
  /* Translators: the epoch, the phase ("pretraining" or "clustering") and its epoch, and the
   * number of points drawn */
  g_snprintf (buf, sizeof buf,
              g_dngettext (GETTEXT_PACKAGE, "epoch %u · %s %u · %zu point",
                           "epoch %u · %s %u · %zu points", s->n),
              s->epoch, s->phase == CS_PHASE_PRETRAIN ? _ ("pretraining") : _ ("clustering"),
              s->phase_epoch, s->n);
  cairo_save (cr);
  cs_plot_set_font (cr, style, 0.92, FALSE);
  if (title_w + 16 + cs_plot_text_width (cr, buf) > l->aw)
    g_snprintf (buf, sizeof buf, _ ("epoch %u"), s->epoch);
  if (title_w + 16 + cs_plot_text_width (cr, buf) <= l->aw)
    {
      cs_plot_set_source (cr, &style->muted);
      cs_plot_text (cr, l->ax + l->aw, 12, buf, 1.0, 0.0);
    }
  cairo_restore (cr);
}

void
cs_plot_scatter_draw (cairo_t *cr,
                      double width,
                      double height,
                      const CsPlotStyle *style,
                      const CsScatterParams *params)
{
  Layout l;

  g_return_if_fail (cr != NULL && style != NULL && params != NULL);

  if (!has_data (params))
    {
      cs_plot_draw_message (cr, width, height, style,
                            params->empty_message != NULL ? params->empty_message
                                                          : _ ("No data yet — press Start"));
      return;
    }

  layout (width, height, params, &l);
  cairo_save (cr);
  cs_plot_fill_background (cr, style, width, height);
  draw_grid_and_ticks (cr, style, params, &l, TRUE);

  if (!rasterise_direct (cr, params, &l, style))
    {
      cairo_surface_t *points = rasterise_points (params, &l, raster_scale (cr, params), style);

      cairo_save (cr);
      cairo_rectangle (cr, l.ax, l.ay, l.aw, l.ah);
      cairo_clip (cr);
      cairo_set_source_surface (cr, points, l.ax, l.ay);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (points);
    }
  cairo_save (cr);
  cairo_rectangle (cr, l.ax, l.ay, l.aw, l.ah);
  cairo_clip (cr);
  draw_trails (cr, style, params, &l);
  draw_centroids (cr, style, params, &l);
  draw_highlight (cr, style, params, &l);
  cairo_restore (cr);

  draw_grid_and_ticks (cr, style, params, &l, FALSE);
  if (l.lw > 0)
    draw_legend (cr, style, params, &l);
  draw_header (cr, style, params, &l);
  cairo_restore (cr);
}

void
cs_plot_scatter_draw_pair (cairo_t *cr,
                           double width,
                           double height,
                           const CsPlotStyle *style,
                           const CsScatterParams *left,
                           const CsScatterParams *right)
{
  /* Whole pixels, so that each half keeps the direct path into an image surface. */
  double half = floor (width / 2);

  g_return_if_fail (cr != NULL && style != NULL && left != NULL && right != NULL);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, half, height);
  cairo_clip (cr);
  cs_plot_scatter_draw (cr, half, height, style, left);
  cairo_restore (cr);

  cairo_save (cr);
  cairo_translate (cr, half, 0);
  cairo_rectangle (cr, 0, 0, width - half, height);
  cairo_clip (cr);
  cs_plot_scatter_draw (cr, width - half, height, style, right);
  cairo_restore (cr);
}

gboolean
cs_plot_scatter_match_colors (
    const CsSnapshot *a, const CsSnapshot *b, guint *a_colors, guint *b_colors, guint *palette_k)
{
  g_autofree gint *b_to_a = NULL;
  guint next;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  if (a->n == 0 || a->n != b->n || a->k == 0 || b->k == 0)
    return FALSE;
  b_to_a = g_new (gint, b->k);
  cs_match_clusters (a->clusters, a->k, b->clusters, b->k, a->n, b_to_a);
  for (guint j = 0; j < a->k; j++)
    a_colors[j] = j;
  /* b's clusters without a partner (b has more) take the colours after a's. */
  next = a->k;
  for (guint j = 0; j < b->k; j++)
    b_colors[j] = b_to_a[j] >= 0 ? (guint) b_to_a[j] : next++;
  *palette_k = MAX (next, b->k);
  return TRUE;
}
