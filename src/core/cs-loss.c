/* cs-loss.c: the Deep k-Means clustering loss.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-core"

#include "config.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "cs-loss.h"

/* Per-row scratch on the stack up to this many clusters. */
#define CS_LOSS_MAX_K_STACK 64

void
cs_cluster_soft_assign (const float *z,
                        gsize n,
                        guint m,
                        const float *r,
                        guint k,
                        double alpha,
                        float *dist,
                        float *g,
                        gint32 *nearest,
                        float *confidence)
{
  for (gsize i = 0; i < n; i++)
    {
      const float *zi = z + i * m;
      float *di = dist + i * k;
      float dmin = INFINITY;
      guint jmin = 0;

      for (guint j = 0; j < k; j++)
        {
          const float *rj = r + (gsize) j * m;
          float s = 0.0f;
          for (guint c = 0; c < m; c++)
            {
              float t = zi[c] - rj[c];
              s += t * t;
            }
          di[j] = s;
          if (s < dmin)
            {
              dmin = s;
              jmin = j;
            }
        }
      if (nearest)
        nearest[i] = (gint32) jmin;
      if (confidence)
        {
          /* The margin to the runner-up: 1 - |z - c1| / |z - c2|. 0 on the boundary between
           * two clusters, 0.5 for a point twice as close to its own centroid; scale-free, so
           * unlike the soft assignment G (which alpha = 1000 pins at 1) it tells points apart. */
          float second = INFINITY;

          for (guint j = 0; j < k; j++)
            if (j != jmin && di[j] < second)
              second = di[j];
          confidence[i] = k < 2 || !(second > 0.0f)
                              ? (k < 2 ? 1.0f : 0.0f)
                              : (float) (1.0 - sqrt ((double) dmin / (double) second));
        }
      if (g)
        {
          /* Shifted by the minimum so that the largest exponent is exp (0). */
          double sum = 0.0;
          float *gi = g ? g + i * k : NULL;
          for (guint j = 0; j < k; j++)
            {
              double e = exp (-alpha * ((double) di[j] - dmin));
              sum += e;
              if (gi)
                gi[j] = (float) e;
            }
          for (guint j = 0; j < k; j++)
            gi[j] = (float) (gi[j] / sum);
        }
    }
}

double
cs_cluster_loss (const float *z,
                 guint batch,
                 guint m,
                 const float *r,
                 guint k,
                 double alpha,
                 double lambda,
                 float *d_z,
                 float *d_r,
                 float *work)
{
  float *dist = work;
  float *g = work + (gsize) batch * k;
  double loss = 0.0;

  cs_cluster_soft_assign (z, batch, m, r, k, alpha, dist, g, NULL, NULL);

  /* Overwrite g with the coefficients C_ij = lambda / B * dL/dd_ij, as we go. */
  for (guint i = 0; i < batch; i++)
    {
      float *di = dist + (gsize) i * k;
      float *gi = g + (gsize) i * k;
      double f = 0.0;

      for (guint j = 0; j < k; j++)
        f += (double) gi[j] * di[j];
      loss += f;
      for (guint j = 0; j < k; j++)
        gi[j] = (float) (lambda / batch * gi[j] * (1.0 - alpha * ((double) di[j] - f)));
    }

  if (d_z)
    {
      /* d_z = 2 (diag (rowsum C) Z - C R). */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, m, k, -2.0f, g, k, r, m, 0.0f,
                   d_z, m);
      for (guint i = 0; i < batch; i++)
        {
          const float *ci = g + (gsize) i * k;
          float s = 0.0f;
          for (guint j = 0; j < k; j++)
            s += ci[j];
          for (guint c = 0; c < m; c++)
            d_z[(gsize) i * m + c] += 2.0f * s * z[(gsize) i * m + c];
        }
    }
  if (d_r)
    {
      /* d_r = -2 (C^T Z - diag (colsum C) R). */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, k, m, batch, -2.0f, g, k, z, m, 0.0f,
                   d_r, m);
      for (guint j = 0; j < k; j++)
        {
          float s = 0.0f;
          for (guint i = 0; i < batch; i++)
            s += g[(gsize) i * k + j];
          for (guint c = 0; c < m; c++)
            d_r[(gsize) j * m + c] += 2.0f * s * r[(gsize) j * m + c];
        }
    }
  return loss / batch;
}

/* DEC and IDEC ----------------------------------------------------------------------------- */

/* Row i's kernel values (1 + d_ij)^-1 into ki and their sum. */
static double
student_row (const float *zi, guint m, const float *r, guint k, double *ki)
{
  double sum = 0.0;

  for (guint j = 0; j < k; j++)
    {
      const float *rj = r + (gsize) j * m;
      double d = 0.0;

      for (guint c = 0; c < m; c++)
        {
          double t = (double) zi[c] - rj[c];
          d += t * t;
        }
      ki[j] = 1.0 / (1.0 + d);
      sum += ki[j];
    }
  return sum;
}

void
cs_dec_soft_assign (const float *z, gsize n, guint m, const float *r, guint k, float *q)
{
  g_autofree double *ki = g_new (double, k);

  for (gsize i = 0; i < n; i++)
    {
      double sum = student_row (z + i * m, m, r, k, ki);

      for (guint j = 0; j < k; j++)
        q[i * k + j] = (float) (ki[j] / sum);
    }
}

void
cs_dec_target (const float *q, gsize n, guint k, float *p)
{
  g_autofree double *f = g_new0 (double, k);

  for (gsize i = 0; i < n; i++)
    for (guint j = 0; j < k; j++)
      f[j] += q[i * k + j];
  for (gsize i = 0; i < n; i++)
    {
      double sum = 0.0;
      double w[CS_LOSS_MAX_K_STACK];
      double *wi = k <= CS_LOSS_MAX_K_STACK ? w : g_new (double, k);

      for (guint j = 0; j < k; j++)
        {
          /* An empty cluster (f_j = 0) has q_ij = 0 everywhere: it gets no target either. */
          wi[j] = f[j] > 0.0 ? (double) q[i * k + j] * q[i * k + j] / f[j] : 0.0;
          sum += wi[j];
        }
      for (guint j = 0; j < k; j++)
        p[i * k + j] = sum > 0.0 ? (float) (wi[j] / sum) : 1.0f / k;
      if (wi != w)
        g_free (wi);
    }
}

double
cs_dec_loss (const float *z,
             guint batch,
             guint m,
             const float *r,
             guint k,
             const float *p,
             double weight,
             float *d_z,
             float *d_r,
             float *work)
{
  double loss = 0.0, scale = 2.0 * weight / batch;
  double w[CS_LOSS_MAX_K_STACK];
  double *ki = k <= CS_LOSS_MAX_K_STACK ? w : g_new (double, k);

  (void) work;
  if (d_r != NULL)
    memset (d_r, 0, (gsize) k * m * sizeof (float));
  for (guint i = 0; i < batch; i++)
    {
      const float *zi = z + (gsize) i * m;
      const float *pi = p + (gsize) i * k;
      double sum = student_row (zi, m, r, k, ki);

      if (d_z != NULL)
        memset (d_z + (gsize) i * m, 0, m * sizeof (float));
      for (guint j = 0; j < k; j++)
        {
          double qij = ki[j] / sum, c;
          const float *rj = r + (gsize) j * m;

          if (pi[j] > 0.0f)
            loss += pi[j] * log (pi[j] / qij);
          /* dKL/dz_i = 2 sum_j (1 + d_ij)^-1 (p_ij - q_ij) (z_i - r_j) */
          c = scale * ki[j] * ((double) pi[j] - qij);
          for (guint a = 0; a < m; a++)
            {
              double g = c * ((double) zi[a] - rj[a]);

              if (d_z != NULL)
                d_z[(gsize) i * m + a] += (float) g;
              if (d_r != NULL)
                d_r[(gsize) j * m + a] -= (float) g;
            }
        }
    }
  if (ki != w)
    g_free (ki);
  return loss / batch;
}
