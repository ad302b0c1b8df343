/* cs-threads.c: the engine's thread policy (see the header).
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <cblas.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "cs-threads.h"

guint
cs_threads_for_engine (void)
{
  return (guint) MAX (openblas_get_num_threads (), 1);
}

gboolean
cs_threads_count_is_fixed (void)
{
  return g_getenv ("OPENBLAS_NUM_THREADS") != NULL || g_getenv ("GOTO_NUM_THREADS") != NULL
         || g_getenv ("OMP_NUM_THREADS") != NULL;
}

int
cs_threads_blas_solo_begin (void)
{
  int n = openblas_get_num_threads ();

  if (n != 1)
    openblas_set_num_threads (1);
  return n;
}

void
cs_threads_blas_solo_end (int saved)
{
  if (saved > 1)
    openblas_set_num_threads (saved);
}

/* MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6). */
#define MXCSR_FTZ_DAZ 0x8040u

__attribute__ ((constructor)) static void
flush_subnormals_from_the_start (void)
{
#if defined(__SSE__)
  _mm_setcsr (_mm_getcsr () | MXCSR_FTZ_DAZ);
#endif
}

gboolean
cs_threads_flush_subnormals (void)
{
#if defined(__SSE__)
  return (_mm_getcsr () & MXCSR_FTZ_DAZ) == MXCSR_FTZ_DAZ;
#else
  return FALSE;
#endif
}
