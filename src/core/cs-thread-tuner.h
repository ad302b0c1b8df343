/* cs-thread-tuner.h: as many BLAS threads as there are cores the other programs leave free.
 *
 * Written when OpenBLAS's threads shared each product: when other programs kept cores busy,
 * the fork and join inside each of a step's two dozen sgemm calls waited for a descheduled
 * thread every time. Measured on this 2-core machine (pretraining epoch of Fashion-MNIST test,
 * 10 000 images): one busy program, 5.2-5.6 s on two threads and 4.0 s on one; two busy
 * programs, 22.6 s on two threads and 5.2 s on one. Timing the steps themselves does not tell
 * the settings apart reliably (under load a two-thread step took anywhere from 90 to 590 ms
 * within seconds), so the tuner reads the load instead: the CPU time of the whole machine
 * (/proc/stat, hypervisor steal included) minus this process's own (getrusage), twice a second
 * at most.
 *
 * Since the engine splits the products over its own threads (cs-autoencoder.c), which meet once
 * per layer and spin briefly before they sleep, two threads no longer lose under load (3-epoch
 * runs of the same data: one busy program, 10.6-12.1 s on two threads, 10.2-11.5 s on one; two
 * busy programs, 11.7-12.1 s on two, 16.4-17.6 s on one), so the tuner is off unless asked for
 * (clusterscope-cli --adaptive-threads).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Readings closer together than this are not taken (the kernel counts in 10 ms ticks). */
#define CS_TUNER_WINDOW_USEC 500000

typedef struct
{
  guint max;     /* threads available; below 2 nothing is tuned */
  guint current; /* threads in use */
  gboolean have_reading;
  gint64 last_time;        /* monotonic µs of the last reading */
  guint64 last_busy_ticks; /* busy ticks of every CPU, from /proc/stat */
  gint64 last_self_usec;   /* this process's CPU time */
  double others;           /* cores other programs kept busy over the last window */
  guint n_switches;
} CsThreadTuner;

void cs_thread_tuner_init (CsThreadTuner *self, guint max_threads);

/* The policy alone: threads for the next steps when other programs keep `others` cores busy,
 * starting from `current` of `max`. A thread is given up when the cores left free fall half a
 * core below the threads in use, and taken back only when 0.7 of a core more is free, so a
 * load near the threshold does not make the count flap. */
guint cs_thread_tuner_decide (guint max, guint current, double others);

/* Between steps: takes a reading when the window has passed and returns the threads for the
 * next step (self->current when nothing changed or the load cannot be read). */
guint cs_thread_tuner_update (CsThreadTuner *self);

G_END_DECLS
