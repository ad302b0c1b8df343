/* test-parallel.c: the helper threads behind the engine's element-wise loops.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "cs-parallel.h"
#include "cs-threads.h"

typedef struct
{
  gint *hits;    /* how often each index was visited */
  gsize align;   /* every range but the first starts at a multiple of this */
  gint calls;    /* ranges run (atomic) */
  GThread *self; /* the calling thread */
  gint on_caller;
} Visit;

static void
visit (gsize start, gsize end, gpointer data)
{
  Visit *v = data;

  g_assert_cmpuint (start, <, end);
  g_assert_cmpuint (start % v->align, ==, 0);
  for (gsize i = start; i < end; i++)
    g_atomic_int_inc (&v->hits[i]);
  g_atomic_int_inc (&v->calls);
  if (g_thread_self () == v->self)
    g_atomic_int_inc (&v->on_caller);
}

/* Every index is visited exactly once, ranges are aligned and split over the threads, for
 * many loops in a row (a handover that lost a wake-up would hang or skip a range here). */
static void
test_covers_once (void)
{
  const gsize sizes[] = { 1, 15, 16, 17, 1000, 4099, 100000 };

  for (guint threads = 1; threads <= 4; threads++)
    {
      CsParallel *pool = cs_parallel_new (threads);

      g_assert_cmpuint (cs_parallel_get_n_threads (pool), ==, threads);
      for (guint rep = 0; rep < 200; rep++)
        {
          gsize n = sizes[rep % G_N_ELEMENTS (sizes)];
          g_autofree gint *hits = g_new0 (gint, n);
          Visit v = { hits, 16, 0, g_thread_self (), 0 };

          cs_parallel_for (pool, n, 16, 1, visit, &v);
          for (gsize i = 0; i < n; i++)
            g_assert_cmpint (hits[i], ==, 1);
          g_assert_cmpint (v.on_caller, ==, 1);
          if (n >= 16 * threads * 2)
            g_assert_cmpint (v.calls, ==, (gint) threads);
        }
      cs_parallel_free (pool);
    }
}

/* A loop shorter than min_chunk per thread runs on the caller alone, in one range. */
static void
test_small_stays_on_caller (void)
{
  CsParallel *pool = cs_parallel_new (2);
  gint hits[100] = { 0 };
  Visit v = { hits, 1, 0, g_thread_self (), 0 };

  cs_parallel_for (pool, 100, 1, 64, visit, &v);
  g_assert_cmpint (v.calls, ==, 1);
  g_assert_cmpint (v.on_caller, ==, 1);
  /* Nothing to do: no call at all. */
  cs_parallel_for (pool, 0, 1, 1, visit, &v);
  g_assert_cmpint (v.calls, ==, 1);
  cs_parallel_free (pool);
  /* NULL runs in the caller too. */
  cs_parallel_for (NULL, 100, 1, 1, visit, &v);
  g_assert_cmpint (v.calls, ==, 2);
}

/* Fewer active threads: the loops split over that many only (every index still once), and
 * back to all of them. */
static void
test_active_threads (void)
{
  CsParallel *pool = cs_parallel_new (4);
  const gsize n = 100000;

  for (guint active = 1; active <= 5; active++)
    {
      g_autofree gint *hits = g_new0 (gint, n);
      Visit v = { hits, 16, 0, g_thread_self (), 0 };

      cs_parallel_set_n_active (pool, active);
      cs_parallel_for (pool, n, 16, 1, visit, &v);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (hits[i], ==, 1);
      /* Five asked for: the pool's four. */
      g_assert_cmpint (v.calls, ==, (gint) MIN (active, 4));
    }
  cs_parallel_free (pool);
}

typedef struct
{
  gsize starts[64];
  gint n; /* (atomic) */
} Starts;

static void
record_start (gsize start, gsize end, gpointer data)
{
  Starts *s = data;
  volatile double sink = 0.0;

  s->starts[g_atomic_int_add (&s->n, 1)] = start;
  for (gsize i = start; i < end; i++)
    sink += (double) i;
  (void) sink;
}

static int
by_start (gconstpointer a, gconstpointer b)
{
  gsize x = *(const gsize *) a, y = *(const gsize *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  gint flushing; /* ranges whose thread flushes subnormals (atomic) */
  gint zero;     /* ranges where a product into the subnormal range gave 0 (atomic) */
} Subnormals;

static void
subnormal_range (gsize start, gsize end, gpointer data)
{
  Subnormals *s = data;
  /* volatile: computed on this thread at run time, not folded by the compiler. */
  volatile float tiny = 1e-30f, scale = 1e-10f;
  float product = tiny * scale; /* 1e-40: subnormal, flushed to 0 */

  (void) start, (void) end;
  if (cs_threads_flush_subnormals ())
    g_atomic_int_inc (&s->flushing);
  if (product == 0.0f)
    g_atomic_int_inc (&s->zero);
}

/* Subnormal floats are flushed to zero on the main thread and on every helper, so that
 * training does not slow down as its numbers shrink, and gives the same bytes on any thread. */
static void
test_subnormals (void)
{
  CsParallel *pool = cs_parallel_new (3);
  Subnormals s = { 0, 0 };

#if !defined(__SSE__)
  g_test_skip ("subnormals are flushed on x86-64 only");
  cs_parallel_free (pool);
  return;
#endif
  g_assert_true (cs_threads_flush_subnormals ());
  cs_parallel_for (pool, 3 * 16, 16, 1, subnormal_range, &s);
  g_assert_cmpint (s.flushing, ==, 3);
  g_assert_cmpint (s.zero, ==, 3);
  cs_parallel_free (pool);
}

/* A simulated pool hands out the ranges a real pool of as many threads would, all on the
 * caller, and times them: a loop's slowest range on the critical path, every range in the
 * total; a loop too short to split counts once. A real pool measures nothing. */
static void
test_simulated (void)
{
  const gsize n = 100000;
  CsParallelTimes times;

  for (guint threads = 1; threads <= 16; threads *= 2)
    {
      CsParallel *real = cs_parallel_new (threads);
      CsParallel *sim = cs_parallel_new_simulated (threads);
      Starts a = { { 0 }, 0 }, b = { { 0 }, 0 };
      g_autofree gint *hits = g_new0 (gint, n);
      Visit v = { hits, 16, 0, g_thread_self (), 0 };

      g_assert_cmpuint (cs_parallel_get_n_active (sim), ==, threads);
      cs_parallel_for (real, n, 16, 1, record_start, &a);
      cs_parallel_for (sim, n, 16, 1, record_start, &b);
      g_assert_cmpint (a.n, ==, b.n);
      qsort (a.starts, a.n, sizeof (gsize), by_start);
      qsort (b.starts, b.n, sizeof (gsize), by_start);
      g_assert_cmpmem (a.starts, a.n * sizeof (gsize), b.starts, b.n * sizeof (gsize));
      cs_parallel_for (sim, n, 16, 1, visit, &v);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (hits[i], ==, 1);
      g_assert_cmpint (v.on_caller, ==, v.calls);
      cs_parallel_for (sim, 10, 16, 64, visit, &v);

      cs_parallel_take_times (sim, &times);
      g_assert_cmpuint (times.loops, ==, 3);
      g_assert_cmpfloat (times.critical, >, 0.0);
      g_assert_cmpfloat (times.critical, <=, times.total);
      g_assert_cmpfloat (times.loop_critical[0], <=, times.loop_total[0]);
      g_assert_cmpfloat (times.loop_critical[2], ==, times.loop_total[2]);
      cs_parallel_take_times (sim, &times);
      g_assert_cmpuint (times.loops, ==, 0);
      cs_parallel_take_times (real, &times);
      g_assert_cmpuint (times.loops, ==, 0);
      cs_parallel_free (real);
      cs_parallel_free (sim);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/parallel/covers-once", test_covers_once);
  g_test_add_func ("/parallel/small-stays-on-caller", test_small_stays_on_caller);
  g_test_add_func ("/parallel/active-threads", test_active_threads);
  g_test_add_func ("/parallel/simulated", test_simulated);
  g_test_add_func ("/parallel/subnormals", test_subnormals);
  return g_test_run ();
}
