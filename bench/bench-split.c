/* bench-split: how the training step's thread split scales, measured and modelled.
 *
 * Usage: bench-split [ROUNDS [STEPS]]
 *
 * The network of the paper (784-500-500-2000-10, mirrored, batch 256), one training step =
 * forward, reconstruction loss, backward fused with Adam, as the trainer runs it.
 *
 * 1. Measured on this machine: seconds per step on one thread, and on two threads with the
 *    products split by rows only (the engine before issue 16) and cut into tiles (now),
 *    alternating configurations step by step for ROUNDS x STEPS steps; the fastest and the
 *    median of each, and their ratios.
 * 2. Modelled for 1 to 16 threads: a simulated pool (cs_parallel_new_simulated) splits every
 *    loop as T threads would but runs the shares one after another on this thread, timing each
 *    in thread CPU time. A step's critical path on T cores is the sum over its loops of the
 *    slowest share, plus the work outside the loops; the work per thread is the loops' total
 *    over T. Both splits again, alternated; the median of ROUNDS steps each. A last column adds
 *    a handover per loop at the cost measured here on two real threads (fastest batch).
 * 3. The same model's loops one by one at 2 and 16 threads: where the critical path goes.
 * 4. Single-threaded sgemm at tile shapes (depth 500), forward (x W) and backward delta
 *    (delta W^T) forms: GFLOP/s by rows and columns, and the least-squares fit
 *    time = a x (rows + p) x cols x depth that the engine's tile planner uses (p: PACK_ROWS in
 *    cs-autoencoder.c).
 *
 * What it cannot see: 16 cores' shared caches and memory bandwidth (each share runs on one
 * core with this core's L2 and the whole memory bandwidth to itself), and the handover cost of
 * 16 threads (two measured). docs/PERFORMANCE.md discusses both.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cs-autoencoder.h"
#include "cs-parallel.h"

#define MAX_T 16
#define BATCH 256

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
by_value (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *a)
{
  g_array_sort (a, by_value);
  return g_array_index (a, double, a->len / 2);
}

static double
fastest (GArray *a)
{
  g_array_sort (a, by_value);
  return g_array_index (a, double, 0);
}

static void
step (CsAutoencoder *ae, const float *x, float *d_out, const CsAdamConfig *cfg)
{
  cs_autoencoder_forward (ae, x, BATCH);
  cs_autoencoder_rec_loss (ae, x, BATCH, d_out);
  cs_autoencoder_backward_step (ae, d_out, NULL, BATCH, cfg, 1e-4);
}

static void
nothing (gsize start, gsize end, gpointer data)
{
  (void) start;
  (void) end;
  (void) data;
}

/* Seconds per handover (an empty loop) on a real pool of two threads, in batches of 2000 loops:
 * the fastest batch (*best) and the median one. */
static double
handover_seconds (double *best)
{
  CsParallel *pool = cs_parallel_new (2);
  GArray *per = g_array_new (FALSE, FALSE, sizeof (double));
  double result;

  for (guint b = 0; b < 15; b++)
    {
      double t0 = now (), dt;

      for (guint i = 0; i < 2000; i++)
        cs_parallel_for (pool, 2, 1, 1, nothing, NULL);
      dt = (now () - t0) / 2000;
      g_array_append_val (per, dt);
    }
  result = median (per);
  *best = fastest (per);
  g_array_unref (per);
  cs_parallel_free (pool);
  return result;
}

static double
thread_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Part 4, one form: y (rows x cols) = x (rows x 500) w (500 x cols), or with transposed weights
 * d (rows x 500) w^T (w: cols x 500) as the backward's delta product; fastest of 15, in thread
 * CPU time. */
static void
tile_rates (gboolean transposed)
{
  static const int rows[] = { 12, 24, 36, 60, 132, 256 };
  static const int cols[] = { 256, 500, 960, 2000 };
  const int k = 500;
  g_autofree float *x = g_new (float, 256 * k);
  g_autofree float *w = g_new (float, k * 2000);
  g_autofree float *y = g_new (float, 256 * 2000);
  /* Least squares of t / (cols k) = a rows + b over every shape. */
  double sr = 0, sy = 0, srr = 0, sry = 0, n = 0, a, b;

  for (int i = 0; i < 256 * k; i++)
    x[i] = (float) (i % 7) * 0.1f;
  for (int i = 0; i < k * 2000; i++)
    w[i] = (float) (i % 5) * 0.1f;
  printf ("\n## Single-threaded sgemm at tile shapes: %s, depth 500 (GFLOP/s, fastest of 15)\n\n",
          transposed ? "delta W^T (backward)" : "x W (forward)");
  printf ("| rows |");
  for (guint c = 0; c < G_N_ELEMENTS (cols); c++)
    printf (" %d columns |", cols[c]);
  printf ("\n|---:|");
  for (guint c = 0; c < G_N_ELEMENTS (cols); c++)
    printf ("---:|");
  printf ("\n");
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      printf ("| %d |", rows[r]);
      for (guint c = 0; c < G_N_ELEMENTS (cols); c++)
        {
          double best = INFINITY, per;

          for (guint rep = 0; rep < 15; rep++)
            {
              double t0 = thread_seconds ();

              if (transposed)
                cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows[r], cols[c], k, 1.0f, x,
                             k, w, k, 0.0f, y, 2000);
              else
                cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows[r], cols[c], k, 1.0f,
                             x, k, w, 2000, 0.0f, y, 2000);
              best = MIN (best, thread_seconds () - t0);
            }
          printf (" %.1f |", 2.0 * rows[r] * cols[c] * k / best / 1e9);
          per = best / ((double) cols[c] * k);
          sr += rows[r];
          sy += per;
          srr += (double) rows[r] * rows[r];
          sry += rows[r] * per;
          n++;
        }
      printf ("\n");
    }
  a = (n * sry - sr * sy) / (n * srr - sr * sr);
  b = (sy - a * sr) / n;
  printf ("\nFit: time = %.3g s x (rows + %.1f) x columns x depth (%.1f GFLOP/s on a tile's "
          "product, and packing its columns' share of the weights costs %.1f rows).\n",
          a, b / a, 2.0 / a / 1e9, b / a);
}

int
main (int argc, char **argv)
{
  static const guint hidden[] = { 500, 500, 2000 };
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 7;
  guint steps = argc > 2 ? (guint) atoi (argv[2]) : 4;
  CsAutoencoder *ae = cs_autoencoder_new_symmetric (784, hidden, 3, 10, BATCH);
  CsParallel *own = ae->parallel;
  CsParallel *real[3] = { NULL, cs_parallel_new (1), cs_parallel_new (2) };
  CsParallel *sim[MAX_T + 1] = { NULL };
  g_autofree float *x = g_new (float, BATCH * 784);
  g_autofree float *d_out = g_new (float, BATCH * 784);
  GArray *measured[3], *crit[2][MAX_T + 1], *total[2][MAX_T + 1], *serial;
  /* [split][2 or 16 threads][loop] */
  double loop_crit[2][2][CS_PARALLEL_TIMES_LOOPS], loop_tot[2][2][CS_PARALLEL_TIMES_LOOPS];
  guint n_loops = 0;
  double handover, handover_median;
  CsAdamConfig cfg;
  CsRng rng;
  static const char *config_name[3]
      = { "1 thread", "2 threads, rows only (before)", "2 threads, tiles (now)" };

  openblas_set_num_threads (1);
  cs_rng_init (&rng, 1);
  cs_autoencoder_init_glorot (ae, &rng);
  cs_adam_config_init (&cfg);
  for (gsize i = 0; i < BATCH * 784; i++)
    x[i] = (float) cs_rng_uniform (&rng);
  for (guint t = 1; t <= MAX_T; t++)
    sim[t] = cs_parallel_new_simulated (t);
  for (guint c = 0; c < 3; c++)
    measured[c] = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint m = 0; m < 2; m++)
    for (guint t = 1; t <= MAX_T; t++)
      {
        crit[m][t] = g_array_new (FALSE, FALSE, sizeof (double));
        total[m][t] = g_array_new (FALSE, FALSE, sizeof (double));
      }
  serial = g_array_new (FALSE, FALSE, sizeof (double));
  memset (loop_tot, 0, sizeof loop_tot);
  memset (loop_crit, 0, sizeof loop_crit);

  /* Warm-up: page faults, OpenBLAS's buffers, the helper threads. */
  ae->parallel = real[2];
  for (guint i = 0; i < 3; i++)
    step (ae, x, d_out, &cfg);

  /* 1. Measured. */
  for (guint r = 0; r < rounds * steps; r++)
    for (guint c = 0; c < 3; c++)
      {
        double t0, dt;

        ae->parallel = c == 0 ? real[1] : real[2];
        ae->split_rows_only = c == 1;
        t0 = now ();
        step (ae, x, d_out, &cfg);
        dt = now () - t0;
        g_array_append_val (measured[c], dt);
      }
  printf ("## Measured: seconds per training step (batch 256), %u steps each, alternated\n\n",
          rounds * steps);
  printf ("| configuration | fastest (ms) | median (ms) | one thread / this (median) |\n");
  printf ("|---|---:|---:|---:|\n");
  {
    double med[3], fast[3];

    for (guint c = 0; c < 3; c++)
      {
        fast[c] = fastest (measured[c]);
        med[c] = median (measured[c]);
      }
    for (guint c = 0; c < 3; c++)
      printf ("| %s | %.2f | %.2f | %.3f |\n", config_name[c], 1e3 * fast[c], 1e3 * med[c],
              med[0] / med[c]);
    printf ("\ntiles / rows only on two threads: %.3f (fastest), %.3f (median)\n\n",
            fast[1] / fast[2], med[1] / med[2]);
  }

  /* 2. Modelled. */
  handover_median = handover_seconds (&handover);
  for (guint r = 0; r < rounds; r++)
    for (guint t = 1; t <= MAX_T; t++)
      for (guint m = 0; m < 2; m++)
        {
          CsParallelTimes times;
          double t0, dt;

          ae->parallel = sim[t];
          ae->split_rows_only = m == 0;
          cs_parallel_take_times (sim[t], &times);
          t0 = thread_seconds ();
          step (ae, x, d_out, &cfg);
          dt = thread_seconds () - t0;
          cs_parallel_take_times (sim[t], &times);
          g_array_append_val (crit[m][t], times.critical);
          g_array_append_val (total[m][t], times.total);
          if (t == 1 && m == 1)
            {
              double outside = dt - times.total;
              g_array_append_val (serial, outside);
            }
          if (t == 2 || t == MAX_T)
            {
              n_loops = (guint) MIN (times.loops, CS_PARALLEL_TIMES_LOOPS);
              for (guint i = 0; i < n_loops; i++)
                {
                  loop_crit[m][t == 2 ? 0 : 1][i] += times.loop_critical[i] / rounds;
                  loop_tot[m][t == 2 ? 0 : 1][i] += times.loop_total[i] / rounds;
                }
            }
        }
  {
    double outside = median (serial);
    double base[2];
    guint loops = n_loops;

    printf ("## Model: one step on T cores, from each share timed on one core\n\n");
    printf ("Handover measured on two real threads: %.1f us per loop in the fastest batch of 2000 "
            "loops (%.1f us in the median one), %u loops per step; work outside the loops: %.2f "
            "ms per step, counted in every critical path. Critical paths and speed-ups leave the "
            "handovers out (this machine's load decides them); the last column counts them at "
            "the fastest measured. Speed-ups are against the same split's one-thread step.\n\n",
            1e6 * handover, 1e6 * handover_median, loops, 1e3 * outside);
    printf ("| T | rows only: critical path (ms) | speed-up | tiles: work per thread (ms) | "
            "critical path (ms) | speed-up | efficiency | speed-up with handovers |\n");
    printf ("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (guint m = 0; m < 2; m++)
      base[m] = median (total[m][1]) + outside;
    for (guint t = 1; t <= MAX_T; t++)
      {
        double hand = t > 1 ? handover * loops : 0.0;
        double before = median (crit[0][t]) + outside;
        double after = median (crit[1][t]) + outside;
        double work = median (total[1][t]) / t;

        printf ("| %u | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f %% | %.2f |\n", t, 1e3 * before,
                base[0] / before, 1e3 * work, 1e3 * after, base[1] / after,
                100.0 * base[1] / after / t, base[1] / (after + hand));
      }
    for (guint w = 0; w < 2; w++)
      {
        guint t = w == 0 ? 2 : MAX_T;

        printf ("\n## Model at %u threads, loop by loop (ms; mean of %u steps)\n\n", t, rounds);
        printf ("| loop | rows only: slowest share | tiles: slowest share | tiles: work / %u |\n",
                t);
        printf ("|---|---:|---:|---:|\n");
        for (guint i = 0; i < n_loops; i++)
          {
            guint n_layers = ae->n_layers;
            char name[64];

            if (i < n_layers)
              g_snprintf (name, sizeof name, "forward %u (%u -> %u)", i, ae->dims[i],
                          ae->dims[i + 1]);
            else if (i < 2 * n_layers)
              {
                guint l = 2 * n_layers - 1 - i;
                g_snprintf (name, sizeof name, "backward %u (%u -> %u)%s", l, ae->dims[l],
                            ae->dims[l + 1], l + 1 < n_layers ? " + Adam" : "");
              }
            else
              g_snprintf (name, sizeof name, "Adam 0");
            printf ("| %s | %.3f | %.3f | %.3f |\n", name, 1e3 * loop_crit[0][w][i],
                    1e3 * loop_crit[1][w][i], 1e3 * loop_tot[1][w][i] / t);
          }
      }
  }

  tile_rates (FALSE);
  tile_rates (TRUE);

  ae->parallel = own;
  cs_autoencoder_free (ae);
  for (guint t = 1; t <= MAX_T; t++)
    cs_parallel_free (sim[t]);
  cs_parallel_free (real[1]);
  cs_parallel_free (real[2]);
  return 0;
}
