/* test-thread-tuner.c: how many BLAS threads for a given load.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-thread-tuner.h"
#include "cs-threads.h"

/* The policy on made-up loads: a thread goes when the free cores fall half a core below the
 * threads in use, comes back only with 0.7 of a core more free (no flapping near the line). */
static void
test_decide (void)
{
  static const struct
  {
    guint max, current;
    double others;
    guint want;
  } cases[] = {
    { 2, 2, 0.0, 2 },  { 2, 2, 0.45, 2 }, { 2, 2, 0.55, 1 }, { 2, 2, 1.8, 1 },  { 2, 2, 5.0, 1 },
    { 2, 1, 0.45, 1 }, { 2, 1, 0.35, 1 }, { 2, 1, 0.25, 2 }, { 2, 1, -0.2, 2 }, { 8, 8, 3.0, 5 },
    { 8, 5, 2.6, 5 },  { 8, 5, 2.1, 6 },  { 8, 1, 0.0, 8 },  { 1, 1, 0.0, 1 },  { 1, 1, 3.0, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint got = cs_thread_tuner_decide (cases[i].max, cases[i].current, cases[i].others);

      if (got != cases[i].want)
        g_error ("max %u, current %u, others %.2f: %u threads, want %u", cases[i].max,
                 cases[i].current, cases[i].others, got, cases[i].want);
    }
}

/* Readings from the running system: the first only starts the window, the next comes no
 * sooner than the window allows, and gives a load within what the machine can have. */
static void
test_readings (void)
{
  CsThreadTuner tuner;
  gint64 until;
  volatile double sink = 0;
  long n_cpus = g_get_num_processors ();

  cs_thread_tuner_init (&tuner, 2);
  g_assert_cmpuint (tuner.current, ==, 2);
  g_assert_cmpuint (cs_thread_tuner_update (&tuner), ==, 2);
  g_assert_true (tuner.have_reading);
  g_assert_cmpuint (cs_thread_tuner_update (&tuner), ==, 2);
  g_assert_cmpfloat (tuner.others, ==, 0.0);

  /* Busy for the window: our own CPU time is not counted as other programs'. */
  until = g_get_monotonic_time () + CS_TUNER_WINDOW_USEC + 50000;
  while (g_get_monotonic_time () < until)
    sink += sqrt (sink + 1.0);
  cs_thread_tuner_update (&tuner);
  g_assert_true (isfinite (tuner.others));
  g_assert_cmpfloat (tuner.others, >=, -0.5);
  g_assert_cmpfloat (tuner.others, <=, n_cpus + 0.5);
  g_assert_cmpuint (tuner.current, >=, 1);
  g_assert_cmpuint (tuner.current, <=, 2);

  /* One thread available: nothing to tune, nothing read. */
  cs_thread_tuner_init (&tuner, 1);
  g_assert_cmpuint (cs_thread_tuner_update (&tuner), ==, 1);
  g_assert_false (tuner.have_reading);
}

static void
test_fixed_by_environment (void)
{
  g_unsetenv ("GOTO_NUM_THREADS");
  g_unsetenv ("OMP_NUM_THREADS");
  g_setenv ("OPENBLAS_NUM_THREADS", "1", TRUE);
  g_assert_true (cs_threads_count_is_fixed ());
  g_unsetenv ("OPENBLAS_NUM_THREADS");
  g_assert_false (cs_threads_count_is_fixed ());
  g_setenv ("OMP_NUM_THREADS", "2", TRUE);
  g_assert_true (cs_threads_count_is_fixed ());
  g_unsetenv ("OMP_NUM_THREADS");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/thread-tuner/decide", test_decide);
  g_test_add_func ("/thread-tuner/readings", test_readings);
  g_test_add_func ("/thread-tuner/environment", test_fixed_by_environment);
  return g_test_run ();
}
