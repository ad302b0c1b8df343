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

/* Fisher's ratio of two groups along x of a 2-D view: squared gap of the means over the sum of
 * the variances. */
static double
fisher_x (const float *xy, const gint32 *labels, gsize n)
{
  double mean[2] = { 0, 0 }, sq[2] = { 0, 0 }, cnt[2] = { 0, 0 };

  for (gsize i = 0; i < n; i++)
    {
      mean[labels[i]] += xy[2 * i];
      sq[labels[i]] += (double) xy[2 * i] * xy[2 * i];
      cnt[labels[i]] += 1.0;
    }
  for (guint c = 0; c < 2; c++)
    {
      mean[c] /= cnt[c];
      sq[c] = sq[c] / cnt[c] - mean[c] * mean[c];
    }
  return (mean[0] - mean[1]) * (mean[0] - mean[1]) / (sq[0] + sq[1]);
}

/* Two Gaussians apart along e3 (sd 1, gap 4) under much larger spread along e0 and e1 (sd 10,
 * 6) that does not tell them apart: PCA shows the spread, LDA the gap. */
static void
test_lda_separates (void)
{
  const gsize n = 2000;
  const guint m = 5;
  g_autofree float *z = g_new (float, n *m);
  g_autofree gint32 *labels = g_new (gint32, n);
  g_autofree float *pca_xy = g_new (float, 2 * n);
  g_autofree float *lda_xy = g_new (float, 2 * n);
  g_autoptr (CsProjection) pca = cs_projection_new (m);
  g_autoptr (CsProjection) lda = cs_projection_new (m);
  double f_pca, f_lda;
  CsRng rng;

  cs_rng_init (&rng, 9);
  for (gsize i = 0; i < n; i++)
    {
      labels[i] = (gint32) (i % 2);
      for (guint c = 0; c < m; c++)
        {
          double sd = c == 0 ? 10.0 : c == 1 ? 6.0 : 1.0;
          z[i * m + c] = (float) (sd * cs_rng_normal (&rng) + (c == 3 ? 4.0 * labels[i] : 0.0));
        }
    }
  cs_projection_update (pca, z, n, FALSE);
  cs_projection_apply (pca, z, n, pca_xy);
  cs_projection_update_lda (lda, z, n, labels, 2, FALSE);
  cs_projection_apply (lda, z, n, lda_xy);
  f_pca = MAX (fisher_x (pca_xy, labels, n), 0.0);
  f_lda = fisher_x (lda_xy, labels, n);
  g_test_message ("Fisher ratio along x: PCA %.3f, LDA %.3f", f_pca, f_lda);
  g_assert_cmpfloat (f_lda, >, 3.0);
  g_assert_cmpfloat (f_lda, >, 20.0 * f_pca + 1.0);
  /* The basis is orthonormal: a true projection of the codes. */
  {
    double uu = 0, vv = 0, uv = 0;
    for (guint c = 0; c < m; c++)
      {
        uu += lda->basis[c] * lda->basis[c];
        vv += lda->basis[m + c] * lda->basis[m + c];
        uv += lda->basis[c] * lda->basis[m + c];
      }
    g_assert_cmpfloat_with_epsilon (uu, 1.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (vv, 1.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (uv, 0.0, 1e-9);
  }
  /* One cluster only: nothing to separate, the principal plane. */
  {
    g_autofree gint32 *one = g_new0 (gint32, n);
    g_autoptr (CsProjection) fallback = cs_projection_new (m);
    cs_projection_update_lda (fallback, z, n, one, 1, FALSE);
    g_assert_cmpmem (fallback->basis, 2 * m * sizeof (double), pca->basis, 2 * m * sizeof (double));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/projection/principal-axes", test_principal_axes);
  g_test_add_func ("/projection/alignment", test_alignment);
  g_test_add_func ("/projection/freeze", test_freeze);
  g_test_add_func ("/projection/lda-separates", test_lda_separates);
  return g_test_run ();
}
