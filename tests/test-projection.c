/* test-projection.c: PCA to 2-D and its frame-to-frame alignment.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-projection.h"
#include "cs-rng.h"

/* Points spread mostly along e0 (sd 5) and e2 (sd 2), little along the rest. */
static float *
make_points (gsize n, guint m, guint64 seed)
{
  float *z = g_new (float, n *m);
  CsRng rng;

  cs_rng_init (&rng, seed);
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < m; c++)
      {
        double sd = c == 0 ? 5.0 : c == 2 ? 2.0 : 0.1;
        z[i * m + c] = (float) (sd * cs_rng_normal (&rng) + c);
      }
  return z;
}

static void
test_principal_axes (void)
{
  const gsize n = 2000;
  const guint m = 5;
  g_autofree float *z = make_points (n, m, 1);
  g_autoptr (CsProjection) p = cs_projection_new (m);

  cs_projection_update (p, z, n, FALSE);
  g_assert_true (p->valid);
  /* First axis is e0, second e2 (up to sign). */
  g_assert_cmpfloat (fabs (p->basis[0]), >, 0.99);
  g_assert_cmpfloat (fabs (p->basis[m + 2]), >, 0.99);
  /* The mean is removed. */
  g_assert_cmpfloat (fabs (p->mean[3] - 3.0), <, 0.05);
}

static double
correlation (const float *a, const float *b, gsize n, guint axis)
{
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

  for (gsize i = 0; i < n; i++)
    ma += a[2 * i + axis], mb += b[2 * i + axis];
  ma /= n, mb /= n;
  for (gsize i = 0; i < n; i++)
    {
      double x = a[2 * i + axis] - ma, y = b[2 * i + axis] - mb;
      sab += x * y, saa += x * x, sbb += y * y;
    }
  return sab / sqrt (saa * sbb);
}

/* Mirroring and rotating the cloud between frames does not flip the picture. */
static void
test_alignment (void)
{
  const gsize n = 1500;
  const guint m = 4;
  g_autofree float *z = make_points (n, m, 2);
  g_autofree float *z2 = g_new (float, n *m);
  g_autofree float *xy1 = g_new (float, n * 2);
  g_autofree float *xy2 = g_new (float, n * 2);
  g_autoptr (CsProjection) p = cs_projection_new (m);
  g_autofree double *basis1 = NULL;

  cs_projection_update (p, z, n, FALSE);
  cs_projection_apply (p, z, n, xy1);
  basis1 = g_memdup2 (p->basis, 2 * m * sizeof (double));

  /* The same data with axis 0 negated: plain PCA might flip the x axis; ours follows it. */
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < m; c++)
      z2[i * m + c] = c == 0 ? -z[i * m + c] : z[i * m + c];
  cs_projection_update (p, z2, n, FALSE);
  cs_projection_apply (p, z2, n, xy2);
  /* The plane is the same, so the aligned basis is the old one: the new picture is the old
   * one mirrored in x (as the data were), not an arbitrary flip or rotation of it. */
  for (guint c = 0; c < 2 * m; c++)
    g_assert_cmpfloat (fabs (p->basis[c] - basis1[c]), <, 1e-2);
  g_assert_cmpfloat (correlation (xy1, xy2, n, 0), <, -0.99);
  g_assert_cmpfloat (correlation (xy1, xy2, n, 1), >, 0.99);
}

static void
test_freeze (void)
{
  const gsize n = 1000;
  const guint m = 3;
  g_autofree float *z = make_points (n, m, 3);
  g_autofree float *z2 = make_points (n, m, 4);
  g_autoptr (CsProjection) p = cs_projection_new (m);
  g_autofree double *basis = NULL;

  cs_projection_update (p, z, n, FALSE);
  basis = g_memdup2 (p->basis, 2 * m * sizeof (double));
  for (gsize i = 0; i < n; i++)
    z2[i * m + 1] *= 200; /* the main axis would change */
  cs_projection_update (p, z2, n, TRUE);
  g_assert_cmpmem (p->basis, 2 * m * sizeof (double), basis, 2 * m * sizeof (double));
  cs_projection_update (p, z2, n, FALSE);
  /* Unfrozen, e1 enters the plane (which row holds it depends on the alignment). */
  g_assert_cmpfloat (MAX (fabs (p->basis[1]), fabs (p->basis[m + 1])), >, 0.99);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/projection/principal-axes", test_principal_axes);
  g_test_add_func ("/projection/alignment", test_alignment);
  g_test_add_func ("/projection/freeze", test_freeze);
  return g_test_run ();
}
