/* kmeans-codes: the engine's K-means alone on a matrix, for bench/compare.sh.
 *
 * Loads any dataset spec cs_dataset_load () takes (a .npy of codes, n x m, or "fashion-mnist"),
 * times the load, then runs cs_kmeans with the engine's default settings (K 10, n_init 10,
 * k-means++, max_iter 300, tol 1e-4, seed 0: what `clusterscope-cli --kmeans-only` runs) and
 * prints one key=value line with the seconds of the clustering alone and the inertia at full
 * precision, to compare with bench/sklearn_kmeans.py on the same file. --load-only stops after
 * the load (the dataset-load row of the comparison).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <stdio.h>

#include "cs-dataset-load.h"
#include "cs-dataset.h"
#include "cs-kmeans.h"
#include "cs-settings.h"

static gint opt_k = 10;
static gint opt_n_init = -1;
static gint64 opt_seed = 0;
static gint opt_threads = 0;
static gboolean opt_load_only = FALSE;

static GOptionEntry entries[]
    = { { "k", 'k', 0, G_OPTION_ARG_INT, &opt_k, "Clusters (default 10)", "K" },
        { "n-init", 0, 0, G_OPTION_ARG_INT, &opt_n_init, "Restarts (default: the engine's, 10)",
          "N" },
        { "seed", 's', 0, G_OPTION_ARG_INT64, &opt_seed, "Seed (default 0)", "S" },
        { "threads", 't', 0, G_OPTION_ARG_INT, &opt_threads,
          "BLAS threads (default: OpenBLAS's choice)", "N" },
        { "load-only", 0, 0, G_OPTION_ARG_NONE, &opt_load_only, "Time the load alone", NULL },
        { NULL } };

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("SPEC - K-means alone on a matrix");
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = NULL;
  g_autofree float *centers = NULL;
  CsSettings s;
  CsKMeansOptions opt;
  CsKMeansResult res;
  gint64 t0, t1;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "kmeans-codes: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || opt_k < 1 || opt_seed < 0)
    {
      fprintf (stderr, "usage: kmeans-codes [-k K] [--n-init N] [--seed S] [--threads N] "
                       "[--load-only] SPEC\n");
      return 2;
    }
  if (opt_threads > 0)
    openblas_set_num_threads (opt_threads);

  t0 = g_get_monotonic_time ();
  ds = cs_dataset_load (argv[1], NULL, &error);
  t1 = g_get_monotonic_time ();
  if (ds == NULL)
    {
      fprintf (stderr, "kmeans-codes: %s\n", error->message);
      return 2;
    }
  if (opt_load_only)
    {
      printf ("ours load n=%zu d=%u load=%.3f\n", ds->n, ds->d, (t1 - t0) / 1e6);
      return 0;
    }

  cs_settings_init_default (&s);
  cs_kmeans_options_init (&opt, (guint) opt_k);
  opt.n_init = opt_n_init > 0 ? (guint) opt_n_init : s.kmeans_n_init;
  opt.max_iter = s.kmeans_max_iter;
  opt.tol = s.kmeans_tol;
  opt.seed = (guint64) opt_seed;
  centers = g_new (float, (gsize) opt.k * ds->d);

  t0 = g_get_monotonic_time ();
  if (!cs_kmeans (ds->x, ds->n, ds->d, &opt, centers, NULL, &res, NULL, &error))
    {
      fprintf (stderr, "kmeans-codes: %s\n", error->message);
      return 1;
    }
  t1 = g_get_monotonic_time ();
  printf ("ours kmeans n=%zu d=%u k=%u n_init=%u threads=%d seconds=%.3f inertia=%.10g n_iter=%u\n",
          ds->n, ds->d, opt.k, opt.n_init, openblas_get_num_threads (), (t1 - t0) / 1e6,
          res.inertia, res.n_iter);
  return 0;
}
