/* cs-parallel.c: helper threads for the engine's element-wise loops.
 *
 * Each helper sleeps on a condition variable until the generation counter moves, runs its
 * range of the posted loop and counts itself done; the caller runs range 0 meanwhile and
 * waits for the count. A handover costs a futex wake-up (microseconds); the loops handed over
 * (an Adam step over a layer of a million weights) take a millisecond or more.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include "cs-parallel.h"

#define MAX_THREADS 64

struct _CsParallel
{
  guint n_threads;
  guint n_active; /* threads the loops are split over; only the caller's thread reads it */
  GThread *threads[MAX_THREADS];

  GMutex lock;
  GCond posted;   /* generation moved or quit set */
  GCond finished; /* pending reached 0 */
  guint64 generation;
  guint pending;
  gboolean quit;

  /* The posted loop. */
  CsRangeFunc func;
  gpointer data;
  gsize n, chunk;
};

typedef struct
{
  CsParallel *pool;
  guint index;
} Helper;

static void
run_range (CsParallel *self, guint index)
{
  gsize start = MIN (self->n, index * self->chunk);
  gsize end = MIN (self->n, start + self->chunk);

  if (start < end)
    self->func (start, end, self->data);
}

static gpointer
helper_main (gpointer data)
{
  Helper *h = data;
  CsParallel *self = h->pool;
  guint index = h->index;
  guint64 seen = 0;

  g_free (h);
  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->quit && self->generation == seen)
        g_cond_wait (&self->posted, &self->lock);
      if (self->quit)
        break;
      seen = self->generation;
      g_mutex_unlock (&self->lock);

      run_range (self, index);

      g_mutex_lock (&self->lock);
      if (--self->pending == 0)
        g_cond_signal (&self->finished);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

CsParallel *
cs_parallel_new (guint n_threads)
{
  CsParallel *self = g_new0 (CsParallel, 1);

  self->n_threads = CLAMP (n_threads, 1, MAX_THREADS);
  self->n_active = self->n_threads;
  g_mutex_init (&self->lock);
  g_cond_init (&self->posted);
  g_cond_init (&self->finished);
  for (guint i = 1; i < self->n_threads; i++)
    {
      Helper *h = g_new (Helper, 1);

      h->pool = self;
      h->index = i;
      self->threads[i] = g_thread_new ("cs-parallel", helper_main, h);
    }
  return self;
}

void
cs_parallel_free (CsParallel *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_broadcast (&self->posted);
  g_mutex_unlock (&self->lock);
  for (guint i = 1; i < self->n_threads; i++)
    g_thread_join (self->threads[i]);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->posted);
  g_cond_clear (&self->finished);
  g_free (self);
}

guint
cs_parallel_get_n_threads (CsParallel *self)
{
  return self->n_threads;
}

void
cs_parallel_set_n_active (CsParallel *self, guint n_active)
{
  g_return_if_fail (self != NULL);
  self->n_active = CLAMP (n_active, 1, self->n_threads);
}

void
cs_parallel_for (
    CsParallel *self, gsize n, gsize align, gsize min_chunk, CsRangeFunc func, gpointer data)
{
  gsize chunk;

  align = MAX (align, 1);
  if (self == NULL || self->n_active == 1 || n < 2 * MAX (min_chunk, 1))
    {
      if (n > 0)
        func (0, n, data);
      return;
    }
  /* Helpers beyond n_active find their range empty. */
  chunk = (n + self->n_active - 1) / self->n_active;
  chunk = (chunk + align - 1) / align * align;

  g_mutex_lock (&self->lock);
  self->func = func;
  self->data = data;
  self->n = n;
  self->chunk = chunk;
  self->pending = self->n_threads - 1;
  self->generation++;
  g_cond_broadcast (&self->posted);
  g_mutex_unlock (&self->lock);

  run_range (self, 0);

  g_mutex_lock (&self->lock);
  while (self->pending > 0)
    g_cond_wait (&self->finished, &self->lock);
  g_mutex_unlock (&self->lock);
}
