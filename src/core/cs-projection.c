/* cs-projection.c: PCA to 2-D with frame-to-frame alignment.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-projection.h"

/* LAPACK, as exported by OpenBLAS (Fortran calling convention). */
extern void dsygv_ (const int *itype,
                    const char *jobz,
                    const char *uplo,
                    const int *n,
                    double *a,
                    const int *lda,
                    double *b,
                    const int *ldb,
                    double *w,
                    double *work,
                    const int *lwork,
                    int *info);
extern void dsyev_ (const char *jobz,
                    const char *uplo,
                    const int *n,
                    double *a,
                    const int *lda,
                    double *w,
                    double *work,
                    const int *lwork,
                    int *info);

CsProjection *
cs_projection_new (guint m)
{
  CsProjection *self = g_new0 (CsProjection, 1);

  self->m = m;
  self->mean = g_new0 (double, m);
  self->basis = g_new0 (double, 2 * m);
  return self;
}

void
cs_projection_free (CsProjection *self)
{
  if (self == NULL)
    return;
  g_free (self->mean);
  g_free (self->basis);
  g_free (self);
}

/* Rotates or reflects basis (2 x m) within its plane to best match prev (2 x m):
 * the orthogonal 2 x 2 Q maximising tr (Q B P^T), in closed form. */
static void
align_to (double *basis, const double *prev, guint m)
{
  double n00 = 0, n01 = 0, n10 = 0, n11 = 0;
  double rot, refl, q[4];
  double out[2 * 4096];
  double *o = m <= 4096 ? out : g_new (double, 2 * m);

  for (guint c = 0; c < m; c++)
    {
      n00 += basis[c] * prev[c];
      n01 += basis[c] * prev[m + c];
      n10 += basis[m + c] * prev[c];
      n11 += basis[m + c] * prev[m + c];
    }
  rot = hypot (n00 + n11, n01 - n10);
  refl = hypot (n00 - n11, n01 + n10);
  if (rot >= refl)
    {
      double t = atan2 (n01 - n10, n00 + n11);
      q[0] = cos (t), q[1] = -sin (t), q[2] = sin (t), q[3] = cos (t);
    }
  else
    {
      double t = atan2 (n10 + n01, n00 - n11);
      q[0] = cos (t), q[1] = sin (t), q[2] = sin (t), q[3] = -cos (t);
    }
  for (guint c = 0; c < m; c++)
    {
      o[c] = q[0] * basis[c] + q[1] * basis[m + c];
      o[m + c] = q[2] * basis[c] + q[3] * basis[m + c];
    }
  memcpy (basis, o, 2 * m * sizeof (double));
  if (o != out)
    g_free (o);
}

/* Takes the plane of a and b (m each; orthonormalised here, a first) as the new basis, turned
 * within itself to match the previous one, or given a fixed orientation when there is none. */
static void
set_basis (CsProjection *self, const double *a, const double *b)
{
  guint m = self->m;
  g_autofree double *prev = self->valid ? g_memdup2 (self->basis, 2 * m * sizeof (double)) : NULL;
  double *u = self->basis, *v = self->basis + m;
  double nu = 0.0, dot = 0.0, nv = 0.0;

  memcpy (u, a, m * sizeof (double));
  memcpy (v, b, m * sizeof (double));
  for (guint c = 0; c < m; c++)
    nu += u[c] * u[c];
  nu = sqrt (nu);
  for (guint c = 0; c < m; c++)
    u[c] = nu > 0.0 ? u[c] / nu : (c == 0);
  for (guint c = 0; c < m; c++)
    dot += u[c] * v[c];
  for (guint c = 0; c < m; c++)
    {
      v[c] -= dot * u[c];
      nv += v[c] * v[c];
    }
  nv = sqrt (nv);
  if (nv < 1e-9)
    {
      /* b is (nearly) along a: any unit vector orthogonal to a will do. */
      guint at = fabs (u[0]) < 0.9 ? 0 : 1;
      memset (v, 0, m * sizeof (double));
      v[at] = 1.0;
      dot = u[at];
      nv = 0.0;
      for (guint c = 0; c < m; c++)
        {
          v[c] -= dot * u[c];
          nv += v[c] * v[c];
        }
      nv = sqrt (nv);
    }
  for (guint c = 0; c < m; c++)
    v[c] /= nv;

  if (prev)
    align_to (self->basis, prev, m);
  else
    {
      /* A deterministic first orientation: the largest component of each axis positive. */
      for (guint ax = 0; ax < 2; ax++)
        {
          double *w = self->basis + ax * m, best = 0;
          for (guint c = 0; c < m; c++)
            if (fabs (w[c]) > fabs (best))
              best = w[c];
          if (best < 0)
            for (guint c = 0; c < m; c++)
              w[c] = -w[c];
        }
    }
  self->valid = TRUE;
}

void
cs_projection_update (CsProjection *self, const float *z, gsize n, gboolean freeze)
{
  guint m = self->m;
  g_autofree double *cov = NULL;
  g_autofree double *w = NULL;
  g_autofree double *work = NULL;
  double wq;
  int mi = (int) m, lwork = -1, info = 0;

  if (freeze && self->valid)
    return;
  if (n == 0)
    return;

  memset (self->mean, 0, m * sizeof (double));
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < m; c++)
      self->mean[c] += z[i * m + c];
  for (guint c = 0; c < m; c++)
    self->mean[c] /= (double) n;

  if (m == 1)
    {
      /* A 1-D code: spread it along x. */
      self->basis[0] = 1.0;
      self->basis[1] = 0.0;
      self->valid = TRUE;
      return;
    }

  cov = g_new0 (double, (gsize) m *m);
  {
    double row[4096];
    double *r = m <= 4096 ? row : g_new (double, m);
    for (gsize i = 0; i < n; i++)
      {
        for (guint c = 0; c < m; c++)
          r[c] = z[i * m + c] - self->mean[c];
        /* Upper triangle in column-major terms is the lower one here: symmetric anyway. */
        for (guint a = 0; a < m; a++)
          for (guint b = a; b < m; b++)
            cov[(gsize) a * m + b] += r[a] * r[b];
      }
    if (r != row)
      g_free (r);
  }

  w = g_new (double, m);
  dsyev_ ("V", "L", &mi, cov, &mi, w, &wq, &lwork, &info);
  lwork = MAX (1, (int) wq);
  work = g_new (double, lwork);
  dsyev_ ("V", "L", &mi, cov, &mi, w, work, &lwork, &info);
  if (info != 0)
    {
      g_warning ("dsyev failed with info %d; keeping the previous projection", info);
      return;
    }

  /* Eigenvalues ascend; column j of the column-major result is eigenvector j. */
  set_basis (self, cov + (gsize) (m - 1) * m, cov + (gsize) (m - 2) * m);
}

void
cs_projection_update_lda (
    CsProjection *self, const float *z, gsize n, const gint32 *labels, guint k, gboolean freeze)
{
  guint m = self->m;
  g_autofree double *means = NULL, *counts = NULL, *sb = NULL, *sw = NULL, *w = NULL;
  g_autofree double *work = NULL;
  double wq, trace = 0.0;
  int mi = (int) m, itype = 1, lwork = -1, info = 0;
  guint used = 0;

  if (freeze && self->valid)
    return;
  if (n == 0)
    return;
  if (m < 3 || k < 2)
    {
      /* Nothing to choose (or nothing to separate): the principal plane. */
      cs_projection_update (self, z, n, freeze);
      return;
    }

  memset (self->mean, 0, m * sizeof (double));
  means = g_new0 (double, (gsize) k *m);
  counts = g_new0 (double, k);
  for (gsize i = 0; i < n; i++)
    {
      guint c = (guint) labels[i];
      counts[c] += 1.0;
      for (guint d = 0; d < m; d++)
        {
          self->mean[d] += z[i * m + d];
          means[(gsize) c * m + d] += z[i * m + d];
        }
    }
  for (guint d = 0; d < m; d++)
    self->mean[d] /= (double) n;
  for (guint c = 0; c < k; c++)
    if (counts[c] > 0)
      {
        used++;
        for (guint d = 0; d < m; d++)
          means[(gsize) c * m + d] /= counts[c];
      }
  if (used < 2)
    {
      cs_projection_update (self, z, n, freeze);
      return;
    }

  /* Within-cluster scatter sw and between-cluster scatter sb (symmetric, m x m). */
  sw = g_new0 (double, (gsize) m *m);
  sb = g_new0 (double, (gsize) m *m);
  for (gsize i = 0; i < n; i++)
    {
      const double *mu = means + (gsize) labels[i] * m;
      double r[4096];
      for (guint d = 0; d < m; d++)
        r[d] = z[i * m + d] - mu[d];
      for (guint a = 0; a < m; a++)
        for (guint b = a; b < m; b++)
          sw[(gsize) a * m + b] += r[a] * r[b];
    }
  for (guint c = 0; c < k; c++)
    for (guint a = 0; a < m; a++)
      for (guint b = a; b < m; b++)
        sb[(gsize) a * m + b] += counts[c] * (means[(gsize) c * m + a] - self->mean[a])
                                 * (means[(gsize) c * m + b] - self->mean[b]);
  /* A small ridge keeps sw positive definite when a direction has no spread. */
  for (guint d = 0; d < m; d++)
    trace += sw[(gsize) d * m + d];
  for (guint d = 0; d < m; d++)
    sw[(gsize) d * m + d] += 1e-6 * trace / m + 1e-12;

  /* Column-major "L" is the row-major upper triangle filled above. */
  w = g_new (double, m);
  dsygv_ (&itype, "V", "L", &mi, sb, &mi, sw, &mi, w, &wq, &lwork, &info);
  lwork = MAX (1, (int) wq);
  work = g_new (double, lwork);
  dsygv_ (&itype, "V", "L", &mi, sb, &mi, sw, &mi, w, work, &lwork, &info);
  if (info != 0)
    {
      g_warning ("dsygv failed with info %d; falling back to PCA", info);
      cs_projection_update (self, z, n, freeze);
      return;
    }
  /* Generalised eigenvalues ascend: the two most separating directions are the last two. */
  set_basis (self, sb + (gsize) (m - 1) * m, sb + (gsize) (m - 2) * m);
}

void
cs_projection_apply (const CsProjection *self, const float *z, gsize n, float *xy)
{
  guint m = self->m;

  for (gsize i = 0; i < n; i++)
    {
      double x = 0, y = 0;
      for (guint c = 0; c < m; c++)
        {
          double v = z[i * m + c] - self->mean[c];
          x += v * self->basis[c];
          y += v * self->basis[m + c];
        }
      xy[2 * i] = (float) x;
      xy[2 * i + 1] = (float) y;
    }
}
