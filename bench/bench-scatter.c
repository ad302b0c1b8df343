/* bench-scatter: how long the scatter takes to draw N points (default 70 000) at 1600 x 1000.
 *
 * Draws the same snapshot repeatedly into an ARGB32 image surface, the way the window's
 * widget does, and prints the median and best time of a full draw (points, centroids,
 * trails, axes, legend). The goal is under 10 ms for 70 000 points.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cs-plot.h"
#include "cs-rng.h"
#include "cs-snapshot.h"

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  gsize n = argc > 1 ? (gsize) g_ascii_strtoull (argv[1], NULL, 10) : 70000;
  int width = argc > 2 ? atoi (argv[2]) : 1600, height = argc > 3 ? atoi (argv[3]) : 1000;
  const guint k = 10, reps = 50;
  CsSnapshot *snap = cs_snapshot_new (n, 2, k, 10, FALSE);
  CsSnapshot *trail[20];
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  CsScatterParams params;
  CsPlotStyle style;
  double times[50];
  CsRng rng;

  cs_rng_init (&rng, 1);
  for (guint j = 0; j < k; j++)
    {
      snap->centroids_xy[2 * j] = (float) (8 * cos (j * 2 * G_PI / k));
      snap->centroids_xy[2 * j + 1] = (float) (8 * sin (j * 2 * G_PI / k));
    }
  for (gsize i = 0; i < n; i++)
    {
      guint j = (guint) (i % k);
      snap->clusters[i] = (guint16) j;
      snap->cluster_sizes[j]++;
      snap->confidence[i] = 1.0f;
      snap->xy[2 * i] = snap->centroids_xy[2 * j] + (float) (1.5 * cs_rng_normal (&rng));
      snap->xy[2 * i + 1] = snap->centroids_xy[2 * j + 1] + (float) (1.5 * cs_rng_normal (&rng));
    }
  for (guint t = 0; t < G_N_ELEMENTS (trail); t++)
    {
      trail[t] = cs_snapshot_new (0, 2, k, 0, FALSE);
      for (guint c = 0; c < 2 * k; c++)
        trail[t]->centroids_xy[c] = snap->centroids_xy[c] * (0.5f + 0.025f * t);
    }

  cs_plot_style_init (&style, FALSE);
  cs_plot_scatter_params_init (&params);
  params.snapshot = snap;
  params.trail = trail;
  params.n_trail = G_N_ELEMENTS (trail);
  params.show_legend = TRUE;
  params.highlight = -1;

  /* One warm-up draw (font caches), then the timed ones. */
  cs_plot_scatter_draw (cr, width, height, &style, &params);
  for (guint r = 0; r < reps; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      cairo_save (cr);
      cs_plot_scatter_draw (cr, width, height, &style, &params);
      cairo_restore (cr);
      cairo_surface_flush (surface);
      times[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (times, reps, sizeof (double), compare_double);
  printf ("scatter %zu points at %dx%d: median %.2f ms, best %.2f ms, worst %.2f ms (%u draws)\n",
          n, width, height, times[reps / 2], times[0], times[reps - 1], reps);

  for (guint t = 0; t < G_N_ELEMENTS (trail); t++)
    cs_snapshot_unref (trail[t]);
  cs_snapshot_unref (snap);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
