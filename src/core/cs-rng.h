/* cs-rng.h: a small, explicit, seeded random number generator (xoshiro256**).
 *
 * Every random choice in the engine draws from a CsRng passed in by the caller, so a
 * run is reproducible from its seed alone.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

struct _CsRng
{
  guint64 s[4];
};

void    cs_rng_init       (CsRng  *rng,
                           guint64 seed);
guint64 cs_rng_next       (CsRng *rng);
/* Uniform in [0, 1). */
double  cs_rng_uniform    (CsRng *rng);
/* Uniform integer in [0, n). */
guint64 cs_rng_below      (CsRng  *rng,
                           guint64 n);
/* Standard normal (Box-Muller). */
double  cs_rng_normal     (CsRng *rng);
/* Fisher-Yates shuffle of an index array. */
void    cs_rng_shuffle_u32 (CsRng  *rng,
                            guint32 *idx,
                            gsize    n);

G_END_DECLS
