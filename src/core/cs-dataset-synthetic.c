/* cs-dataset-synthetic.c: the synthetic datasets (pen-stroke glyphs, Gaussian blobs).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cs-dataset.h"
#include "cs-error.h"
#include "cs-rng.h"

/* Glyph images: 12 x 12 pixels unless asked otherwise, and never below 4 x 4. */
#define GLYPH_DEFAULT_SIDE 12
#define GLYPH_MIN_SIDE 4

/* How many random candidates each synthetic centre is chosen from: the farthest from the
 * centres already placed wins, which keeps the clusters apart without a costly packing. */
#define SYNTHETIC_CENTRE_CANDIDATES 64

void
cs_synthetic_options_init (CsSyntheticOptions *options)
{
  g_return_if_fail (options != NULL);

  options->kind = CS_SYNTHETIC_GLYPHS;
  options->n = 3000;
  options->d = 0;
  options->k = 5;
  options->latent_dim = 5;
  options->spread = 0.1;
  options->seed = 0;
}

guint
cs_synthetic_default_d (CsSyntheticKind kind)
{
  return kind == CS_SYNTHETIC_BLOBS ? 50 : GLYPH_DEFAULT_SIDE * GLYPH_DEFAULT_SIDE;
}

/* The side of a glyph image of d pixels, or 0 when d is not a square. */
static guint
glyph_side (guint d)
{
  guint side = (guint) floor (sqrt ((double) d) + 0.5);

  return (guint64) side * side == d ? side : 0;
}

gboolean
cs_synthetic_options_check (const CsSyntheticOptions *options, GError **error)
{
  guint d;
  gsize n_values;

  g_return_val_if_fail (options != NULL, FALSE);

  if (options->kind != CS_SYNTHETIC_GLYPHS && options->kind != CS_SYNTHETIC_BLOBS)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("synthetic: unknown kind %d"),
                   (int) options->kind);
      return FALSE;
    }
  if (options->n == 0 || options->n > G_MAXUINT32 || options->k == 0 || options->k > G_MAXINT32)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("synthetic: %zu points in %u clusters is out of range"), (size_t) options->n,
                   options->k);
      return FALSE;
    }
  d = options->d > 0 ? options->d : cs_synthetic_default_d (options->kind);
  if (!g_size_checked_mul (&n_values, options->n, d))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID, _ ("synthetic: %zu x %u values is too many"),
                   (size_t) options->n, d);
      return FALSE;
    }
  if (options->kind == CS_SYNTHETIC_GLYPHS && (glyph_side (d) < GLYPH_MIN_SIDE))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("synthetic glyphs are square images: the dimension must be a square of at "
                      "least %u (such as %u = %u x %u), not %u (synthetic-blobs takes any)"),
                   GLYPH_MIN_SIDE * GLYPH_MIN_SIDE, GLYPH_DEFAULT_SIDE * GLYPH_DEFAULT_SIDE,
                   GLYPH_DEFAULT_SIDE, GLYPH_DEFAULT_SIDE, d);
      return FALSE;
    }
  if (options->kind == CS_SYNTHETIC_BLOBS
      && (options->latent_dim == 0 || !(options->spread >= 0.0) || !isfinite (options->spread)))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID,
                   _ ("synthetic blobs: latent dimension %u or spread %g is out of range"),
                   options->latent_dim, options->spread);
      return FALSE;
    }
  return TRUE;
}

static void
random_unit_vector (CsRng *rng, double *v, guint dim)
{
  double norm;

  do
    {
      norm = 0.0;
      for (guint j = 0; j < dim; j++)
        {
          v[j] = cs_rng_normal (rng);
          norm += v[j] * v[j];
        }
    }
  while (norm < 1e-12);

  norm = sqrt (norm);
  for (guint j = 0; j < dim; j++)
    v[j] /= norm;
}

static double
squared_distance (const double *a, const double *b, guint dim)
{
  double s = 0.0;

  for (guint j = 0; j < dim; j++)
    s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

/* Places k centres on the unit sphere, each the candidate farthest from those before it.
 * Returns the smallest distance between two centres (1 when k == 1). */
static double
place_centres (CsRng *rng, double *centres, guint k, guint dim)
{
  g_autofree double *candidate = g_new (double, dim);
  double min_separation = G_MAXDOUBLE;

  for (guint c = 0; c < k; c++)
    {
      double best_score = -1.0;

      for (guint t = 0; t < SYNTHETIC_CENTRE_CANDIDATES; t++)
        {
          double score = G_MAXDOUBLE;

          random_unit_vector (rng, candidate, dim);
          for (guint other = 0; other < c; other++)
            score = MIN (score, squared_distance (candidate, centres + (gsize) other * dim, dim));
          if (score > best_score)
            {
              best_score = score;
              memcpy (centres + (gsize) c * dim, candidate, dim * sizeof (double));
            }
          if (c == 0)
            break;
        }
      if (c > 0)
        min_separation = MIN (min_separation, sqrt (best_score));
    }

  /* Two opposite candidates are still at distance 2; fall back to the radius for k == 1. */
  if (k == 1 || min_separation < 1e-6)
    min_separation = 1.0;
  return min_separation;
}

static inline double
softplus (double v)
{
  return v > 30.0 ? v : log1p (exp (v));
}

/* Gaussian blobs in a small latent space, pushed through a random two-layer network
 * (tanh, then softplus) into d dimensions and standardised per feature. The map is smooth
 * and generically injective, so the clusters stay apart but are no longer axis-aligned
 * spheres: K-means on the raw features already finds them. */
static CsDataset *
new_blobs (const CsSyntheticOptions *options, guint d)
{
  CsRng rng, point_rng;
  guint hidden, dim, k;
  gsize n;
  double sigma;
  g_autofree double *centres = NULL;
  g_autofree double *w1 = NULL, *b1 = NULL, *w2 = NULL, *b2 = NULL;
  g_autofree double *z = NULL, *h = NULL, *y = NULL;
  g_autofree double *mean = NULL, *m2 = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree char *count = NULL;
  g_autofree char *name = NULL;
  float *x;
  gint32 *labels;

  n = options->n;
  k = options->k;
  dim = options->latent_dim;
  hidden = CLAMP (8 * dim, 32, 128);

  /* The centres and the map come from the seed alone, the points from a second stream,
   * so the same seed gives the same geometry whatever n is. */
  cs_rng_init (&rng, options->seed);
  cs_rng_init (&point_rng, options->seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  centres = g_new (double, (gsize) k *dim);
  sigma = options->spread * place_centres (&rng, centres, k, dim);

  /* Gains chosen so that the tanh layer is neither linear nor saturated for points on the
   * unit sphere. */
  w1 = g_new (double, (gsize) hidden *dim);
  b1 = g_new (double, hidden);
  w2 = g_new (double, (gsize) d *hidden);
  b2 = g_new (double, d);
  for (gsize i = 0; i < (gsize) hidden * dim; i++)
    w1[i] = 1.5 * cs_rng_normal (&rng);
  for (guint i = 0; i < hidden; i++)
    b1[i] = 0.5 * cs_rng_normal (&rng);
  for (gsize i = 0; i < (gsize) d * hidden; i++)
    w2[i] = 2.0 / sqrt (hidden) * cs_rng_normal (&rng);
  for (guint i = 0; i < d; i++)
    b2[i] = 0.5 * cs_rng_normal (&rng);

  /* Balanced classes in a shuffled order. */
  order = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    order[i] = (guint32) i;
  cs_rng_shuffle_u32 (&point_rng, order, n);

  x = g_new (float, n *d);
  labels = g_new (gint32, n);
  z = g_new (double, dim);
  h = g_new (double, hidden);
  y = g_new (double, d);
  mean = g_new0 (double, d);
  m2 = g_new0 (double, d);

  for (gsize i = 0; i < n; i++)
    {
      guint c = order[i] % k;
      const double *centre = centres + (gsize) c * dim;

      labels[i] = (gint32) c;
      for (guint j = 0; j < dim; j++)
        z[j] = centre[j] + sigma * cs_rng_normal (&point_rng);

      for (guint u = 0; u < hidden; u++)
        {
          double s = b1[u];
          for (guint j = 0; j < dim; j++)
            s += w1[(gsize) u * dim + j] * z[j];
          h[u] = tanh (s);
        }
      for (guint o = 0; o < d; o++)
        {
          double s = b2[o];
          for (guint u = 0; u < hidden; u++)
            s += w2[(gsize) o * hidden + u] * h[u];
          y[o] = softplus (s);
        }

      /* Welford, so the standardisation below needs no second pass in double. */
      for (guint o = 0; o < d; o++)
        {
          double delta = y[o] - mean[o];
          mean[o] += delta / (double) (i + 1);
          m2[o] += delta * (y[o] - mean[o]);
          x[i * d + o] = (float) y[o];
        }
    }

  for (guint o = 0; o < d; o++)
    {
      double sd = sqrt (m2[o] / (double) n);
      double scale = sd > 1e-12 ? 1.0 / sd : 0.0;

      for (gsize i = 0; i < n; i++)
        x[i * d + o] = (float) ((x[i * d + o] - mean[o]) * scale);
    }

  count = cs_format_count (n, " ");
  /* Translators: samples ("1 000") × dimension, the number of clusters and the random seed */
  name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Synthetic blobs (%s × %u, %u cluster, seed %llu)",
                                       "Synthetic blobs (%s × %u, %u clusters, seed %llu)", k),
                          count, d, k, (unsigned long long) options->seed);
  return cs_dataset_new_take (name, "synthetic", x, n, d, labels, k);
}

/* Glyphs: each class is one pen stroke, a Catmull-Rom curve through GLYPH_CONTROL_POINTS
 * random points of [-0.8, 0.8]^2 (the image spans [-1, 1]^2). Each sample redraws its class's
 * stroke rotated by up to GLYPH_ROTATION radians, sheared by up to GLYPH_SHEAR, scaled by
 * [GLYPH_SCALE_MIN, GLYPH_SCALE_MAX] and inked with a Gaussian pen whose width is drawn in
 * [GLYPH_WIDTH_MIN, GLYPH_WIDTH_MAX] (image units: 0.5 to 2.5 pixels of a 12 x 12 image),
 * plus GLYPH_NOISE of pixel noise, clipped to [0, 1]. The pen width changes the ink of a
 * sample by several times more than the class does, so K-means on the pixels mostly groups
 * thin strokes against thick ones; an autoencoder codes the width in one direction and the
 * shape in others, and K-means on its codes finds the strokes (docs/QUALITY.md). */
#define GLYPH_CONTROL_POINTS 5
#define GLYPH_SEGMENT_SAMPLES 15
#define GLYPH_CURVE_POINTS ((GLYPH_CONTROL_POINTS - 1) * GLYPH_SEGMENT_SAMPLES + 1)
#define GLYPH_CONTROL_RANGE 0.8
#define GLYPH_ROTATION 0.2
#define GLYPH_SHEAR 0.2
#define GLYPH_SCALE_MIN 0.75
#define GLYPH_SCALE_MAX 1.15
#define GLYPH_WIDTH_MIN (0.5 * 2.0 / GLYPH_DEFAULT_SIDE)
#define GLYPH_WIDTH_MAX (3.0 * 2.0 / GLYPH_DEFAULT_SIDE)
#define GLYPH_NOISE 0.05
/* Strokes tried for each class, and the mean squared pixel difference (upright, middle pen
 * width) that a stroke must keep from every stroke before it; see new_glyphs(). */
#define GLYPH_STROKE_CANDIDATES 16
#define GLYPH_MIN_DIFFERENCE 0.1

static inline double
uniform_in (CsRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * cs_rng_uniform (rng);
}

/* The curve through the control points (x, y pairs), ends clamped: the stroke starts at the
 * first point and stops at the last. */
static void
catmull_rom (const double *control, double *curve)
{
  guint out = 0;

  for (guint seg = 0; seg + 1 < GLYPH_CONTROL_POINTS; seg++)
    {
      const double *p0 = control + 2 * (seg > 0 ? seg - 1 : 0);
      const double *p1 = control + 2 * seg;
      const double *p2 = control + 2 * (seg + 1);
      const double *p3 = control + 2 * MIN (seg + 2, GLYPH_CONTROL_POINTS - 1);

      for (guint s = 0; s < GLYPH_SEGMENT_SAMPLES; s++, out++)
        {
          double t = (double) s / GLYPH_SEGMENT_SAMPLES, t2 = t * t, t3 = t2 * t;

          for (guint c = 0; c < 2; c++)
            curve[2 * out + c] = 0.5
                                 * (2.0 * p1[c] + (p2[c] - p0[c]) * t
                                    + (2.0 * p0[c] - 5.0 * p1[c] + 4.0 * p2[c] - p3[c]) * t2
                                    + (3.0 * p1[c] - p0[c] - 3.0 * p2[c] + p3[c]) * t3);
        }
    }
  curve[2 * out] = control[2 * (GLYPH_CONTROL_POINTS - 1)];
  curve[2 * out + 1] = control[2 * (GLYPH_CONTROL_POINTS - 1) + 1];
}

/* Squared distance from (px, py) to the polyline through count points. */
static double
polyline_distance2 (const double *points, guint count, double px, double py)
{
  double best = G_MAXDOUBLE;

  for (guint i = 0; i + 1 < count; i++)
    {
      double ax = points[2 * i], ay = points[2 * i + 1];
      double ex = points[2 * i + 2] - ax, ey = points[2 * i + 3] - ay;
      double len2 = ex * ex + ey * ey;
      double t = len2 > 0.0 ? ((px - ax) * ex + (py - ay) * ey) / len2 : 0.0;
      double dx, dy;

      t = CLAMP (t, 0.0, 1.0);
      dx = px - (ax + t * ex);
      dy = py - (ay + t * ey);
      best = MIN (best, dx * dx + dy * dy);
    }
  return best;
}

/* Inks a side x side image (row-major, y down) with a Gaussian pen of the given width along
 * the polyline of GLYPH_CURVE_POINTS points. */
static void
draw_stroke (const double *points, guint side, double width, double *image)
{
  double inv_two_w2 = 1.0 / (2.0 * width * width);

  for (guint r = 0; r < side; r++)
    for (guint q = 0; q < side; q++)
      {
        double px = (q + 0.5) / side * 2.0 - 1.0, py = (r + 0.5) / side * 2.0 - 1.0;

        image[r * side + q]
            = exp (-polyline_distance2 (points, GLYPH_CURVE_POINTS, px, py) * inv_two_w2);
      }
}

static CsDataset *
new_glyphs (const CsSyntheticOptions *options, guint d)
{
  CsRng rng, point_rng;
  guint side = glyph_side (d), k = options->k;
  gsize n = options->n;
  g_autofree double *curves = NULL, *templates = NULL, *candidate = NULL, *image = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree char *count = NULL;
  g_autofree char *name = NULL;
  double control[2 * GLYPH_CONTROL_POINTS];
  double drawn[2 * GLYPH_CURVE_POINTS];
  CsDataset *dataset;
  float *x;
  gint32 *labels;

  /* As for the blobs: the strokes come from the seed alone, the samples from a second
   * stream, so the same seed draws the same classes whatever n is. */
  cs_rng_init (&rng, options->seed);
  cs_rng_init (&point_rng, options->seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  /* Random strokes, but none drawn too much like one before it (upright, at the middle pen
   * width): two classes alike by chance would leave the clusters to the pen width. Only a
   * floor, not the farthest of the candidates: strokes pushed far apart would outweigh the
   * pen width, and K-means on the pixels would find them too. */
  curves = g_new (double, (gsize) k * 2 * GLYPH_CURVE_POINTS);
  templates = g_new (double, (gsize) k *d);
  candidate = g_new (double, d);
  for (guint c = 0; c < k; c++)
    {
      double best_score = -1.0;

      for (guint t = 0; t < GLYPH_STROKE_CANDIDATES && best_score < GLYPH_MIN_DIFFERENCE * d; t++)
        {
          double score = G_MAXDOUBLE;

          for (guint j = 0; j < 2 * GLYPH_CONTROL_POINTS; j++)
            control[j] = uniform_in (&rng, -GLYPH_CONTROL_RANGE, GLYPH_CONTROL_RANGE);
          catmull_rom (control, drawn);
          draw_stroke (drawn, side, 0.5 * (GLYPH_WIDTH_MIN + GLYPH_WIDTH_MAX), candidate);
          for (guint other = 0; other < c; other++)
            score = MIN (score, squared_distance (candidate, templates + (gsize) other * d, d));
          if (score > best_score)
            {
              best_score = score;
              memcpy (curves + (gsize) c * 2 * GLYPH_CURVE_POINTS, drawn, sizeof drawn);
              memcpy (templates + (gsize) c * d, candidate, d * sizeof (double));
            }
        }
    }

  order = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    order[i] = (guint32) i;
  cs_rng_shuffle_u32 (&point_rng, order, n);

  x = g_new (float, n *d);
  labels = g_new (gint32, n);
  image = g_new (double, d);
  for (gsize i = 0; i < n; i++)
    {
      guint c = order[i] % k;
      const double *curve = curves + (gsize) c * 2 * GLYPH_CURVE_POINTS;
      double angle = uniform_in (&point_rng, -GLYPH_ROTATION, GLYPH_ROTATION);
      double scale = uniform_in (&point_rng, GLYPH_SCALE_MIN, GLYPH_SCALE_MAX);
      double shear = uniform_in (&point_rng, -GLYPH_SHEAR, GLYPH_SHEAR);
      double width = uniform_in (&point_rng, GLYPH_WIDTH_MIN, GLYPH_WIDTH_MAX);
      double cs = cos (angle) * scale, sn = sin (angle) * scale;
      float *row = x + i * d;

      labels[i] = (gint32) c;
      /* Rotation after shear: (x, y) -> R (x + shear y, y) scale. */
      for (guint p = 0; p < GLYPH_CURVE_POINTS; p++)
        {
          double px = curve[2 * p] + shear * curve[2 * p + 1], py = curve[2 * p + 1];

          drawn[2 * p] = cs * px - sn * py;
          drawn[2 * p + 1] = sn * px + cs * py;
        }
      draw_stroke (drawn, side, width, image);
      for (guint j = 0; j < d; j++)
        {
          double ink = image[j] + GLYPH_NOISE * cs_rng_normal (&point_rng);

          row[j] = (float) CLAMP (ink, 0.0, 1.0);
        }
    }

  count = cs_format_count (n, " ");
  /* Translators: samples ("3 000"), the image side twice, the number of classes, the seed */
  name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Synthetic glyphs (%s × %u×%u, %u class, seed %llu)",
                                       "Synthetic glyphs (%s × %u×%u, %u classes, seed %llu)", k),
                          count, side, side, k, (unsigned long long) options->seed);
  dataset = cs_dataset_new_take (name, "synthetic", x, n, d, labels, k);
  dataset->image_width = side;
  dataset->image_height = side;
  return dataset;
}

CsDataset *
cs_dataset_new_synthetic (const CsSyntheticOptions *options)
{
  CsSyntheticOptions defaults;
  g_autoptr (GError) error = NULL;
  guint d;

  if (options == NULL)
    {
      cs_synthetic_options_init (&defaults);
      options = &defaults;
    }
  if (!cs_synthetic_options_check (options, &error))
    {
      g_critical ("cs_dataset_new_synthetic: %s", error->message);
      return NULL;
    }

  d = options->d > 0 ? options->d : cs_synthetic_default_d (options->kind);
  if (options->kind == CS_SYNTHETIC_BLOBS)
    return new_blobs (options, d);
  return new_glyphs (options, d);
}
