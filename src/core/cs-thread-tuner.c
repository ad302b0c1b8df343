/* cs-thread-tuner.c: see the header for why.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cs-thread-tuner.h"

void
cs_thread_tuner_init (CsThreadTuner *self, guint max_threads)
{
  *self = (CsThreadTuner){ 0 };
  self->max = MAX (max_threads, 1);
  self->current = self->max;
}

guint
cs_thread_tuner_decide (guint max, guint current, double others)
{
  double free_cores = (double) max - MAX (others, 0.0);
  guint down = (guint) MAX (floor (free_cores + 0.5), 1.0);
  guint up = (guint) MAX (floor (free_cores + 0.3), 1.0);

  current = CLAMP (current, 1, MAX (max, 1));
  if (down < current)
    return down;
  if (up > current)
    return MIN (up, max);
  return current;
}

/* Busy ticks of all CPUs together: everything in /proc/stat's first line but idle and iowait
 * (guest time is already inside user). */
static gboolean
read_busy_ticks (guint64 *out)
{
  FILE *f = fopen ("/proc/stat", "r");
  unsigned long long v[8] = { 0 };
  int n;

  if (f == NULL)
    return FALSE;
  n = fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
              &v[5], &v[6], &v[7]);
  fclose (f);
  if (n < 7)
    return FALSE;
  /* user nice system idle iowait irq softirq steal */
  *out = v[0] + v[1] + v[2] + v[5] + v[6] + (n >= 8 ? v[7] : 0);
  return TRUE;
}

static gint64
self_cpu_usec (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return -1;
  return (gint64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC + ru.ru_utime.tv_usec
         + ru.ru_stime.tv_usec;
}

guint
cs_thread_tuner_update (CsThreadTuner *self)
{
  gint64 now = g_get_monotonic_time ();
  long hz;
  guint64 busy;
  gint64 self_usec;
  double elapsed, busy_cores, self_cores;
  guint next;

  /* Called after every batch: nothing but the clock until the window has passed. */
  if (self->max < 2 || (self->have_reading && now - self->last_time < CS_TUNER_WINDOW_USEC))
    return self->current;
  hz = sysconf (_SC_CLK_TCK);
  self_usec = self_cpu_usec ();
  if (hz <= 0 || self_usec < 0 || !read_busy_ticks (&busy))
    return self->current;
  if (!self->have_reading)
    {
      self->have_reading = TRUE;
      self->last_time = now;
      self->last_busy_ticks = busy;
      self->last_self_usec = self_usec;
      return self->current;
    }

  elapsed = (now - self->last_time) / 1e6;
  busy_cores = (double) (busy - self->last_busy_ticks) / hz / elapsed;
  self_cores = (self_usec - self->last_self_usec) / 1e6 / elapsed;
  self->others = busy_cores - self_cores;
  self->last_time = now;
  self->last_busy_ticks = busy;
  self->last_self_usec = self_usec;

  next = cs_thread_tuner_decide (self->max, self->current, self->others);
  if (next != self->current)
    {
      g_debug ("other programs keep %.2f cores busy: %u -> %u BLAS threads", self->others,
               self->current, next);
      self->current = next;
      self->n_switches++;
    }
  return self->current;
}
