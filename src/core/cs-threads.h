/* cs-threads.h: the engine's thread policy, in one place.
 *
 * A run uses as many threads as OpenBLAS would (all cores, or the count the environment
 * names). The engine splits each product over threads of its own (cs-parallel, at rows where
 * OpenBLAS computes every element the same way), so OpenBLAS itself runs on one thread while
 * they work: a run gives the same bytes on one thread as on several.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Threads a network (and the views computed beside it) splits its work over: OpenBLAS's
 * count, at least 1. */
guint cs_threads_for_engine (void);

/* TRUE when the environment fixes the count (OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or
 * OMP_NUM_THREADS): a person who chose a number gets that number, never an adaptive one. */
gboolean cs_threads_count_is_fixed (void);

/* OpenBLAS on one thread until the matching _end; returns what _end restores (0 or 1: nothing
 * to restore). */
int cs_threads_blas_solo_begin (void);
void cs_threads_blas_solo_end (int saved);

/* Every thread of a program that links the engine flushes subnormal floats to zero, in
 * results (FTZ) and in operands (DAZ): a constructor sets it on the main thread before main (),
 * and threads inherit it when created (pthread_create copies the floating-point environment).
 * On x86-64 an operation on a subnormal takes a microcode assist of about a hundred cycles,
 * and as a network trains, its gradients and Adam's second moments shrink into that range:
 * without this, pretraining epochs on 70 000 images grew from 5.1 s to 8.7 s in four epochs
 * on a Xeon (docs/PERFORMANCE.md). The same on every thread keeps the bytes the same for any
 * thread count. TRUE when the calling thread flushes them (FALSE off x86-64). */
gboolean cs_threads_flush_subnormals (void);

G_END_DECLS
