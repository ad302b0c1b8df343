/* cs-rng.c: xoshiro256** seeded through splitmix64.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>

#include "cs-rng.h"

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

void
cs_rng_init (CsRng *rng, guint64 seed)
{
  guint64 x = seed;

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

guint64
cs_rng_next (CsRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
cs_rng_uniform (CsRng *rng)
{
  return (cs_rng_next (rng) >> 11) * 0x1.0p-53;
}

guint64
cs_rng_below (CsRng *rng, guint64 n)
{
  g_assert (n > 0);
  /* Lemire's multiply-shift with rejection: unbiased and branch-light. */
  for (;;)
    {
      guint64 x = cs_rng_next (rng);
      unsigned __int128 m = (unsigned __int128) x * n;
      guint64 l = (guint64) m;
      if (l >= n || l >= (-n) % n)
        return (guint64) (m >> 64);
    }
}

double
cs_rng_normal (CsRng *rng)
{
  double u1, u2;

  do
    u1 = cs_rng_uniform (rng);
  while (u1 <= 0.0);
  u2 = cs_rng_uniform (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

void
cs_rng_shuffle_u32 (CsRng *rng, guint32 *idx, gsize n)
{
  for (gsize i = n; i > 1; i--)
    {
      gsize j = cs_rng_below (rng, i);
      guint32 t = idx[i - 1];
      idx[i - 1] = idx[j];
      idx[j] = t;
    }
}
