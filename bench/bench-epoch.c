/* bench-epoch: seconds per epoch on Fashion-MNIST, next to the sgemm rate of this machine.
 *
 * Measures, in one run: OpenBLAS sgemm GFLOP/s on large square matrices and at the network's
 * own batch shapes (forward and both backward products), the time to load the dataset, one
 * pretraining epoch and one `roy` clustering epoch (training pass, encoding of every point,
 * K-means re-initialisation with n_init restarts), and the share of the sgemm rate the
 * training pass reaches.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>

#include "cs-autoencoder.h"
#include "cs-dataset-load.h"
#include "cs-dataset.h"
#include "cs-trainer.h"

static char *opt_dataset = "fashion-mnist";
static gint opt_threads = 0;
static gint opt_n_init = 10;
static gint opt_repeat = 1;

static GOptionEntry entries[]
    = { { "dataset", 'd', 0, G_OPTION_ARG_STRING, &opt_dataset,
          "Dataset spec (default fashion-mnist, 70k)", "SPEC" },
        { "threads", 't', 0, G_OPTION_ARG_INT, &opt_threads,
          "BLAS threads (default: OpenBLAS's choice)", "N" },
        { "n-init", 0, 0, G_OPTION_ARG_INT, &opt_n_init, "K-means restarts (default 10)", "N" },
        { "repeat", 'r', 0, G_OPTION_ARG_INT, &opt_repeat,
          "Epochs of each phase; the fastest is reported, the median beside it (default 1)", "N" },
        { NULL } };

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* GFLOP/s of C (m x n) = A (m x k) B (k x n) with the given transposes, best of a few reps. */
static double
sgemm_rate (CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, int reps)
{
  g_autofree float *a = g_new (float, (gsize) m *k);
  g_autofree float *b = g_new (float, (gsize) k *n);
  g_autofree float *c = g_new (float, (gsize) m *n);
  double best = INFINITY;

  for (gsize i = 0; i < (gsize) m * k; i++)
    a[i] = (float) (i % 17) * 0.01f;
  for (gsize i = 0; i < (gsize) k * n; i++)
    b[i] = (float) (i % 13) * 0.01f;
  for (int r = 0; r < reps; r++)
    {
      double t0 = now ();
      cblas_sgemm (CblasRowMajor, ta, tb, m, n, k, 1.0f, a, ta == CblasNoTrans ? k : m, b,
                   tb == CblasNoTrans ? n : k, 0.0f, c, n);
      best = MIN (best, now () - t0);
    }
  return 2.0 * m * n * k / best / 1e9;
}

/* The rate over one training step's products at batch 256, weighted by their FLOPs. */
static double
layer_shapes_rate (const guint *dims, guint n_layers, guint batch)
{
  double flops = 0, seconds = 0;

  for (guint l = 0; l < n_layers; l++)
    {
      int in = dims[l], out = dims[l + 1];
      double f = 2.0 * batch * in * out;
      /* forward: (B x in)(in x out); dW: (in x B)(B x out); delta: (B x out)(out x in) */
      seconds += f / 1e9 / sgemm_rate (CblasNoTrans, CblasNoTrans, batch, out, in, 20);
      seconds += f / 1e9 / sgemm_rate (CblasTrans, CblasNoTrans, in, out, batch, 20);
      flops += 2 * f;
      if (l > 0)
        {
          seconds += f / 1e9 / sgemm_rate (CblasNoTrans, CblasTrans, batch, in, out, 20);
          flops += f;
        }
    }
  return flops / seconds / 1e9;
}

typedef struct
{
  GArray *pretrain, *cluster; /* CsEpochMetrics of every epoch */
} Times;

static void
on_snapshot (CsSnapshot *snap, gpointer data)
{
  Times *t = data;

  g_array_append_val (snap->phase == CS_PHASE_PRETRAIN ? t->pretrain : t->cluster, snap->metrics);
}

static int
by_seconds (gconstpointer a, gconstpointer b)
{
  double x = ((const CsEpochMetrics *) a)->seconds, y = ((const CsEpochMetrics *) b)->seconds;

  return (x > y) - (x < y);
}

/* Sorts the epochs by total time: [0] is the fastest, [len / 2] the median. The first
 * pretraining epoch is left out when there are others: it pays for first-touch page faults. */
static void
sort_epochs (GArray *a)
{
  if (a->len > 2)
    g_array_remove_index (a, 0);
  g_array_sort (a, by_seconds);
}

static void
print_epoch (const char *label, GArray *a)
{
  const CsEpochMetrics *best = &g_array_index (a, CsEpochMetrics, 0);

  printf ("%-18s %8.2f s  (train %.2f, encode %.2f, k-means n_init %d %.2f)", label, best->seconds,
          best->seconds_train, best->seconds_encode, opt_n_init, best->seconds_kmeans);
  if (a->len > 1)
    printf ("  median of %u: %.2f s", a->len,
            g_array_index (a, CsEpochMetrics, a->len / 2).seconds);
  printf ("\n");
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- epoch timings against sgemm");
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  CsSettings s;
  CsAutoencoder *ae;
  Times times = { g_array_new (FALSE, FALSE, sizeof (CsEpochMetrics)),
                  g_array_new (FALSE, FALSE, sizeof (CsEpochMetrics)) };
  double t0, load_s, square, shapes, flops_epoch, train_rate;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (opt_threads > 0)
    openblas_set_num_threads (opt_threads);

  t0 = now ();
  ds = cs_dataset_load (opt_dataset, NULL, &error);
  if (!ds)
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  load_s = now () - t0;

  cs_settings_init_default (&s);
  s.pretrain_epochs = MAX (opt_repeat, 1);
  s.epochs = MAX (opt_repeat, 1);
  s.kmeans_n_init = opt_n_init;
  ae = cs_autoencoder_new_symmetric (ds->d, s.hidden, s.n_hidden, s.embedding_dim, s.batch_size);

  square = sgemm_rate (CblasNoTrans, CblasNoTrans, 2048, 2048, 2048, 5);
  shapes = layer_shapes_rate (ae->dims, ae->n_layers, s.batch_size);
  flops_epoch = cs_autoencoder_train_flops (ae, 1) * ds->n;

  trainer = cs_trainer_new (ds, &s, &error);
  cs_trainer_set_snapshot_func (trainer, on_snapshot, &times);
  if (!cs_trainer_run (trainer, NULL, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  /* The sgemm rates again after the epochs: the higher of the two is the peak we compare with
   * (this host's speed drifts, and a low reading would flatter our share). */
  square = MAX (square, sgemm_rate (CblasNoTrans, CblasNoTrans, 2048, 2048, 2048, 5));
  shapes = MAX (shapes, layer_shapes_rate (ae->dims, ae->n_layers, s.batch_size));
  cs_autoencoder_free (ae);

  sort_epochs (times.pretrain);
  sort_epochs (times.cluster);
  train_rate = flops_epoch / g_array_index (times.pretrain, CsEpochMetrics, 0).seconds_train / 1e9;

  printf ("dataset            %s: %zu x %u\n", ds->name, ds->n, ds->d);
  printf ("BLAS threads       %d (%s)\n", openblas_get_num_threads (), openblas_get_config ());
  printf ("load               %8.3f s\n", load_s);
  printf ("sgemm 2048^3       %8.1f GFLOP/s (the better of before and after the epochs)\n", square);
  printf ("sgemm layer shapes %8.1f GFLOP/s (batch %u, forward + backward products)\n", shapes,
          s.batch_size);
  print_epoch ("pretrain epoch", times.pretrain);
  printf ("  training pass    %8.1f GFLOP/s = %.0f %% of sgemm at layer shapes (%.2f TFLOP)\n",
          train_rate, 100 * train_rate / shapes, flops_epoch / 1e12);
  print_epoch ("roy epoch", times.cluster);
  g_array_unref (times.pretrain);
  g_array_unref (times.cluster);
  return 0;
}
