/* cs-loss.h: the Deep k-Means clustering loss and its gradients, and DEC's.
 *
 * d_ij = ||z_i - r_j||^2, G_ij = softmax_j (-alpha (d_ij - min_l d_il)),
 * L_c = (1/B) sum_i sum_j G_ij d_ij, and dL_c/dd_ij = (1/B) G_ij (1 - alpha (d_ij - f_i)) with
 * f_i = sum_j G_ij d_ij: the gradient flows through the softmax.
 *
 * Copyright 2026 The Clusterscope authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* z: batch x m, r: k x m. work: at least 2 * batch * k floats.
 * Returns L_c (not multiplied by lambda). When d_z (batch x m) is not NULL it receives
 * lambda * dL_c/dz; when d_r (k x m) is not NULL it receives lambda * dL_c/dr. */
double cs_cluster_loss (const float *z,
                        guint        batch,
                        guint        m,
                        const float *r,
                        guint        k,
                        double       alpha,
                        double       lambda,
                        float       *d_z,
                        float       *d_r,
                        float       *work);

/* Squared distances (batch x k) and soft assignments G (batch x k, may be NULL); the nearest
 * centroid of every row when nearest is not NULL, and the confidence in it when confidence is
 * not NULL: the margin 1 - |z - c1| / |z - c2| to the second nearest centroid c2, in [0, 1]
 * (1 when k = 1). */
void cs_cluster_soft_assign (const float *z,
                             gsize        n,
                             guint        m,
                             const float *r,
                             guint        k,
                             double       alpha,
                             float       *dist,
                             float       *g,
                             gint32      *nearest,
                             float       *confidence);

/* DEC (Xie et al. 2016) and IDEC (Guo et al. 2017): Student's t soft assignment with one
 * degree of freedom, q_ij = (1 + d_ij)^-1 / sum_l (1 + d_il)^-1, d_ij = ||z_i - r_j||^2, into
 * q (n x k). */
void cs_dec_soft_assign (const float *z,
                         gsize        n,
                         guint        m,
                         const float *r,
                         guint        k,
                         float       *q);

/* The sharpened target from the soft assignments of all n points: p_ij = (q_ij^2 / f_j) /
 * sum_l (q_il^2 / f_l), f_j = sum_i q_ij. In place is allowed (p == q). */
void cs_dec_target (const float *q,
                    gsize        n,
                    guint        k,
                    float       *p);

/* KL (P || Q) averaged over the batch, for codes z (batch x m) with targets p (batch x k rows,
 * the batch's own). When d_z / d_r are not NULL they receive weight * dKL/dz and weight *
 * dKL/dr: dKL/dz_i = (2/B) sum_j (1 + d_ij)^-1 (p_ij - q_ij) (z_i - r_j), and the negative sum
 * over i for r_j. work: at least batch * k floats. Returns the loss (not weighted). */
double cs_dec_loss (const float *z,
                    guint        batch,
                    guint        m,
                    const float *r,
                    guint        k,
                    const float *p,
                    double       weight,
                    float       *d_z,
                    float       *d_r,
                    float       *work);

G_END_DECLS
