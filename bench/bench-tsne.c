/* bench-tsne: t-SNE of a run's latent codes (its labels.csv), cold and warm, against PCA.
 *
 * Usage: bench-tsne LABELS.CSV [REPEAT]
 * Prints the time of the first (cold) layout, of warm frames (the codes moved by a small
 * perturbation, as one epoch moves them), and each layout's 10-NN recall: the share of each
 * point's 10 nearest neighbours among the codes that are also among its 10 nearest in 2-D.
 * It first prints the recall of the run's own x, y (the projection it was run with).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs-projection.h"
#include "cs-rng.h"
#include "cs-tsne.h"

/* The z_* columns of a labelled CSV (id,label,cluster,confidence,x,y,z_0..), and its x, y
 * into xy_out (n x 2) when not NULL. */
static float *
read_codes (const char *path, gsize *n_out, guint *m_out, float **xy_out)
{
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (float));
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) header = NULL;
  GArray *z = g_array_new (FALSE, FALSE, sizeof (float));
  guint first = 0, m = 0;
  gsize n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    g_error ("cannot read %s", path);
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (lines[0], ",", -1);
  for (guint c = 0; header[c]; c++)
    if (g_str_has_prefix (header[c], "z_"))
      {
        if (m == 0)
          first = c;
        m++;
      }
  if (m == 0)
    g_error ("%s: no z_ columns", path);
  for (guint l = 1; lines[l] && lines[l][0]; l++)
    {
      g_auto (GStrv) f = g_strsplit (lines[l], ",", -1);
      for (guint c = 0; c < m; c++)
        {
          float v = (float) g_ascii_strtod (f[first + c], NULL);
          g_array_append_val (z, v);
        }
      for (guint c = 4; c < 6; c++)
        {
          float v = (float) g_ascii_strtod (f[c], NULL);
          g_array_append_val (xy, v);
        }
      n++;
    }
  *n_out = n;
  *m_out = m;
  if (xy_out)
    *xy_out = (float *) (void *) g_array_free (xy, FALSE);
  else
    g_array_free (xy, TRUE);
  return (float *) (void *) g_array_free (z, FALSE);
}

int
main (int argc, char *argv[])
{
  gsize n;
  guint m;
  g_autofree float *z = NULL;
  g_autofree float *xy = NULL;
  g_autoptr (CsTsne) tsne = NULL;
  CsTsneOptions options;
  g_autoptr (CsProjection) pca = NULL;
  int repeat = 3;
  double best_warm = G_MAXDOUBLE, t0;
  CsRng rng;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s LABELS.CSV [REPEAT]\n", argv[0]);
      return 2;
    }
  cs_tsne_options_init (&options);
  /* CS_TSNE_THETA / _WARM_ITER / _COLD_ITER / _THREADS try other settings. */
  if (g_getenv ("CS_TSNE_THETA"))
    options.theta = g_ascii_strtod (g_getenv ("CS_TSNE_THETA"), NULL);
  if (g_getenv ("CS_TSNE_WARM_ITER"))
    options.warm_iter = atoi (g_getenv ("CS_TSNE_WARM_ITER"));
  if (g_getenv ("CS_TSNE_COLD_ITER"))
    options.cold_iter = atoi (g_getenv ("CS_TSNE_COLD_ITER"));
  if (g_getenv ("CS_TSNE_RELAYOUT_BELOW"))
    options.relayout_below = g_ascii_strtod (g_getenv ("CS_TSNE_RELAYOUT_BELOW"), NULL);
  if (g_getenv ("CS_TSNE_RELAYOUT_ITER"))
    options.relayout_iter = atoi (g_getenv ("CS_TSNE_RELAYOUT_ITER"));
  if (g_getenv ("CS_TSNE_RELAYOUT_EX_ITER"))
    options.relayout_exaggeration_iter = atoi (g_getenv ("CS_TSNE_RELAYOUT_EX_ITER"));
  if (g_getenv ("CS_TSNE_THREADS"))
    options.n_threads = atoi (g_getenv ("CS_TSNE_THREADS"));
  tsne = cs_tsne_new (&options);
  {
    g_autofree float *run_xy = NULL;

    z = read_codes (argv[1], &n, &m, &run_xy);
    printf ("the run's own x, y: 10-NN recall %.3f\n", cs_knn_recall (z, m, run_xy, n, 10));
  }
  if (argc > 2 && g_ascii_isdigit (argv[2][0]))
    repeat = atoi (argv[2]);
  xy = g_new (float, 2 * n);
  printf ("codes: %" G_GSIZE_FORMAT " x %u\n", n, m);

  pca = cs_projection_new (m);
  cs_projection_update (pca, z, n, FALSE);
  cs_projection_apply (pca, z, n, xy);
  printf ("pca: 10-NN recall %.3f\n", cs_knn_recall (z, m, xy, n, 10));

  t0 = g_get_monotonic_time ();
  cs_tsne_update (tsne, z, n, m, xy, NULL);
  printf ("tsne cold: %.2f s, 10-NN recall %.3f\n", (g_get_monotonic_time () - t0) / 1e6,
          cs_knn_recall (z, m, xy, n, 10));

  /* Later epochs of a run: each next labels.csv's codes, a warm frame each, against keeping the
   * last layout as it was. */
  if (argc > 2 && !g_ascii_isdigit (argv[2][0]))
    {
      for (int f = 2; f < argc; f++)
        {
          gsize n2;
          guint m2;
          g_autofree float *z2 = read_codes (argv[f], &n2, &m2, NULL);
          double kept, s;

          if (n2 != n || m2 != m)
            g_error ("%s: %" G_GSIZE_FORMAT " x %u codes, not %" G_GSIZE_FORMAT " x %u", argv[f],
                     n2, m2, n, m);
          kept = cs_knn_recall (z2, m, xy, n, 10);
          t0 = g_get_monotonic_time ();
          cs_tsne_update (tsne, z2, n, m, xy, NULL);
          s = (g_get_monotonic_time () - t0) / 1e6;
          printf ("%s: warm frame %.3f s, 10-NN recall %.3f (the last layout kept: %.3f)\n",
                  argv[f], s, cs_knn_recall (z2, m, xy, n, 10), kept);
        }
      return 0;
    }

  /* One epoch moves the codes by a few per cent of their spread. */
  cs_rng_init (&rng, 1);
  for (int r = 0; r < repeat; r++)
    {
      double s;
      for (gsize i = 0; i < n * m; i++)
        z[i] += (float) (0.02 * cs_rng_normal (&rng));
      t0 = g_get_monotonic_time ();
      cs_tsne_update (tsne, z, n, m, xy, NULL);
      s = (g_get_monotonic_time () - t0) / 1e6;
      best_warm = MIN (best_warm, s);
      printf ("tsne warm frame %d: %.3f s, 10-NN recall %.3f\n", r + 1, s,
              cs_knn_recall (z, m, xy, n, 10));
    }
  printf ("tsne warm frame, fastest: %.3f s\n", best_warm);
  return 0;
}
