/* bench-projection: wall time of clustering epochs with a t-SNE view, its frames computed on
 * their own thread while the next epoch trains, against the same frames inline on the
 * training thread (cs_trainer_set_projection_inline), side by side in one run.
 *
 * Usage: bench-projection [--dataset SPEC] [--epochs N] [--rounds R] [--threads T]
 * Each round runs one pretraining epoch (whose frame is the cold one) and N clustering epochs in
 * either mode, alternating. It reports the whole run and the steady epochs: from the first
 * progress report of epoch 3 (the cold frame is behind) to the run's end, per epoch, split into
 * the epochs' own work (training, encoding, K-means: CsEpochMetrics.seconds) and the rest of
 * the training thread's time (the inline frame, or the wait for a threaded one, and what both
 * do at an epoch's end). It checks that both modes give the same bytes (every snapshot's x, y).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "cs-dataset-load.h"
#include "cs-dataset.h"
#include "cs-trainer.h"

static char *opt_dataset = "fashion-mnist-test";
static gint opt_epochs = 6;
static gint opt_rounds = 2;
static gint opt_threads = 0;

static GOptionEntry entries[]
    = { { "dataset", 'd', 0, G_OPTION_ARG_STRING, &opt_dataset,
          "Dataset spec (default fashion-mnist-test, 10k)", "SPEC" },
        { "epochs", 'e', 0, G_OPTION_ARG_INT, &opt_epochs, "Clustering epochs (default 6)", "N" },
        { "rounds", 'r', 0, G_OPTION_ARG_INT, &opt_rounds, "Rounds of both modes (default 2)",
          "R" },
        { "threads", 't', 0, G_OPTION_ARG_INT, &opt_threads, "Threads (default: OpenBLAS's choice)",
          "N" },
        { NULL } };

typedef struct
{
  gint64 steady_start;  /* first progress report of epoch 3 */
  double epoch_seconds; /* the steady epochs' own time (training, encoding, K-means), summed */
  GChecksum *xy;        /* of every snapshot's x, y in order */
} Run;

static void
on_progress (guint epoch, CsPhase phase, guint batch, guint n_batches, gpointer data)
{
  Run *r = data;

  if (epoch == 3 && r->steady_start == 0)
    r->steady_start = g_get_monotonic_time ();
}

static void
on_snapshot (CsSnapshot *snap, gpointer data)
{
  Run *r = data;

  if (snap->epoch >= 3)
    r->epoch_seconds += snap->metrics.seconds;
  g_checksum_update (r->xy, (const guchar *) snap->xy, snap->n * 2 * sizeof (float));
}

/* One run; returns the whole run's seconds, the steady seconds per epoch in *steady. */
static double
run_once (CsDataset *ds, gboolean projection_inline, double *steady, char **digest)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CsTrainer) trainer = NULL;
  Run r = { 0, 0.0, g_checksum_new (G_CHECKSUM_SHA256) };
  CsSettings s;
  gint64 t0, t1;
  guint steady_epochs;

  cs_settings_init_default (&s);
  s.k = 10;
  s.pretrain_epochs = 1;
  s.epochs = MAX (opt_epochs, 2);
  s.projection = CS_PROJECTION_TSNE;
  trainer = cs_trainer_new (ds, &s, &error);
  if (trainer == NULL)
    g_error ("%s", error->message);
  cs_trainer_set_projection_inline (trainer, projection_inline);
  cs_trainer_set_progress_func (trainer, on_progress, &r);
  cs_trainer_set_snapshot_func (trainer, on_snapshot, &r);
  t0 = g_get_monotonic_time ();
  if (!cs_trainer_run (trainer, NULL, &error))
    g_error ("%s", error->message);
  t1 = g_get_monotonic_time ();
  steady_epochs = s.pretrain_epochs + s.epochs - 2;
  *steady = (t1 - r.steady_start) / 1e6 / steady_epochs;
  *digest = g_strdup (g_checksum_get_string (r.xy));
  g_checksum_free (r.xy);
  printf ("  %-7s run %7.2f s  steady %.3f s/epoch = own work %.3f + the rest %.3f\n",
          projection_inline ? "inline" : "thread", (t1 - t0) / 1e6, *steady,
          r.epoch_seconds / steady_epochs, *steady - r.epoch_seconds / steady_epochs);
  fflush (stdout);
  return (t1 - t0) / 1e6;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- t-SNE frames inline or threaded");
  g_autoptr (GError) error = NULL;
  g_autoptr (CsDataset) ds = NULL;
  g_autofree char *first_digest = NULL;
  double best_run[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, best_steady[2] = { G_MAXDOUBLE, G_MAXDOUBLE };
  gboolean same = TRUE;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (opt_threads > 0)
    openblas_set_num_threads (opt_threads);
  ds = cs_dataset_load (opt_dataset, NULL, &error);
  if (ds == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  printf ("dataset %s: %zu x %u, %d threads, 1 pretraining + %d clustering epochs, t-SNE view\n",
          ds->name, ds->n, ds->d, openblas_get_num_threads (), MAX (opt_epochs, 2));
  for (gint round = 0; round < opt_rounds; round++)
    for (guint mode = 0; mode < 2; mode++)
      {
        /* Alternating, inline first in even rounds, so that drift favours neither. */
        gboolean projection_inline = (mode + round) % 2 == 0;
        g_autofree char *digest = NULL;
        double steady, total = run_once (ds, projection_inline, &steady, &digest);

        best_run[projection_inline] = MIN (best_run[projection_inline], total);
        best_steady[projection_inline] = MIN (best_steady[projection_inline], steady);
        if (first_digest == NULL)
          first_digest = g_steal_pointer (&digest);
        else
          same &= g_str_equal (first_digest, digest);
      }
  printf ("best of %d: run %.2f s inline, %.2f s thread (%.1f %% less); steady epoch %.3f s "
          "inline, %.3f s thread (%.1f %% less)\n",
          opt_rounds, best_run[1], best_run[0], 100 * (1 - best_run[0] / best_run[1]),
          best_steady[1], best_steady[0], 100 * (1 - best_steady[0] / best_steady[1]));
  printf ("layouts of every epoch: %s\n", same ? "the same bytes in every run" : "DIFFERENT");
  return same ? 0 : 1;
}
