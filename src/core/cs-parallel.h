/* cs-parallel.h: a loop shared between the calling thread and helper threads.
 *
 * The network's training step and encoding split their work over a CsParallel: each thread
 * runs whole single-threaded products on its share, with the element-wise passes (bias,
 * ReLU, Adam) fused in, and the threads meet once per layer (cs-autoencoder.c). The helpers
 * spin briefly, then sleep, until the next loop is handed to them.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsParallel CsParallel;

/* Processes [start, end) of a loop; called once per thread with disjoint ranges. */
typedef void (*CsRangeFunc) (gsize start, gsize end, gpointer data);

/* n_threads in all, the caller included; 1 (or 0) runs every loop in the caller. */
CsParallel *cs_parallel_new (guint n_threads);
void cs_parallel_free (CsParallel *self);
guint cs_parallel_get_n_threads (CsParallel *self);
/* How many of the threads the next loops use (at least 1, at most n_threads; all at first).
 * Call it from the thread that runs the loops. */
void cs_parallel_set_n_active (CsParallel *self, guint n_active);
/* The threads the next loops use; 1 for a NULL pool. */
guint cs_parallel_get_n_active (CsParallel *self);

/* Runs func over [0, n) split into equal ranges that start at multiples of align (a cache
 * line of floats is 16), and returns when every range is done. Loops shorter than min_chunk
 * per thread run in the caller alone: handing them over would cost more than it saves. */
void cs_parallel_for (
    CsParallel *self, gsize n, gsize align, gsize min_chunk, CsRangeFunc func, gpointer data);

/* A model of n_threads threads on one core: a pool without helpers that splits every loop as
 * n_threads threads would, runs the ranges one after another on the calling thread and times
 * each (thread CPU time, so that other programs' load counts less). bench-split uses it to
 * predict the speed-up on more cores than this machine has. */
CsParallel *cs_parallel_new_simulated (guint n_threads);

#define CS_PARALLEL_TIMES_LOOPS 64

typedef struct
{
  double critical; /* seconds: the sum over loops of the slowest range */
  double total;    /* seconds: the sum of every range */
  guint64 loops;   /* loops run (split or not) */
  /* The first CS_PARALLEL_TIMES_LOOPS loops one by one: slowest range, sum of the ranges. */
  double loop_critical[CS_PARALLEL_TIMES_LOOPS];
  double loop_total[CS_PARALLEL_TIMES_LOOPS];
} CsParallelTimes;

/* What a simulated pool measured since the last call (zeros for a real pool); resets it. */
void cs_parallel_take_times (CsParallel *self, CsParallelTimes *times);

G_END_DECLS
