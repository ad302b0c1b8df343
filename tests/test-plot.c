/* test-plot.c: the Cairo renderers, checked by the pixels they draw.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-plot"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-error.h"
#include "cs-plot-private.h"
#include "cs-plot.h"
#include "cs-rng.h"
#include "cs-snapshot.h"
#include "cs-test-mount.h"

static const char *const fashion_names[10] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

/* Pixels ------------------------------------------------------------------------------------ */

typedef struct
{
  double r, g, b, a;
} Pixel;

static Pixel
get_pixel (cairo_surface_t *surface, int x, int y)
{
  const guint8 *data;
  guint32 v;
  Pixel p = { 0 };
  double a;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (surface));
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  v = *(const guint32 *) (data + (gsize) y * cairo_image_surface_get_stride (surface) + 4 * x);
  a = (v >> 24) / 255.0;
  p.a = a;
  if (a > 0)
    {
      p.r = ((v >> 16) & 0xff) / 255.0 / a;
      p.g = ((v >> 8) & 0xff) / 255.0 / a;
      p.b = (v & 0xff) / 255.0 / a;
    }
  return p;
}

static double
pixel_distance (Pixel p, const CsRgba *c)
{
  return MAX (MAX (fabs (p.r - c->r), fabs (p.g - c->g)), fabs (p.b - c->b));
}

static double
pixel_luminance (Pixel p)
{
  return 0.2126 * p.r + 0.7152 * p.g + 0.0722 * p.b;
}

/* A colour composited with alpha over white, as the point raster does. */
static CsRgba
over_white (const CsRgba *c, double alpha)
{
  CsRgba out
      = { c->r * alpha + (1 - alpha), c->g * alpha + (1 - alpha), c->b * alpha + (1 - alpha), 1 };
  return out;
}

static cairo_surface_t *
new_surface (int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

static void
save_png (cairo_surface_t *surface, const char *name)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  g_test_message ("saved %s", path);
}

static CsRng *
seeded (CsRng *state, guint64 seed)
{
  cs_rng_init (state, seed);
  return state;
}

/* Snapshots --------------------------------------------------------------------------------- */

/* Gaussian blobs on a circle, one per class; cluster = class except for a few mistakes. */
static CsSnapshot *
make_blobs (
    gsize n, guint k, guint n_classes, guint epoch, double drift, CsRng *rng, gint32 **labels_out)
{
  CsSnapshot *s = cs_snapshot_new (n, 2, k, n_classes, FALSE);
  g_autofree gint32 *labels = g_new (gint32, n);

  s->epoch = epoch;
  s->phase = CS_PHASE_CLUSTER;
  s->phase_epoch = epoch;
  for (gsize i = 0; i < n; i++)
    {
      guint c = (guint) (i % MAX (n_classes, 1));
      double angle = 2 * G_PI * c / MAX (n_classes, 1);
      double spread = 0.9 + 0.5 * (c % 3);

      labels[i] = (gint32) c;
      s->xy[2 * i] = (float) (6 * cos (angle) + spread * cs_rng_normal (rng));
      s->xy[2 * i + 1] = (float) (4 * sin (angle) + spread * cs_rng_normal (rng));
      s->clusters[i] = (guint16) (cs_rng_uniform (rng) < 0.1 ? cs_rng_below (rng, k) : c % k);
      s->confidence[i] = 0.8f;
    }
  for (guint j = 0; j < k; j++)
    {
      double angle = 2 * G_PI * j / k + drift;

      s->centroids_xy[2 * j] = (float) (5.5 * cos (angle));
      s->centroids_xy[2 * j + 1] = (float) (3.6 * sin (angle));
    }
  for (gsize i = 0; i < n; i++)
    {
      s->cluster_sizes[s->clusters[i]]++;
      if (n_classes > 0)
        s->contingency[labels[i] * k + s->clusters[i]]++;
    }
  for (guint j = 0; j < k && n_classes > 0; j++)
    s->cluster_to_class[j] = j < n_classes ? (gint) j : -1;
  s->metrics.acc = 0.9;
  if (labels_out)
    *labels_out = g_steal_pointer (&labels);
  return s;
}

/* Palette ----------------------------------------------------------------------------------- */

static void
test_palette_okabe_ito (void)
{
  static const guint32 expected[8] = {
    0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9, 0xF0E442, 0x000000,
  };

  for (guint k = 1; k <= 8; k++)
    for (guint i = 0; i < k; i++)
      {
        CsRgba c;

        cs_palette_color (i, k, FALSE, &c);
        g_assert_cmpfloat_with_epsilon (c.r, ((expected[i] >> 16) & 0xff) / 255.0, 1e-9);
        g_assert_cmpfloat_with_epsilon (c.g, ((expected[i] >> 8) & 0xff) / 255.0, 1e-9);
        g_assert_cmpfloat_with_epsilon (c.b, (expected[i] & 0xff) / 255.0, 1e-9);
        g_assert_cmpfloat (c.a, ==, 1.0);
        g_assert_cmpint (cs_palette_marker (i, k), ==, CS_MARKER_CIRCLE);
      }
  /* Tableau 10 beyond eight. */
  {
    CsRgba c;

    cs_palette_color (0, 10, FALSE, &c);
    g_assert_cmpfloat_with_epsilon (c.r, 0x4E / 255.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (c.g, 0x79 / 255.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (c.b, 0xA7 / 255.0, 1e-9);
  }
}

static void
test_palette_distinct (void)
{
  const guint ks[] = { 9, 10, 12, 20, 30 };

  for (guint t = 0; t < G_N_ELEMENTS (ks); t++)
    {
      guint k = ks[t];
      g_autofree CsRgba *c = g_new (CsRgba, k);
      double min_d = INFINITY;
      guint shapes = 0;

      for (guint i = 0; i < k; i++)
        {
          cs_palette_color (i, k, FALSE, &c[i]);
          g_assert_true (c[i].r >= 0 && c[i].r <= 1 && c[i].g >= 0 && c[i].g <= 1 && c[i].b >= 0
                         && c[i].b <= 1);
          shapes |= 1u << cs_palette_marker (i, k);
        }
      for (guint i = 0; i < k; i++)
        for (guint j = i + 1; j < k; j++)
          min_d = MIN (min_d, sqrt ((c[i].r - c[j].r) * (c[i].r - c[j].r)
                                    + (c[i].g - c[j].g) * (c[i].g - c[j].g)
                                    + (c[i].b - c[j].b) * (c[i].b - c[j].b)));
      g_test_message ("k = %u: smallest RGB distance %.3f", k, min_d);
      g_assert_cmpfloat (min_d, >, k <= 20 ? 0.08 : 0.04);
      /* Beyond the colour-blind-safe set, shapes vary too. */
      g_assert_cmpuint (shapes, ==, 0x1f);
      /* Neighbours never share a shape. */
      for (guint i = 0; i + 1 < k; i++)
        g_assert_cmpint (cs_palette_marker (i, k), !=, cs_palette_marker (i + 1, k));
    }
}

/* Scatter ----------------------------------------------------------------------------------- */

/* Three points, one per cluster, at (px[i], py[i]), with their centroids at (cx[i], cy[i]). */
static CsSnapshot *
three_points (const double *px, const double *py, const double *cx, const double *cy)
{
  CsSnapshot *s = cs_snapshot_new (3, 2, 3, 0, FALSE);

  for (guint i = 0; i < 3; i++)
    {
      s->xy[2 * i] = (float) px[i];
      s->xy[2 * i + 1] = (float) py[i];
      s->clusters[i] = (guint16) i;
      s->cluster_sizes[i] = 1;
      s->centroids_xy[2 * i] = (float) cx[i];
      s->centroids_xy[2 * i + 1] = (float) cy[i];
    }
  return s;
}

static void
test_scatter_points (void)
{
  const int W = 640, H = 400;
  const double px_[3] = { -1, 0.5, 1 }, py_[3] = { -1, 1, -0.2 };
  /* Centroids far from the points. */
  const double cx[3] = { -1, 0, 1 }, cy[3] = { 0.5, 0.5, 0.5 };
  g_autoptr (CsSnapshot) s = three_points (px_, py_, cx, cy);
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsScatterParams params;

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.point_size = 6;
  params.title = "Scatter";
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-scatter-points.png");

  for (guint i = 0; i < 3; i++)
    {
      double px, py, back_x, back_y;
      CsRgba c, expected;
      Pixel p;

      cs_plot_scatter_data_to_pixel (W, H, &params, px_[i], py_[i], &px, &py);
      cs_plot_scatter_pixel_to_data (W, H, &params, px, py, &back_x, &back_y);
      g_assert_cmpfloat_with_epsilon (back_x, px_[i], 1e-9);
      g_assert_cmpfloat_with_epsilon (back_y, py_[i], 1e-9);
      cs_palette_color (i, 3, FALSE, &c);
      expected = over_white (&c, 0.9);
      p = get_pixel (surface, (int) px, (int) py);
      g_assert_cmpfloat (pixel_distance (p, &expected), <, 0.03);
      /* Away from the point: the background. */
      p = get_pixel (surface, (int) px + 12, (int) py + 12);
      g_assert_cmpfloat (pixel_distance (p, &style.background), <, 0.15);
      /* The hit test finds it. */
      g_assert_cmpint (cs_plot_scatter_hit (W, H, &params, px + 2, py - 1, 5), ==, i);
    }
  g_assert_cmpint (cs_plot_scatter_hit (W, H, &params, 2, 2, 5), ==, -1);

  /* Centroid 1 at (0, 0.5): filled with its colour, dark outline just outside. */
  {
    double px, py;
    CsRgba c;
    Pixel p;

    cs_plot_scatter_data_to_pixel (W, H, &params, 0, 0.5, &px, &py);
    cs_palette_color (1, 3, FALSE, &c);
    p = get_pixel (surface, (int) px, (int) py);
    g_assert_cmpfloat (pixel_distance (p, &c), <, 0.03);
    {
      double darkest = 1;

      for (int dx = 5; dx <= 9; dx++)
        darkest = MIN (darkest, pixel_luminance (get_pixel (surface, (int) px + dx, (int) py)));
      g_assert_cmpfloat (darkest, <, 0.3);
    }
  }

  /* The legend chips: each cluster colour appears right of the plot area. */
  {
    double ax, ay, aw, ah;

    cs_plot_scatter_area (W, H, &params, &ax, &ay, &aw, &ah);
    for (guint i = 0; i < 3; i++)
      {
        CsRgba c;
        gboolean found = FALSE;

        cs_palette_color (i, 3, FALSE, &c);
        for (int y = (int) ay; y < (int) (ay + ah) && !found; y++)
          for (int x = (int) (ax + aw + 2); x < W && !found; x++)
            found = pixel_distance (get_pixel (surface, x, y), &c) < 0.03;
        g_assert_true (found);
      }

    /* Ticks: short dark strokes just under the frame, with gaps between them. */
    {
      int y = (int) (ay + ah) + 2, dark = 0, light = 0;

      for (int x = (int) ax + 2; x < (int) (ax + aw) - 2; x++)
        {
          if (pixel_luminance (get_pixel (surface, x, y)) < 0.6)
            dark++;
          else
            light++;
        }
      g_assert_cmpint (dark, >=, 3);
      g_assert_cmpint (light, >, dark * 5);

      dark = 0;
      for (int yy = (int) ay + 2; yy < (int) (ay + ah) - 2; yy++)
        if (pixel_luminance (get_pixel (surface, (int) ax - 3, yy)) < 0.6)
          dark++;
      g_assert_cmpint (dark, >=, 3);
    }
  }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Whether a size x size square of the surface right of x0 is all within 0.05 of c. */
static gboolean
has_block (cairo_surface_t *surface, int x0, const CsRgba *c, int size)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);

  for (int y = 0; y + size <= h; y++)
    for (int x = x0; x + size <= w; x++)
      {
        gboolean all = TRUE;

        for (int yy = 0; yy < size && all; yy++)
          for (int xx = 0; xx < size && all; xx++)
            all = pixel_distance (get_pixel (surface, x + xx, y + yy), c) < 0.05;
        if (all)
          return TRUE;
      }
  return FALSE;
}

/* For image data the legend shows each cluster's prototype beside its colour, dark on light
 * (light on dark in the dark style), and nothing of the kind when colouring by true class or
 * when the data are not images. */
static void
test_scatter_prototypes (void)
{
  const int W = 640, H = 400, side = 8;
  CsRng rng;
  g_autofree gint32 *labels = NULL;
  g_autoptr (CsSnapshot) s = make_blobs (600, 3, 3, 4, 0.0, seeded (&rng, 11), &labels);
  const CsRgba black = { 0, 0, 0, 1 }, white = { 1, 1, 1, 1 };
  CsPlotStyle light, dark;
  CsScatterParams params;
  double ax, ay, aw, ah;

  /* Cluster 0: every pixel lit; 1: none; 2: a checkerboard. */
  s->d = side * side;
  s->prototypes = g_new (float, 3 * side * side);
  for (guint c = 0; c < 3; c++)
    for (int i = 0; i < side * side; i++)
      s->prototypes[c * side * side + i] = c == 0   ? 1.0f
                                           : c == 1 ? 0.0f
                                                    : (float) ((i + i / side) % 2);

  cs_plot_style_init (&light, FALSE);
  cs_plot_style_init (&dark, TRUE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.labels = labels;
  params.n_classes = 3;
  cs_plot_scatter_area (W, H, &params, &ax, &ay, &aw, &ah);

  for (guint variant = 0; variant < 4; variant++)
    {
      cairo_surface_t *surface = new_surface (W, H);
      cairo_t *cr = cairo_create (surface);
      const CsPlotStyle *style = variant == 1 ? &dark : &light;
      gboolean expect = variant <= 1;

      params.image_width = variant == 3 ? 0 : side;
      params.image_height = variant == 3 ? 0 : side;
      params.color_by = variant == 2 ? CS_COLOR_BY_LABEL : CS_COLOR_BY_CLUSTER;
      cs_plot_scatter_draw (cr, W, H, style, &params);
      if (variant == 0)
        save_png (surface, "cs-test-scatter-prototypes.png");
      /* The lit prototype: a solid block of the foreground-side colour in the legend. */
      g_assert_true (has_block (surface, (int) (ax + aw + 2), variant == 1 ? &white : &black, 12)
                     == expect);
      if (expect)
        g_assert_true (
            has_block (surface, (int) (ax + aw + 2), variant == 1 ? &black : &white, 12));
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
}

/* The rows of text ink, in runs, between columns x0 and x1 over rows [y0, y1). */
static guint
ink_bands (cairo_surface_t *surface, const CsRgba *background, int x0, int x1, int y0, int y1)
{
  guint bands = 0;
  gboolean in_band = FALSE;

  for (int y = y0; y < y1; y++)
    {
      gboolean ink = FALSE;

      for (int x = x0; x < x1 && !ink; x++)
        ink = pixel_distance (get_pixel (surface, x, y), background) > 0.3;
      if (ink && !in_band)
        bands++;
      in_band = ink;
    }
  return bands;
}

/* Beside the prototypes, a legend too narrow for "0 → Ankle boot" and its count on one line
 * puts the count on a second line, so that the class's name is not cut down to "0 → ..."; a
 * wide one keeps one line per entry. With a selection ("412 / 600") the narrow legend keeps
 * both its prototypes and its two lines. */
static void
test_scatter_legend_two_lines (void)
{
  static const char *const names[] = { "Ankle boot", "Pullover", "T-shirt/top", NULL };
  const int H = 400, side = 8;
  CsRng rng;
  g_autofree gint32 *labels = NULL;
  /* Counts of "334 / 1 000" with the selection, wider than room beside the name. */
  g_autoptr (CsSnapshot) s = make_blobs (3000, 3, 3, 4, 0.0, seeded (&rng, 12), &labels);
  g_autofree guint8 *selected = g_new0 (guint8, 3000);
  const CsRgba black = { 0, 0, 0, 1 };
  CsPlotStyle style;
  CsScatterParams params;

  s->d = side * side;
  s->prototypes = g_new (float, 3 * side * side);
  for (int i = 0; i < 3 * side * side; i++)
    s->prototypes[i] = 1.0f; /* lit: a black square */
  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.labels = labels;
  params.n_classes = 3;
  params.class_names = names;
  params.image_width = side;
  params.image_height = side;

  for (gsize i = 0; i < s->n; i += 3)
    selected[i] = 1;
  for (guint variant = 0; variant < 3; variant++)
    {
      const gboolean wide = variant == 1;
      const int W = wide ? 1100 : 480;
      cairo_surface_t *surface = new_surface (W, H);
      cairo_t *cr = cairo_create (surface);
      double ax, ay, aw, ah;
      int mid = -1, thumb_x0 = -1, thumb_x1 = -1, top, bottom;

      params.selected = variant == 2 ? selected : NULL;
      params.n_selected = variant == 2 ? s->n : 0;
      cs_plot_scatter_draw (cr, W, H, &style, &params);
      if (variant == 0)
        save_png (surface, "cs-test-scatter-legend-narrow.png");
      cs_plot_scatter_area (W, H, &params, &ax, &ay, &aw, &ah);
      /* The first prototype: the first black square right of the plot area, top to bottom. */
      for (int y = (int) ay; y < H && mid < 0; y++)
        for (int x = (int) (ax + aw + 2); x < W - 8 && mid < 0; x++)
          if (pixel_distance (get_pixel (surface, x, y), &black) < 0.05
              && pixel_distance (get_pixel (surface, x + 6, y + 6), &black) < 0.05)
            mid = y, thumb_x0 = x;
      g_assert_cmpint (mid, >=, 0);
      top = mid;
      for (bottom = top; pixel_distance (get_pixel (surface, thumb_x0 + 2, bottom), &black) < 0.05;
           bottom++)
        ;
      for (thumb_x1 = thumb_x0;
           pixel_distance (get_pixel (surface, thumb_x1, top + 2), &black) < 0.05; thumb_x1++)
        ;
      /* The start of the entry's text: two lines in the narrow legend, one in the wide. */
      g_assert_cmpuint (
          ink_bands (surface, &style.background, thumb_x1 + 3, thumb_x1 + 24, top - 1, bottom + 1),
          ==, wide ? 1 : 2);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
}

/* Nice ticks within the range; a range whose nice step would leave a single tick inside it
 * (a 2-unit step on -1.95 to 1.95, which a narrow scatter plot met: only "0" on its axis) gets
 * the next finer step instead. */
static void
test_ticks_linear (void)
{
  double t[CS_PLOT_MAX_TICKS], step;
  guint n;

  n = cs_plot_ticks_linear (0, 100, 5, t, &step);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat (step, ==, 25);
  g_assert_cmpfloat (t[4], ==, 100);

  n = cs_plot_ticks_linear (0, 1, 6, t, &step);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat_with_epsilon (step, 0.2, 1e-12);

  n = cs_plot_ticks_linear (-1.95, 1.95, 4, t, &step);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (step, ==, 1);
  g_assert_cmpfloat (t[0], ==, -1);
  g_assert_cmpfloat (t[1], ==, 0);
  g_assert_cmpfloat (t[2], ==, 1);

  /* Never more than one tick over what was asked. */
  for (double hi = 0.1; hi < 50; hi *= 1.37)
    for (guint max = 2; max <= 10; max++)
      {
        n = cs_plot_ticks_linear (-hi, hi * 0.9, max, t, &step);
        g_assert_cmpuint (n, >=, 1);
        g_assert_cmpuint (n, <=, max + 1);
        for (guint i = 0; i < n; i++)
          {
            g_assert_cmpfloat (t[i], >=, -hi - 1e-9);
            g_assert_cmpfloat (t[i], <=, hi * 0.9 + 1e-9);
          }
      }
}

/* Selection --------------------------------------------------------------------------------- */

static void
test_point_in_polygon (void)
{
  /* A "U": the notch between its arms is outside. */
  const double u[] = { 0, 0, 30, 0, 30, 30, 20, 30, 20, 10, 10, 10, 10, 30, 0, 30 };
  const double square[] = { 0, 0, 10, 0, 10, 10, 0, 10 };

  g_assert_true (cs_plot_point_in_polygon (square, 4, 5, 5));
  g_assert_false (cs_plot_point_in_polygon (square, 4, 15, 5));
  g_assert_false (cs_plot_point_in_polygon (square, 4, -0.5, 5));
  g_assert_true (cs_plot_point_in_polygon (u, 8, 5, 20));   /* left arm */
  g_assert_true (cs_plot_point_in_polygon (u, 8, 25, 20));  /* right arm */
  g_assert_true (cs_plot_point_in_polygon (u, 8, 15, 5));   /* the base */
  g_assert_false (cs_plot_point_in_polygon (u, 8, 15, 20)); /* the notch */
  g_assert_false (cs_plot_point_in_polygon (u, 8, 35, 5));
  /* Clockwise or not, the same answer. */
  {
    double reversed[16];

    for (guint v = 0; v < 8; v++)
      {
        reversed[2 * v] = u[2 * (7 - v)];
        reversed[2 * v + 1] = u[2 * (7 - v) + 1];
      }
    g_assert_false (cs_plot_point_in_polygon (reversed, 8, 15, 20));
    g_assert_true (cs_plot_point_in_polygon (reversed, 8, 5, 20));
  }
  g_assert_false (cs_plot_point_in_polygon (square, 2, 5, 5));
  g_assert_false (cs_plot_point_in_polygon (NULL, 0, 5, 5));
}

/* Three points; a selection draws the selected in full colour and fades the others, and the
 * lasso and legend hit tests agree with the drawing. */
static void
test_scatter_selection (void)
{
  const int W = 640, H = 400;
  /* Off the grid lines, which show through a faded point. */
  const double px_[3] = { -0.93, 0.57, 1.07 }, py_[3] = { -1.13, 0.87, -0.23 };
  /* Centroids out of the way (and of the view). */
  const double cx[3] = { 5, 5, 5 }, cy[3] = { 5, 5, 5 };
  g_autoptr (CsSnapshot) s = three_points (px_, py_, cx, cy);
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsScatterParams params;
  guint8 selected[3] = { 1, 0, 1 }, mask[3];
  double pix[3][2];

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.point_size = 6;
  params.view = (CsViewport){ -2, -2, 2, 2 };
  params.selected = selected;
  params.n_selected = 3;
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-scatter-selection.png");

  for (guint i = 0; i < 3; i++)
    {
      CsRgba c, expected;
      Pixel p;

      cs_plot_scatter_data_to_pixel (W, H, &params, px_[i], py_[i], &pix[i][0], &pix[i][1]);
      cs_palette_color (i, 3, FALSE, &c);
      expected = over_white (&c, selected[i] ? 1.0 : 0.14);
      p = get_pixel (surface, (int) pix[i][0], (int) pix[i][1]);
      g_test_message ("point %u: %.2f %.2f %.2f", i, p.r, p.g, p.b);
      g_assert_cmpfloat (pixel_distance (p, &expected), <, 0.03);
    }

  /* An empty mask is no selection: every point as usual. */
  memset (selected, 0, sizeof selected);
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  for (guint i = 0; i < 3; i++)
    {
      CsRgba c, expected;

      cs_palette_color (i, 3, FALSE, &c);
      expected = over_white (&c, 0.9);
      g_assert_cmpfloat (
          pixel_distance (get_pixel (surface, (int) pix[i][0], (int) pix[i][1]), &expected), <,
          0.03);
    }

  /* A lasso around points 0 (lower left) and 1 (upper right): the hull of a square around
   * each, which leaves point 2, right of them, out. */
  {
    const double lasso[] = {
      pix[0][0] - 8, pix[0][1] + 8, pix[0][0] + 8, pix[0][1] + 8, pix[1][0] + 8, pix[1][1] + 8,
      pix[1][0] + 8, pix[1][1] - 8, pix[1][0] - 8, pix[1][1] - 8, pix[0][0] - 8, pix[0][1] - 8,
    };

    g_assert_cmpuint (cs_plot_scatter_select_polygon (W, H, &params, lasso, 6, mask), ==, 2);
    g_assert_cmpuint (mask[0], ==, 1);
    g_assert_cmpuint (mask[1], ==, 1);
    g_assert_cmpuint (mask[2], ==, 0);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpint (cs_plot_point_in_polygon (lasso, 6, pix[i][0], pix[i][1]), ==, mask[i]);
  }
  /* A rectangle around point 2 alone. */
  {
    const double rect[] = {
      pix[2][0] - 5, pix[2][1] - 5, pix[2][0] + 5, pix[2][1] - 5,
      pix[2][0] + 5, pix[2][1] + 5, pix[2][0] - 5, pix[2][1] + 5,
    };

    g_assert_cmpuint (cs_plot_scatter_select_polygon (W, H, &params, rect, 4, mask), ==, 1);
    g_assert_cmpuint (mask[2], ==, 1);
  }
  /* Zoomed in on point 1: the others lie outside the plot area, and a polygon covering the
   * whole widget selects only what is shown. */
  {
    const double all[] = { -100, -100, W + 100, -100, W + 100, H + 100, -100, H + 100 };

    params.view = (CsViewport){ 0, 0.5, 0.8, 1.5 };
    g_assert_cmpuint (cs_plot_scatter_select_polygon (W, H, &params, all, 4, mask), ==, 1);
    g_assert_cmpuint (mask[1], ==, 1);
    params.view = (CsViewport){ -2, -2, 2, 2 };
  }

  /* The legend: a click on a cluster's row, where its chip is drawn, names that cluster. */
  {
    double ax, ay, aw, ah;

    cs_plot_scatter_draw (cr, W, H, &style, &params);
    cs_plot_scatter_area (W, H, &params, &ax, &ay, &aw, &ah);
    for (guint i = 0; i < 3; i++)
      {
        CsRgba c;
        int chip_x = -1, chip_y = -1;

        cs_palette_color (i, 3, FALSE, &c);
        for (int y = (int) ay; y < (int) (ay + ah) && chip_y < 0; y++)
          for (int x = (int) (ax + aw + 2); x < W && chip_y < 0; x++)
            if (pixel_distance (get_pixel (surface, x, y), &c) < 0.03)
              chip_x = x, chip_y = y;
        g_assert_cmpint (chip_y, >=, 0);
        g_assert_cmpint (cs_plot_scatter_legend_hit (W, H, &style, &params, chip_x, chip_y + 2), ==,
                         i);
        g_assert_cmpint (
            cs_plot_scatter_legend_hit (W, H, &style, &params, chip_x + 60, chip_y + 2), ==, i);
      }
    g_assert_cmpint (cs_plot_scatter_legend_hit (W, H, &style, &params, ax + aw / 2, ay + 20), ==,
                     -1);
    g_assert_cmpint (cs_plot_scatter_legend_hit (W, H, &style, &params, W - 20, H - 5), ==, -1);
  }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_scatter_empty (void)
{
  const int W = 600, H = 400;
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsScatterParams params;
  int centre = 0, elsewhere = 0;

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-scatter-empty.png");

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        gboolean ink = pixel_distance (get_pixel (surface, x, y), &style.background) > 0.2;
        gboolean in_centre = abs (x - W / 2) < W / 2 - 20 && abs (y - H / 2) < 14;

        if (ink && in_centre)
          centre++;
        else if (ink)
          elsewhere++;
      }
  g_assert_cmpint (centre, >, 100);
  g_assert_cmpint (elsewhere, ==, 0);
  g_assert_cmpint (cs_plot_scatter_hit (W, H, &params, W / 2, H / 2, 10), ==, -1);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* The axes name the projection; a t-SNE view of a sample (70 000 points, 10 000 laid out) says
 * so, in the light copy the window's history keeps too. */
static void
test_scatter_axis_titles (void)
{
  g_autoptr (CsSnapshot) snap = cs_snapshot_new (70000, 2, 3, 0, FALSE);
  g_autoptr (CsSnapshot) light = NULL;
  g_autofree char *x = NULL, *y = NULL, *lx = NULL, *ly = NULL;

  cs_plot_scatter_axis_titles (snap, &x, &y);
  g_assert_cmpstr (x, ==, "PC 1");
  g_assert_cmpstr (y, ==, "PC 2");
  g_clear_pointer (&x, g_free);
  g_clear_pointer (&y, g_free);

  snap->settings.projection = CS_PROJECTION_TSNE;
  cs_plot_scatter_axis_titles (snap, &x, &y);
  g_assert_cmpstr (x, ==, "t-SNE 1");
  g_assert_cmpstr (y, ==, "t-SNE 2");
  g_clear_pointer (&x, g_free);
  g_clear_pointer (&y, g_free);

  snap->xy_laid_out = 10000;
  light = cs_snapshot_dup_light (snap);
  cs_plot_scatter_axis_titles (snap, &x, &y);
  cs_plot_scatter_axis_titles (light, &lx, &ly);
  g_assert_cmpstr (x, ==,
                   "t-SNE 1 (10000 of 70000 points laid out, the others placed by their "
                   "nearest)");
  g_assert_cmpstr (y, ==, "t-SNE 2");
  g_assert_cmpstr (lx, ==, x);
}

/* Into an image surface the points are blended straight into the target's pixels; anywhere
 * else they go through an intermediate raster. Both give the same picture. */
static void
test_scatter_direct_matches_raster (void)
{
  const int W = 900, H = 600;
  CsRng rng_state;
  CsRng *rng = seeded (&rng_state, 11);
  g_autofree gint32 *labels = NULL;
  g_autoptr (CsSnapshot) s = make_blobs (20000, 6, 6, 3, 0, rng, &labels);
  cairo_surface_t *a = new_surface (W, H), *b = new_surface (W, H);
  cairo_t *cra = cairo_create (a), *crb = cairo_create (b);
  CsPlotStyle style;
  CsScatterParams params;
  guint max_diff = 0;
  gsize differing = 0;

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.point_size = 3;
  cs_plot_scatter_draw (cra, W, H, &style, &params);
  /* An explicit pixel scale takes the raster path even on an image surface. */
  params.pixel_scale = 1.0;
  cs_plot_scatter_draw (crb, W, H, &style, &params);
  cairo_surface_flush (a);
  cairo_surface_flush (b);

  for (int y = 0; y < H; y++)
    {
      const guint32 *ra = (const guint32 *) (cairo_image_surface_get_data (a)
                                             + (gsize) y * cairo_image_surface_get_stride (a));
      const guint32 *rb = (const guint32 *) (cairo_image_surface_get_data (b)
                                             + (gsize) y * cairo_image_surface_get_stride (b));
      for (int x = 0; x < W; x++)
        {
          guint d = 0;
          for (guint shift = 0; shift < 32; shift += 8)
            d = MAX (
                d, (guint) ABS ((int) ((ra[x] >> shift) & 0xff) - (int) ((rb[x] >> shift) & 0xff)));
          max_diff = MAX (max_diff, d);
          differing += d > 0;
        }
    }
  /* Blending the dots onto the background or onto transparency first rounds differently,
   * by a few levels at most; nothing is missing or displaced. */
  g_test_message ("%zu pixels differ, by at most %u levels", differing, max_diff);
  g_assert_cmpuint (max_diff, <=, 4);

  cairo_destroy (cra);
  cairo_destroy (crb);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
}

static void
test_scatter_large (void)
{
  const gsize n = 70000;
  const int W = 1600, H = 1000;
  CsRng rng_state;
  CsRng *rng = seeded (&rng_state, 7);
  g_autofree gint32 *labels = NULL;
  g_autoptr (CsSnapshot) s = make_blobs (n, 10, 10, 30, 0, rng, &labels);
  CsSnapshot *trail[12];
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsScatterParams params;
  gint64 t0, t1, best = G_MAXINT64;

  for (guint t = 0; t < G_N_ELEMENTS (trail); t++)
    {
      trail[t] = cs_snapshot_new (0, 2, 10, 0, FALSE);
      for (guint j = 0; j < 10; j++)
        {
          double angle = 2 * G_PI * j / 10 - 0.05 * (G_N_ELEMENTS (trail) - t);
          double r = 1.0 - 0.03 * (G_N_ELEMENTS (trail) - t);

          trail[t]->centroids_xy[2 * j] = (float) (5.5 * r * cos (angle));
          trail[t]->centroids_xy[2 * j + 1] = (float) (3.6 * r * sin (angle));
        }
      trail[t]->reinitialised = t == 5;
    }

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.trail = trail;
  params.n_trail = G_N_ELEMENTS (trail);
  params.labels = labels;
  params.n_classes = 10;
  params.class_names = fashion_names;
  params.title = "Latent space (PCA)";
  params.highlight = 1234;

  for (int rep = 0; rep < 5; rep++)
    {
      t0 = g_get_monotonic_time ();
      cs_plot_scatter_draw (cr, W, H, &style, &params);
      cairo_surface_flush (surface);
      t1 = g_get_monotonic_time ();
      best = MIN (best, t1 - t0);
    }
  g_test_message ("scatter of %" G_GSIZE_FORMAT " points at %dx%d: %.2f ms", n, W, H,
                  best / 1000.0);
  save_png (surface, "cs-test-scatter-large.png");

  /* By true label, and in the dark theme. */
  params.color_by = CS_COLOR_BY_LABEL;
  cs_plot_style_init (&style, TRUE);
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-scatter-large-dark.png");

  /* The highlighted point is found again by the hit test. */
  {
    double px, py;

    cs_plot_scatter_data_to_pixel (W, H, &params, s->xy[2 * 1234], s->xy[2 * 1234 + 1], &px, &py);
    g_assert_cmpint (cs_plot_scatter_hit (W, H, &params, px, py, 0.5), >=, 0);
  }

  for (guint t = 0; t < G_N_ELEMENTS (trail); t++)
    cs_snapshot_unref (trail[t]);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_scatter_trails (void)
{
  const int W = 640, H = 420;
  g_autoptr (CsSnapshot) s = cs_snapshot_new (1, 2, 2, 0, FALSE);
  CsSnapshot *trail[6];
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsScatterParams params;
  gboolean on_drift = FALSE, on_jump = FALSE;
  double px, py;

  /* Centroid 0 drifts right along y = 0 for three epochs, then jumps to y = 4 (K-means
   * re-initialisation) and drifts on; centroid 1 stays put. */
  for (guint t = 0; t < G_N_ELEMENTS (trail); t++)
    {
      trail[t] = cs_snapshot_new (0, 2, 2, 0, FALSE);
      trail[t]->centroids_xy[0] = (float) t;
      trail[t]->centroids_xy[1] = t < 3 ? 0.0f : 4.0f;
      trail[t]->centroids_xy[2] = 8.0f;
      trail[t]->centroids_xy[3] = -2.0f;
      trail[t]->reinitialised = t == 3;
    }
  s->centroids_xy[0] = 6.0f;
  s->centroids_xy[1] = 4.0f;
  s->centroids_xy[2] = 8.0f;
  s->centroids_xy[3] = -2.0f;
  s->xy[0] = -1.0f;
  s->xy[1] = 6.0f;

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.trail = trail;
  params.n_trail = G_N_ELEMENTS (trail);
  params.title = "Trails";
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-scatter-trails.png");

  /* The drift (1, 0) -> (2, 0): the centroid colour on the line, at some opacity. */
  cs_plot_scatter_data_to_pixel (W, H, &params, 1.5, 0, &px, &py);
  for (int dy = -1; dy <= 1; dy++)
    {
      Pixel p = get_pixel (surface, (int) px, (int) py + dy);

      /* Translucent over its dark casing: darker than c0 (blue), but still blue. */
      on_drift |= p.b - p.r > 0.2 && p.b > p.g;
    }
  g_assert_true (on_drift);
  /* The jump (2, 0) -> (3, 4), dashed: somewhere along it the colour shows, but not all
   * along it. */
  {
    int hits = 0, samples = 0;

    for (double f = 0.15; f <= 0.85; f += 0.01)
      {
        double x = 2 + f, y = 4 * f;
        gboolean hit = FALSE;

        cs_plot_scatter_data_to_pixel (W, H, &params, x, y, &px, &py);
        for (int dx = -1; dx <= 1; dx++)
          {
            Pixel p = get_pixel (surface, (int) px + dx, (int) py);

            hit |= p.b - p.r > 0.2 && p.b > p.g;
          }
        hits += hit;
        samples++;
      }
    on_jump = hits > samples / 5 && hits < samples * 9 / 10;
    g_test_message ("jump: %d of %d samples coloured", hits, samples);
  }
  g_assert_true (on_jump);

  for (guint t = 0; t < G_N_ELEMENTS (trail); t++)
    cs_snapshot_unref (trail[t]);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_scatter_many_clusters (void)
{
  const int W = 900, H = 600;
  CsRng rng_state;
  CsRng *rng = seeded (&rng_state, 3);
  g_autoptr (CsSnapshot) s = make_blobs (3000, 20, 20, 4, 0, rng, NULL);
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsScatterParams params;

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = s;
  params.title = "K = 20";
  cs_plot_scatter_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-scatter-k20.png");

  /* A zoomed view maps its corners to the corners of the area. */
  {
    double ax, ay, aw, ah, px, py;

    params.view = (CsViewport){ -1, -2, 3, 2 };
    cs_plot_scatter_area (W, H, &params, &ax, &ay, &aw, &ah);
    cs_plot_scatter_data_to_pixel (W, H, &params, -1, -2, &px, &py);
    g_assert_cmpfloat_with_epsilon (px, ax, 1e-9);
    g_assert_cmpfloat_with_epsilon (py, ay + ah, 1e-9);
    cs_plot_scatter_data_to_pixel (W, H, &params, 3, 2, &px, &py);
    g_assert_cmpfloat_with_epsilon (px, ax + aw, 1e-9);
    g_assert_cmpfloat_with_epsilon (py, ay, 1e-9);
  }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Curves ------------------------------------------------------------------------------------ */

/* Choosing K -------------------------------------------------------------------------------- */

/* Columns map to K (each K owns one band of x), the two series land in their own panels in
 * their colours, the current K is a line across both and the empty state says so. */
static void
test_kchoice (void)
{
  const int W = 700, H = 480;
  double inertia[11], sil[11];
  CsKChoiceParams params = { 0 };
  CsPlotStyle style;
  CsRgba icolor, scolor;
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  int first[13], last[13];
  guint prev = 0;
  int top = H, bottom = 0;

  for (guint i = 0; i < 11; i++)
    {
      guint k = i + 2;

      inertia[i] = k <= 5 ? 1e5 / k : 2e4 - 500.0 * k; /* an elbow at 5 */
      sil[i] = 0.8 - 0.05 * fabs ((double) k - 5);
    }
  sil[9] = sil[10] = inertia[10] = NAN; /* not computed yet */
  params.k_min = 2;
  params.k_max = 12;
  params.inertia = inertia;
  params.silhouette = sil;
  params.current_k = 8;
  params.title = "Choosing K";
  cs_plot_style_init (&style, FALSE);
  cs_plot_kchoice_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-kchoice.png");
  g_assert_cmpuint (cs_plot_kchoice_best (&params), ==, 5);

  /* Every K from 2 to 12 owns a band of columns, in order, at mid-height. */
  for (guint k = 0; k < 13; k++)
    first[k] = last[k] = -1;
  for (int x = 0; x < W; x++)
    {
      guint k = cs_plot_kchoice_hit (W, H, &params, x, H / 2);

      if (k == 0)
        continue;
      g_assert_cmpuint (k, >=, prev);
      prev = k;
      if (first[k] < 0)
        first[k] = x;
      last[k] = x;
    }
  for (guint k = 2; k <= 12; k++)
    g_assert_cmpint (last[k] - first[k], >, 20);
  g_assert_cmpuint (cs_plot_kchoice_hit (W, H, &params, 2, H / 2), ==, 0);
  g_assert_cmpuint (cs_plot_kchoice_hit (W, H, &params, W / 2, 2), ==, 0);

  /* The inertia's colour above the silhouette's. */
  cs_plot_curve_color (CS_CURVE_LOSS_REC, FALSE, &icolor);
  cs_plot_curve_color (CS_CURVE_ACC, FALSE, &scolor);
  {
    int iy = -1, sy = -1;

    for (int y = 0; y < H; y++)
      for (int x = first[3]; x <= last[3]; x++)
        {
          Pixel px = get_pixel (surface, x, y);

          if (iy < 0 && pixel_distance (px, &icolor) < 0.05)
            iy = y;
          if (sy < 0 && pixel_distance (px, &scolor) < 0.05)
            sy = y;
        }
    g_assert_cmpint (iy, >=, 0);
    g_assert_cmpint (sy, >, iy + 80);
  }

  /* The current K's dashed line: dark pixels down the middle of its band, across both panels;
   * none down the middle of K = 11 (its silhouette missing, no line). */
  for (int y = 0; y < H; y++)
    if (pixel_luminance (get_pixel (surface, (first[8] + last[8]) / 2, y)) < 0.5)
      {
        top = MIN (top, y);
        bottom = MAX (bottom, y);
      }
  g_assert_cmpint (bottom - top, >, H / 2);
  {
    int dark = 0, x = (first[11] + last[11]) / 2;

    for (int y = H / 3; y < 2 * H / 3; y++)
      dark += pixel_luminance (get_pixel (surface, x, y)) < 0.5;
    g_assert_cmpint (dark, <, 6);
  }

  params.inertia = NULL;
  cs_plot_kchoice_draw (cr, W, H, &style, &params);
  g_assert_cmpuint (cs_plot_kchoice_hit (W, H, &params, W / 2, H / 2), ==, 0);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static GPtrArray *
make_history (guint n, gboolean labelled)
{
  GPtrArray *history = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);

  for (guint i = 0; i < n; i++)
    {
      CsSnapshot *s = cs_snapshot_new (0, 2, 10, labelled ? 10 : 0, FALSE);
      double t = (double) i / n;

      s->epoch = i + 1;
      s->phase = i < n / 4 ? CS_PHASE_PRETRAIN : CS_PHASE_CLUSTER;
      s->phase_epoch = s->phase == CS_PHASE_PRETRAIN ? i + 1 : i + 1 - n / 4;
      s->settings.lr = 1e-3;
      s->settings.k = 10;
      s->metrics.loss_rec = 0.08 * exp (-3 * t) + 0.01;
      s->metrics.loss_clu = s->phase == CS_PHASE_CLUSTER ? 0.5 * exp (-2 * t) : NAN;
      if (labelled && s->phase == CS_PHASE_CLUSTER)
        {
          s->metrics.acc = 0.55 + 0.3 * t;
          s->metrics.nmi = 0.45 + 0.25 * t;
          s->metrics.ari = 0.35 + 0.3 * t;
        }
      if (s->phase == CS_PHASE_CLUSTER && i > n / 4)
        s->metrics.label_change = 0.3 * exp (-5 * t);
      s->reinitialised = s->phase == CS_PHASE_CLUSTER && (i - n / 4) % 5 == 0;
      if (i == n / 2)
        {
          s->changed = CS_SETTING_LR;
          s->settings.lr = 5e-4;
        }
      if (i == (3 * n) / 4)
        {
          s->changed = CS_SETTING_K | CS_SETTING_REINIT_EVERY;
          s->settings.k = 12;
          s->settings.reinit_every = 3;
        }
      g_ptr_array_add (history, s);
    }
  return history;
}

/* The top and bottom rows of the plot frame: grey lines crossing the columns x, x + 150 and
 * x + 300 (text and coloured curves do not). */
static void
find_frame (cairo_surface_t *surface, int x, int *top, int *bottom)
{
  int h = cairo_image_surface_get_height (surface);

  *top = *bottom = -1;
  for (int y = 0; y < h; y++)
    {
      gboolean line = TRUE;

      for (int dx = 0; dx <= 300 && line; dx += 150)
        {
          Pixel p = get_pixel (surface, x + dx, y);

          line = pixel_luminance (p) < 0.62 && fabs (p.r - p.b) < 0.05 && fabs (p.r - p.g) < 0.05;
        }
      if (line)
        {
          if (*top < 0)
            *top = y;
          *bottom = y;
        }
    }
}

/* Another run's scores drawn dashed in the same colours: along a row at its ACC (0.25) the ACC
 * colour appears in runs with gaps (dashes), where this run's own ACC (0.75) is elsewhere; the
 * legend names it. Without the comparison that row holds no ACC colour. */
static void
test_curves_compare (void)
{
  const int W = 800, H = 400;
  g_autoptr (GPtrArray) mine = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  g_autoptr (GPtrArray) other = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  CsPlotStyle style;
  CsCurvesParams params = { 0 };
  CsRgba acc;
  guint hits[2];

  for (guint i = 0; i < 20; i++)
    {
      CsSnapshot *a = cs_snapshot_new (0, 2, 3, 3, FALSE);
      CsSnapshot *b = cs_snapshot_new (0, 2, 3, 3, FALSE);

      a->epoch = b->epoch = i + 1;
      a->phase = b->phase = CS_PHASE_CLUSTER;
      a->metrics.acc = 0.75;
      b->metrics.acc = 0.25;
      g_ptr_array_add (mine, a);
      g_ptr_array_add (other, b);
    }
  cs_plot_style_init (&style, FALSE);
  cs_plot_curve_color (CS_CURVE_ACC, FALSE, &acc);
  /* A thin faded line over white, spread over two rows by antialiasing: about half strength. */
  acc = over_white (&acc, 0.55);
  params.history = (CsSnapshot *const *) mine->pdata;
  params.n = mine->len;
  params.cursor = -1;
  params.compare_name = "dkm, seed 0";

  for (guint with = 0; with < 2; with++)
    {
      cairo_surface_t *surface = new_surface (W, H);
      cairo_t *cr = cairo_create (surface);
      int top, bottom, y;
      guint transitions = 0;
      gboolean was = FALSE;

      params.compare = with ? (CsSnapshot *const *) other->pdata : NULL;
      params.n_compare = with ? other->len : 0;
      cs_plot_curves_draw (cr, W, H, &style, &params);
      if (with)
        save_png (surface, "cs-test-curves-compare.png");
      find_frame (surface, 60, &top, &bottom);
      y = (int) round (bottom - 0.25 * (bottom - top));
      hits[with] = 0;
      for (int x = 80; x < W - 100; x++)
        {
          gboolean is = FALSE;

          for (int dy = -1; dy <= 1 && !is; dy++)
            is = pixel_distance (get_pixel (surface, x, y + dy), &acc) < 0.12;
          hits[with] += is;
          transitions += is != was;
          was = is;
        }
      if (with)
        /* Dashed: many separate pieces, not one line. */
        g_assert_cmpuint (transitions, >, 20);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
  g_assert_cmpuint (hits[0], ==, 0);
  g_assert_cmpuint (hits[1], >, 200);
}

static void
test_curves (void)
{
  const int W = 800, H = 400;
  g_autoptr (GPtrArray) history
      = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_snapshot_unref);
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsCurvesParams params = { 0 };
  CsRgba acc;
  int top, bottom, found = -1;
  double px, expected_y;

  /* Twenty clustering epochs with ACC = 0.75 and NMI = 0.25. */
  for (guint i = 0; i < 20; i++)
    {
      CsSnapshot *s = cs_snapshot_new (0, 2, 3, 3, FALSE);

      s->epoch = i + 1;
      s->phase = CS_PHASE_CLUSTER;
      s->metrics.acc = 0.75;
      s->metrics.nmi = 0.25;
      g_ptr_array_add (history, s);
    }
  cs_plot_style_init (&style, FALSE);
  params.history = (CsSnapshot *const *) history->pdata;
  params.n = history->len;
  params.cursor = -1;
  cs_plot_curves_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-curves-flat.png");

  /* Epoch 10 lies 9/19 of the way along the area. */
  g_assert_cmpint (cs_plot_curves_hit (W, H, &params, 1), ==, -1);
  px = -1;
  for (int x = 0; x < W && px < 0; x++)
    if (cs_plot_curves_hit (W, H, &params, x) == 9)
      px = x + 2;
  g_assert_cmpfloat (px, >, 0);
  find_frame (surface, 60, &top, &bottom);
  g_assert_cmpint (bottom - top, >, 200);
  expected_y = bottom - 0.75 * (bottom - top);
  cs_plot_curve_color (CS_CURVE_ACC, FALSE, &acc);
  for (int y = 0; y < H; y++)
    if (pixel_distance (get_pixel (surface, (int) px, y), &acc) < 0.1)
      {
        found = y;
        break;
      }
  g_assert_cmpint (found, >=, 0);
  g_assert_cmpfloat (fabs (found - expected_y), <, 4);

  /* A realistic run, with losses, phases, re-inits, a change and a cursor. */
  {
    g_autoptr (GPtrArray) run = make_history (60, TRUE);

    params.history = (CsSnapshot *const *) run->pdata;
    params.n = run->len;
    params.cursor = 40;
    params.show_losses = TRUE;
    params.title = "Training";
    cs_plot_curves_draw (cr, W, H, &style, &params);
    save_png (surface, "cs-test-curves.png");
    g_assert_cmpint (cs_plot_curves_hit (W, H, &params, W - 66), ==, 59);
    cs_plot_style_init (&style, TRUE);
    cs_plot_curves_draw (cr, W, H, &style, &params);
    save_png (surface, "cs-test-curves-dark.png");
    cs_plot_style_init (&style, FALSE);
  }

  /* No labels: the note is written and no ACC is drawn. */
  {
    g_autoptr (GPtrArray) run = make_history (30, FALSE);
    int acc_pixels = 0;

    params.history = (CsSnapshot *const *) run->pdata;
    params.n = run->len;
    params.cursor = -1;
    cs_plot_curves_draw (cr, W, H, &style, &params);
    save_png (surface, "cs-test-curves-nolabels.png");
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        if (pixel_distance (get_pixel (surface, x, y), &acc) < 0.05)
          acc_pixels++;
    g_assert_cmpint (acc_pixels, ==, 0);
  }

  /* Empty history: the empty state. */
  {
    int ink = 0;

    params.n = 0;
    params.history = NULL;
    cs_plot_curves_draw (cr, W, H, &style, &params);
    for (int x = 0; x < W; x++)
      if (pixel_distance (get_pixel (surface, x, H / 2), &style.background) > 0.2)
        ink++;
    g_assert_cmpint (ink, >, 10);
    g_assert_cmpint (cs_plot_curves_hit (W, H, &params, W / 2), ==, -1);
  }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Confusion --------------------------------------------------------------------------------- */

static void
test_confusion (void)
{
  const int W = 700, H = 480;
  /* Classes 0, 1, 2 are found by clusters 2, 0, 1. */
  const gint64 table[3][3] = { { 20, 30, 400 }, { 380, 10, 60 }, { 25, 300, 5 } };
  g_autoptr (CsSnapshot) s = cs_snapshot_new (0, 2, 3, 3, FALSE);
  cairo_surface_t *surface = new_surface (W, H);
  cairo_t *cr = cairo_create (surface);
  CsPlotStyle style;
  CsConfusionParams params = { 0 };
  double lum[3][3] = { { 0 } }, cnt[3][3] = { { 0 } };
  guint hits = 0;

  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 3; c++)
      s->contingency[r * 3 + c] = table[r][c];
  s->cluster_to_class[0] = 1;
  s->cluster_to_class[1] = 2;
  s->cluster_to_class[2] = 0;
  s->metrics.acc = 0.89;

  cs_plot_style_init (&style, FALSE);
  params.snapshot = s;
  params.class_names = fashion_names;
  params.title = "Confusion";
  cs_plot_confusion_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-confusion.png");

  for (int y = 0; y < H; y += 2)
    for (int x = 0; x < W; x += 2)
      {
        guint klass, cluster;

        if (!cs_plot_confusion_hit (W, H, &style, &params, x, y, &klass, &cluster))
          continue;
        g_assert_cmpuint (klass, <, 3);
        g_assert_cmpuint (cluster, <, 3);
        lum[klass][cluster] += pixel_luminance (get_pixel (surface, x, y));
        cnt[klass][cluster]++;
        hits++;
      }
  g_assert_cmpuint (hits, >, 1000);
  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 3; c++)
      {
        g_assert_cmpfloat (cnt[r][c], >, 0);
        lum[r][c] /= cnt[r][c];
      }
  /* The matched cells are darker than any other in their row. */
  for (guint c = 0; c < 3; c++)
    {
      guint r = (guint) s->cluster_to_class[c];

      for (guint c2 = 0; c2 < 3; c2++)
        if (c2 != c)
          g_assert_cmpfloat (lum[r][c] + 0.2, <, lum[r][c2]);
    }
  /* And they lie on the diagonal: the top-left cell of the matrix is class 0 x cluster 2. */
  {
    gboolean found = FALSE;

    for (int y = 0; y < H && !found; y += 2)
      for (int x = 0; x < W && !found; x += 2)
        {
          guint klass, cluster;

          if (cs_plot_confusion_hit (W, H, &style, &params, x, y, &klass, &cluster))
            {
              g_assert_cmpuint (klass, ==, 0);
              g_assert_cmpuint (cluster, ==, 2);
              found = TRUE;
            }
        }
    g_assert_true (found);
  }

  cs_plot_style_init (&style, TRUE);
  cs_plot_confusion_draw (cr, W, H, &style, &params);
  save_png (surface, "cs-test-confusion-dark.png");

  /* No labels: the message. */
  {
    g_autoptr (CsSnapshot) unlabelled = cs_snapshot_new (0, 2, 3, 0, FALSE);
    int ink = 0;

    cs_plot_style_init (&style, FALSE);
    params.snapshot = unlabelled;
    cs_plot_confusion_draw (cr, W, H, &style, &params);
    for (int x = 0; x < W; x++)
      if (pixel_distance (get_pixel (surface, x, H / 2), &style.background) > 0.2)
        ink++;
    g_assert_cmpint (ink, >, 10);
    g_assert_false (cs_plot_confusion_hit (W, H, &style, &params, W / 2, H / 2, NULL, NULL));
    save_png (surface, "cs-test-confusion-nolabels.png");
  }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Export ------------------------------------------------------------------------------------ */

typedef struct
{
  CsScatterParams scatter;
  CsCurvesParams curves;
  CsConfusionParams confusion;
  CsPlotStyle style;
} Dashboard;

/* The three plots of snapshot s (its points' labels) and the history run. */
static void
dashboard_init (Dashboard *d, CsSnapshot *s, const gint32 *labels, GPtrArray *run)
{
  cs_plot_style_init (&d->style, FALSE);
  cs_plot_scatter_params_init (&d->scatter);
  d->scatter.snapshot = s;
  d->scatter.labels = labels;
  d->scatter.n_classes = 10;
  d->scatter.class_names = fashion_names;
  d->scatter.title = "Latent space";
  d->curves = (CsCurvesParams){ (CsSnapshot *const *) run->pdata, run->len, -1, TRUE, "Metrics" };
  d->confusion = (CsConfusionParams){ s, fashion_names, "Confusion" };
}

static void
draw_dashboard (cairo_t *cr, double width, double height, gpointer user_data)
{
  Dashboard *d = user_data;

  cs_plot_dashboard_draw (cr, width, height, &d->style, &d->scatter, &d->curves, &d->confusion);
}

static char *
read_head (const char *path, gsize want)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >=, want);
  return g_strndup (contents, want);
}

static guint
count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_export (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-test-plot-XXXXXX", &error);
  CsRng rng_state;
  CsRng *rng = seeded (&rng_state, 11);
  g_autofree gint32 *labels = NULL;
  g_autoptr (CsSnapshot) s = NULL;
  g_autoptr (GPtrArray) run = make_history (40, TRUE);
  Dashboard d;
  CsPlotFormat format;
  const char *names[] = { "plot.png", "plot.svg", "plot.pdf" };
  const CsPlotFormat formats[] = { CS_PLOT_PNG, CS_PLOT_SVG, CS_PLOT_PDF };

  g_assert_no_error (error);
  s = make_blobs (5000, 10, 10, 40, 0, rng, &labels);
  dashboard_init (&d, s, labels, run);

  g_assert_true (cs_plot_format_from_path ("a/b.PNG", &format));
  g_assert_cmpint (format, ==, CS_PLOT_PNG);
  g_assert_true (cs_plot_format_from_path ("x.svg", &format));
  g_assert_cmpint (format, ==, CS_PLOT_SVG);
  g_assert_true (cs_plot_format_from_path ("x.pdf", &format));
  g_assert_cmpint (format, ==, CS_PLOT_PDF);
  g_assert_false (cs_plot_format_from_path ("x.jpeg", &format));
  g_assert_false (cs_plot_format_from_path ("a.png/b", &format));
  g_assert_false (cs_plot_format_from_path ("noext", &format));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *head = NULL;

      g_assert_true (cs_plot_format_from_path (path, &format));
      g_assert_cmpint (format, ==, formats[i]);
      g_assert_true (cs_plot_export (path, format, 1800, 560, NULL, draw_dashboard, &d, &error));
      g_assert_no_error (error);
      head = read_head (path, 8);
      if (format == CS_PLOT_PNG)
        {
          cairo_surface_t *png = cairo_image_surface_create_from_png (path);

          g_assert_cmpmem (head, 4, "\x89PNG", 4);
          g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
          g_assert_cmpint (cairo_image_surface_get_width (png), ==, 1800);
          g_assert_cmpint (cairo_image_surface_get_height (png), ==, 560);
          save_png (png, "cs-test-dashboard.png");
          cairo_surface_destroy (png);
        }
      else if (format == CS_PLOT_SVG)
        g_assert_true (g_str_has_prefix (head, "<?xml") || g_str_has_prefix (head, "<svg"));
      else
        g_assert_true (g_str_has_prefix (head, "%PDF"));
    }
  /* Copies to look at. */
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name
          = g_strdup_printf ("cs-test-dashboard.%s", cs_plot_format_to_extension (formats[i]));
      g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

      g_assert_true (
          cs_plot_export (path, formats[i], 1800, 560, NULL, draw_dashboard, &d, &error));
      g_assert_no_error (error);
    }

  /* Only the three files: no temporary left behind. */
  g_assert_cmpuint (count_entries (dir), ==, 3);

  /* Overwriting keeps a valid file. */
  {
    g_autofree char *path = g_build_filename (dir, "plot.png", NULL);

    g_assert_true (cs_plot_export (path, CS_PLOT_PNG, 300, 200, NULL, draw_dashboard, &d, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_entries (dir), ==, 3);
  }

  /* Into a directory that does not exist: an error, and nothing written. */
  {
    g_autofree char *missing = g_build_filename (dir, "missing", "plot.png", NULL);

    g_assert_false (
        cs_plot_export (missing, CS_PLOT_PNG, 300, 200, NULL, draw_dashboard, &d, &error));
    g_assert_error (error, CS_ERROR, CS_ERROR_IO);
    g_test_message ("expected error: %s", error->message);
    g_clear_error (&error);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (count_entries (dir), ==, 3);
  }

  /* A nonsensical size is refused. */
  {
    g_autofree char *path = g_build_filename (dir, "zero.svg", NULL);

    g_assert_false (cs_plot_export (path, CS_PLOT_SVG, 0, 200, NULL, draw_dashboard, &d, &error));
    g_assert_error (error, CS_ERROR, CS_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpuint (count_entries (dir), ==, 3);
  }

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Exports onto a full disk (a 64 KiB tmpfs holding an older small PNG): each format fails with
 * the cause, the old file stays whole and no temporary file is left. */
static void
test_export_full_disk (void)
{
  const CsPlotFormat formats[] = { CS_PLOT_PNG, CS_PLOT_SVG, CS_PLOT_PDF };
  g_autofree char *dir = NULL, *disk = NULL, *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CsSnapshot) s = NULL;
  g_autoptr (GPtrArray) run = NULL;
  g_autofree gint32 *labels = NULL;
  cairo_surface_t *png;
  CsRng rng_state;
  Dashboard d;

  if (!g_test_subprocess ())
    {
      cs_test_trap_mounted ();
      return;
    }

  dir = g_dir_make_tmp ("cs-test-plot-XXXXXX", &error);
  g_assert_no_error (error);
  disk = g_build_filename (dir, "disk", NULL);
  cs_test_mount_tmpfs (disk, 64);
  s = make_blobs (5000, 10, 10, 40, 0, seeded (&rng_state, 11), &labels);
  run = make_history (40, TRUE);
  dashboard_init (&d, s, labels, run);

  path = g_build_filename (disk, "plot.png", NULL);
  g_assert_true (cs_plot_export (path, CS_PLOT_PNG, 64, 40, NULL, draw_dashboard, &d, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = g_strdup_printf ("plot.%s", cs_plot_format_to_extension (formats[i]));
      g_autofree char *target = g_build_filename (disk, name, NULL);

      g_assert_false (
          cs_plot_export (target, formats[i], 1800, 560, NULL, draw_dashboard, &d, &error));
      g_assert_error (error, CS_ERROR, CS_ERROR_IO);
      g_assert_nonnull (strstr (error->message, name));
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_clear_error (&error);
      g_assert_cmpuint (count_entries (disk), ==, 1);
    }
  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 64);
  cairo_surface_destroy (png);
  g_unlink (path);
  cs_test_unmount (disk);
  g_rmdir (disk);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plot/palette/okabe-ito", test_palette_okabe_ito);
  g_test_add_func ("/plot/palette/distinct", test_palette_distinct);
  g_test_add_func ("/plot/scatter/points", test_scatter_points);
  g_test_add_func ("/plot/scatter/empty", test_scatter_empty);
  g_test_add_func ("/plot/scatter/axis-titles", test_scatter_axis_titles);
  g_test_add_func ("/plot/ticks-linear", test_ticks_linear);
  g_test_add_func ("/plot/scatter/prototypes", test_scatter_prototypes);
  g_test_add_func ("/plot/scatter/legend-two-lines", test_scatter_legend_two_lines);
  g_test_add_func ("/plot/point-in-polygon", test_point_in_polygon);
  g_test_add_func ("/plot/scatter/selection", test_scatter_selection);
  g_test_add_func ("/plot/scatter/large", test_scatter_large);
  g_test_add_func ("/plot/scatter/direct-matches-raster", test_scatter_direct_matches_raster);
  g_test_add_func ("/plot/scatter/trails", test_scatter_trails);
  g_test_add_func ("/plot/scatter/many-clusters", test_scatter_many_clusters);
  g_test_add_func ("/plot/curves", test_curves);
  g_test_add_func ("/plot/curves/compare", test_curves_compare);
  g_test_add_func ("/plot/confusion", test_confusion);
  g_test_add_func ("/plot/kchoice", test_kchoice);
  g_test_add_func ("/plot/export", test_export);
  g_test_add_func ("/plot/export/full-disk", test_export_full_disk);
  ret = g_test_run ();
  /* Let the leak checker see only our own allocations. */
  cairo_debug_reset_static_data ();
  return ret;
}
